/**
 * Footprints of transitions, recorded at run time, for partial-order
 * reduction (src/check/bfs.ts).
 *
 * A {@link RecordingKernel} is a Kernel draft that notes every row a step
 * reads (`get`, `find`) or writes (`mut`, `set`, `add`, `remove`), every
 * table whose key set it reads (`ids`) or changes (`add`, `remove`), and
 * the two scalars `nextId` (ids are allocated in order, so two allocating
 * steps never commute) and `lockdep`.
 *
 * Reads of the whole state through `k.state` (taking a lock: canAcquire()
 * looks at the lock row and, for a read, at every task's wait state;
 * lockdep's check_prev_add() at the order graph) go through a recording
 * view that notes exactly what is looked at: the rows reached, a table's key
 * set when it is enumerated, the `lockdep` scalar. A task's wait state
 * (`blockedOn`) is its own variable, apart from the rest of the task's row,
 * so that a reader's canAcquire() scanning every task's wait state conflicts
 * only with steps that block on a lock or stop waiting, not with every step
 * of every other task. A task's identity (its row existing, with its tid,
 * pid and name, which never change while the row lives) is another: a
 * waiter naming the lock's holder in its `wait` event reads the holder's
 * identity, not the frames the holder's steps write. So a step that takes a
 * lock commutes with every step that touches neither that lock's row, nor
 * the lock-order graph (when either adds an edge), nor a task's wait state.
 *
 * Two transitions are independent in a state when they belong to different
 * tasks and neither writes a row (or a key set, a wait state, a scalar) the
 * other reads or writes. Then each runs the same way in either order: same
 * reads, same writes, same events, and neither enables or disables the other
 * (enabledness reads the task's own row and wait state, its process's
 * variables, and for a sleeping task the lock row and the wait states its
 * retry reads, all of which are in the transition's read set). Events are
 * not effects: they are a function of the reads.
 */
import type { Kernel } from '../kernel/kernel.js';
import { TrackingKernel } from './tracking-kernel.js';
import type { KernelState, Mutable, Row, TableName } from '../kernel/state.js';
import { TABLE_INDEX, TABLE_NAMES } from '../kernel/state.js';
import type { Design } from '../designs/types.js';

const TASKS = TABLE_INDEX.get('tasks')!;
/** Rows are keyed table * 2^26 + id; ids stay far below 2^26 in any search. */
const ROW_SPACE = 2 ** 26;
/** Pseudo-rows for the scalars of the state. */
const NEXT_ID = -1;
const LOCKDEP = -2;
/** Wait states: task `tid`'s `blockedOn` is the pseudo-row WAIT_BASE + tid. */
const WAIT_BASE = TABLE_NAMES.length * ROW_SPACE;
/**
 * Identities: task `tid`'s row existing, with its tid, pid and name (never
 * changed while the row lives), is the pseudo-row IDENT_BASE + tid, written
 * only when the row is added, replaced or removed.
 */
const IDENT_BASE = WAIT_BASE + ROW_SPACE;
/** Fields of the state that never change during a search (reading them touches nothing). */
const CONSTANT_STATE = new Set<string | symbol>(['arch', 'design', 'defects']);

/**
 * What one transition touched. The elements read and written are kept in
 * plain arrays, each element once: a step reads about six and writes about
 * two (at most 18 and 8 over the suite), and a linear scan of so few beats
 * a Set's hashing and its allocations, one footprint per transition.
 */
export class Footprint {
  /** Touched the whole state: dependent with every other transition. */
  all = false;
  readonly reads: number[] = [];
  readonly writes: number[] = [];
  /** Tables whose key set was read (`ids`) or changed (`add`, `remove`): bit i for TABLE_NAMES[i]. */
  tableReads = 0;
  tableWrites = 0;

  /** A read of element `x` (a row, wait state, identity or scalar). */
  read(x: number): void {
    if (!this.reads.includes(x)) this.reads.push(x);
  }

  /** A write of element `x`. */
  write(x: number): void {
    if (!this.writes.includes(x)) this.writes.push(x);
  }

