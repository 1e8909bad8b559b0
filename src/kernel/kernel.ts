/**
 * A copy-on-write draft of the kernel state, handed to every step.
 *
 * `get` reads the row as it is; `mut` returns a private shallow copy of the
 * row that is installed in the draft's table on first write, so one step
 * copies each row it touches once and shares the rest with the state it came
 * from. Nested data (VMA arrays, page tables, fd arrays) is immutable: a
 * writer replaces it with a new value instead of editing it in place.
 */
import type { ArchProfile } from '../arch/types.js';
import { archProfile } from '../arch/profiles.js';
import type { KernelState, Mutable, Row, TableName, Tables } from './state.js';
import { TABLE_INDEX } from './state.js';
import type { TraceEvent } from './events.js';
import type { Design } from '../designs/types.js';

export class Kernel {
  /** The state as it stands; the base itself until the first write copies it. */
  private root: KernelState;
  private ownRoot = false;
  /** Tables already copied in this draft (bit i for TABLE_NAMES[i]). */
  private ownTables = 0;
  /** Rows already copied in this draft (a step copies a handful: a list beats a set). */
  private readonly ownRows: object[] = [];
  readonly arch: ArchProfile;
  /** Events this draft emitted, in order; the trace reads them. */
  readonly events: TraceEvent[] = [];

  constructor(base: KernelState, readonly design: Design) {
    this.root = base;
    this.arch = archProfile(base.arch);
  }

  /** The state as it stands now (do not keep it across writes). */
  get state(): KernelState {
    return this.root;
  }

  /** Finish the draft: the next immutable state (the base itself when nothing was written). */
  finish(): KernelState {
    return this.root;
  }

  get<T extends TableName>(table: T, id: number): Row<T> {
    const row = (this.root[table] as Record<number, Row<T>>)[id];
    if (row === undefined) throw new ModelError(`${table}[${id}] does not exist (use after free?)`);
    return row;
  }

  find<T extends TableName>(table: T, id: number): Row<T> | undefined {
    return (this.root[table] as Record<number, Row<T>>)[id];
  }

  /** A writable copy of a row, installed in the draft. */
  mut<T extends TableName>(table: T, id: number): Mutable<Row<T>> {
    const t = this.tableForWrite(table);
    const row = t[id];
    if (row === undefined) throw new ModelError(`${table}[${id}] does not exist (use after free?)`);
    if (this.ownRows.includes(row as object)) return row as Mutable<Row<T>>;
    const copy = Array.isArray(row) ? [...row] : { ...(row as object) };
    this.ownRows.push(copy);
    t[id] = copy as Row<T>;
    return copy as Mutable<Row<T>>;
  }

  /** Replace a row whole (for scalar rows such as page reference counts). */
  set<T extends TableName>(table: T, id: number, row: Row<T>): void {
    this.tableForWrite(table)[id] = row;
  }

  /** Whether a historical bug is switched on (src/designs/defects.ts). */
  defect(name: string): boolean {
    return this.root.defects.includes(name);
  }

  /** Record the lock-order graph (see src/kernel/locking/lockdep.ts). */
  setLockdep(graph: number): void {
    this.rootForWrite().lockdep = graph;
  }

  /** A fresh id; ids are never reused. */
  allocId(): number {
    const root = this.rootForWrite();
    const id = root.nextId;
    root.nextId = id + 1;
    return id;
  }

  /** Insert a new row under a fresh id and return the id. */
  add<T extends TableName>(table: T, make: (id: number) => Row<T>): number {
    const id = this.allocId();
    const row = make(id);
    this.tableForWrite(table)[id] = row;
    if (typeof row === 'object' && row !== null) this.ownRows.push(row as object);
    return id;
  }

  remove(table: TableName, id: number): void {
    delete this.tableForWrite(table)[id];
  }

  ids(table: TableName): number[] {
    return Object.keys(this.root[table]).map(Number);
  }

  emit(event: TraceEvent): void {
    this.events.push(event);
  }

  private rootForWrite(): Mutable<KernelState> {
    if (!this.ownRoot) {
      this.ownRoot = true;
      this.root = { ...this.root };
    }
    return this.root as Mutable<KernelState>;
  }

  private tableForWrite<T extends TableName>(table: T): Record<number, Row<T>> {
    const bit = 1 << TABLE_INDEX.get(table)!;
    if ((this.ownTables & bit) === 0) {
      this.ownTables |= bit;
      (this.rootForWrite() as Record<TableName, Tables[TableName]>)[table] = { ...this.root[table] };
    }
    return this.root[table] as Record<number, Row<T>>;
  }
}

/** A broken model invariant (a bug in barmap or in a design), never a user error. */
export class ModelError extends Error {
  override name = 'ModelError';
}
