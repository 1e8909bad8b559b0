/**
 * Footprints of transitions, recorded at run time, for partial-order
 * reduction (src/check/bfs.ts).
 *
 * A {@link RecordingKernel} is a Kernel draft that notes every row a step
 * reads (`get`, `find`) or writes (`mut`, `set`, `add`, `remove`), every
 * table whose key set it reads (`ids`) or changes (`add`, `remove`), and
 * the two scalars `nextId` (ids are allocated in order, so two allocating
 * steps never commute) and `lockdep`. A step that reads the whole state
 * through `k.state` (taking or retrying a lock reads every task's wait
 * state, releasing code may walk tables) is marked as touching everything.
 *
 * Two transitions are independent in a state when they belong to different
 * tasks, neither touches everything, and neither writes a row (or a key
 * set, or a scalar) the other reads or writes. Then each runs the same way
 * in either order: same reads, same writes, same events, and neither
 * enables or disables the other (enabledness reads the task's own row and
 * its process's variables, which are in every transition's read set).
 * Events are not effects: they are a function of the reads.
 */
import type { Kernel } from '../kernel/kernel.js';
import { TrackingKernel } from './tracking-kernel.js';
import type { KernelState, Mutable, Row, TableName } from '../kernel/state.js';
import { TABLE_NAMES } from '../kernel/state.js';
import type { Design } from '../designs/types.js';

const TABLE_INDEX = new Map<TableName, number>(TABLE_NAMES.map((t, i) => [t, i]));
/** Rows are keyed table * 2^26 + id; ids stay far below 2^26 in any search. */
const ROW_SPACE = 2 ** 26;
/** Pseudo-rows for the scalars of the state. */
const NEXT_ID = -1;
const LOCKDEP = -2;

/** What one transition touched. */
export class Footprint {
  /** Touched the whole state: dependent with every other transition. */
  all = false;
  readonly reads = new Set<number>();
  readonly writes = new Set<number>();
  /** Tables whose key set was read (`ids`) or changed (`add`, `remove`), by index. */
  readonly tableReads = new Set<number>();
  readonly tableWrites = new Set<number>();

  readRow(table: TableName, id: number): void {
    this.reads.add(TABLE_INDEX.get(table)! * ROW_SPACE + id);
  }

  writeRow(table: TableName, id: number): void {
    this.writes.add(TABLE_INDEX.get(table)! * ROW_SPACE + id);
  }
}

function meets(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

/** Whether two transitions, with these footprints in the same state, commute. */
export function independent(a: Footprint, b: Footprint): boolean {
  if (a.all || b.all) return false;
  if (meets(a.writes, b.writes) || meets(a.writes, b.reads) || meets(b.writes, a.reads)) return false;
  if (meets(a.tableWrites, b.tableWrites) || meets(a.tableWrites, b.tableReads) || meets(b.tableWrites, a.tableReads)) return false;
  return true;
}

/** A Kernel draft that records the footprint of what runs on it. */
export class RecordingKernel extends TrackingKernel {
  constructor(base: KernelState, design: Design, readonly fp: Footprint) {
    super(base, design);
  }

  override get state(): KernelState {
    this.fp.all = true;
    return super.state;
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
    this.fp.writeRow(table, id);
    super.set(table, id, row);
  }

  override setLockdep(graph: number): void {
    this.fp.writes.add(LOCKDEP);
    this.fp.reads.add(LOCKDEP);
    super.setLockdep(graph);
  }

  override allocId(): number {
    this.fp.writes.add(NEXT_ID);
    this.fp.reads.add(NEXT_ID);
    return super.allocId();
  }

  override add<T extends TableName>(table: T, make: (id: number) => Row<T>): number {
    const id = super.add(table, make);
    this.fp.writeRow(table, id);
    this.fp.tableWrites.add(TABLE_INDEX.get(table)!);
    return id;
  }

  override remove(table: TableName, id: number): void {
    this.fp.writeRow(table, id);
    this.fp.tableWrites.add(TABLE_INDEX.get(table)!);
    super.remove(table, id);
  }

  override ids(table: TableName): number[] {
    this.fp.tableReads.add(TABLE_INDEX.get(table)!);
    return super.ids(table);
  }
}

/** A Kernel draft that notes the rows it writes (for fingerprints), recording its footprint into `fp` when one is given. */
export function draft(s: KernelState, design: Design, fp?: Footprint): Kernel {
  return fp ? new RecordingKernel(s, design, fp) : new TrackingKernel(s, design);
}