  /** A read of a whole row (a task's row includes its wait state). */
  readRow(table: TableName, id: number): void {
    this.read(TABLE_INDEX.get(table)! * ROW_SPACE + id);
    if (table === 'tasks') {
      this.read(WAIT_BASE + id);
      this.read(IDENT_BASE + id);
    }
  }

  /** A write of a row; a task's wait state is written only when it changes (see {@link RecordingKernel.finish}). */
  writeRow(table: TableName, id: number): void {
    this.write(TABLE_INDEX.get(table)! * ROW_SPACE + id);
  }

  /** A row added, replaced whole or removed: a task's identity changes with it. */
  replaceRow(table: TableName, id: number): void {
    this.writeRow(table, id);
    if (table === 'tasks') this.write(IDENT_BASE + id);
  }
}

function meets(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (b.includes(a[i]!)) return true;
  return false;
}

/** Whether two transitions, with these footprints in the same state, commute. */
export function independent(a: Footprint, b: Footprint): boolean {
  if (a.all || b.all) return false;
  if (meets(a.writes, b.writes) || meets(a.writes, b.reads) || meets(b.writes, a.reads)) return false;
  return (a.tableWrites & (b.tableWrites | b.tableReads)) === 0 && (b.tableWrites & a.tableReads) === 0;
}

/**
 * Why two footprints are dependent, for measuring the reduction (bench/por.ts):
 * the first element one writes and the other touches, named `table:id`,
 * `wait:tid`, `nextId`, `lockdep` or `keys:table`; null when independent.
 */
export function conflict(a: Footprint, b: Footprint): string | null {
  if (a.all || b.all) return 'all';
  for (const [w, o] of [[a.writes, b.writes], [a.writes, b.reads], [b.writes, a.reads]] as const) {
    for (const x of w) if (o.includes(x)) return elementName(x);
  }
  const keys = (a.tableWrites & (b.tableWrites | b.tableReads)) | (b.tableWrites & a.tableReads);
  return keys === 0 ? null : `keys:${TABLE_NAMES[31 - Math.clz32(keys & -keys)]!}`;
}

function elementName(x: number): string {
  if (x === NEXT_ID) return 'nextId';
  if (x === LOCKDEP) return 'lockdep';
  if (x >= IDENT_BASE) return `identity:${x - IDENT_BASE}`;
  if (x >= WAIT_BASE) return `wait:${x - WAIT_BASE}`;
  return `${TABLE_NAMES[Math.floor(x / ROW_SPACE)]!}:${x % ROW_SPACE}`;
}

/** A Kernel draft that records the footprint of what runs on it. */
export class RecordingKernel extends TrackingKernel {
  private view: KernelState | null = null;
  /** The draft's root the view reads (the draft copies its root on the first write). */
  private viewOf: KernelState | null = null;

  constructor(private readonly before: KernelState, design: Design, readonly fp: Footprint) {
    super(before, design);
  }

  /** The state through a view that records what is read (see the file comment). */
  override get state(): KernelState {
    const root = super.state;
    if (this.viewOf !== root) {
      this.viewOf = root;
      this.view = recordingView(root, this.fp);
    }
    return this.view!;
  }

  /** Tasks whose wait state the step changed write it (only a task whose row the step wrote can have). */
  override finish(): KernelState {
    const s = super.finish();
    if (s.tasks === this.before.tasks) return s;
    const w = this.writtenRows;
    for (let i = 0; i < w.length; i += 2) {
      if (w[i] !== TASKS) continue;
      const id = w[i + 1]!;
      const was = this.before.tasks[id];
      const now = s.tasks[id];
      if (now === undefined) {
        if (was !== undefined) this.fp.write(WAIT_BASE + id);
        continue;
      }
      const a = was?.blockedOn;
      const b = now.blockedOn;
      if (a !== b && (a?.lock !== b?.lock || a?.mode !== b?.mode)) this.fp.write(WAIT_BASE + id);
    }
    return s;
  }

  override get<T extends TableName>(table: T, id: number): Row<T> {
    this.fp.readRow(table, id);
    return super.get(table, id);
  }

  override find<T extends TableName>(table: T, id: number): Row<T> | undefined {
    this.fp.readRow(table, id);
    return super.find(table, id);
  }

  override mut<T extends TableName>(table: T, id: number): Mutable<Row<T>> {
    this.fp.readRow(table, id);
    this.fp.writeRow(table, id);
    return super.mut(table, id);
  }

  override set<T extends TableName>(table: T, id: number, row: Row<T>): void {
    this.fp.replaceRow(table, id);
    super.set(table, id, row);
  }

  override setLockdep(graph: number): void {
    this.fp.write(LOCKDEP);
    this.fp.read(LOCKDEP);
    super.setLockdep(graph);
  }

  override allocId(): number {
    this.fp.write(NEXT_ID);
    this.fp.read(NEXT_ID);
    return super.allocId();
  }

  override add<T extends TableName>(table: T, make: (id: number) => Row<T>): number {
    const id = super.add(table, make);
    this.fp.replaceRow(table, id);
    this.fp.tableWrites |= 1 << TABLE_INDEX.get(table)!;
    return id;
  }

  override remove(table: TableName, id: number): void {
    this.fp.replaceRow(table, id);
    this.fp.tableWrites |= 1 << TABLE_INDEX.get(table)!;
    super.remove(table, id);
  }

  override ids(table: TableName): number[] {
    this.fp.tableReads |= 1 << TABLE_INDEX.get(table)!;
    return super.ids(table);
  }
}

/** Reads through `k.state`: tables by row (a task's `blockedOn` apart), key sets when enumerated, lockdep. */
function recordingView(root: KernelState, fp: Footprint): KernelState {
  const tables = new Map<TableName, { readonly raw: object; readonly view: object }>();
  const tableView = (table: TableName): object =>
    new Proxy(root[table], {
      get(t, prop) {
        const row = Reflect.get(t, prop) as unknown;
        if (typeof prop !== 'string') return row;
        const id = Number(prop);
        if (table !== 'tasks' || row === undefined) {
          fp.readRow(table, id);
          return row;
        }
        return taskView(row as object, id, fp);
      },
      has(t, prop) {
        if (typeof prop === 'string') fp.readRow(table, Number(prop));
        return Reflect.has(t, prop);
      },
      ownKeys(t) {
        fp.tableReads |= 1 << TABLE_INDEX.get(table)!;
        return Reflect.ownKeys(t);
      },
      set() {
        throw new TypeError('the state is read-only through k.state: write with k.mut/set/add/remove');
      },
    });
  return new Proxy(root, {
    get(t, prop) {
      if (typeof prop === 'string' && TABLE_INDEX.has(prop as TableName)) {
        const table = prop as TableName;
        // Tables are replaced when first written: a view per table object.
        let v = tables.get(table);
        if (v === undefined || v.raw !== root[table]) tables.set(table, (v = { raw: root[table], view: tableView(table) }));
        return v.view;
      }
      if (prop === 'lockdep') fp.read(LOCKDEP);
      else if (prop === 'nextId') fp.read(NEXT_ID);
      else if (!CONSTANT_STATE.has(prop)) fp.all = true;
      return Reflect.get(t, prop) as unknown;
    },
    set() {
      throw new TypeError('the state is read-only through k.state: write with k.mut/set/add/remove');
    },
  });
}

/** A task row whose `blockedOn` reads the wait state, tid, pid and name the identity, and every other field the row. */
function taskView(row: object, id: number, fp: Footprint): object {
  return new Proxy(row, {
    get(t, prop) {
      if (prop === 'blockedOn') fp.read(WAIT_BASE + id);
      else if (prop === 'tid' || prop === 'pid' || prop === 'name') fp.read(IDENT_BASE + id);
      else fp.read(TASKS * ROW_SPACE + id);
      return Reflect.get(t, prop) as unknown;
    },
  });
}

/** A Kernel draft that notes the rows it writes (for fingerprints), recording its footprint into `fp` when one is given. */
export function draft(s: KernelState, design: Design, fp?: Footprint): Kernel {
  return fp ? new RecordingKernel(s, design, fp) : new TrackingKernel(s, design);
}
