/**
 * A Kernel draft that notes which rows its step wrote, so that the
 * fingerprint of the next state is updated from those rows alone
 * (src/check/fingerprint.ts: {@link noteTableWrites}) and the search knows
 * which tables a transition wrote (invariants are re-checked only when a
 * table they read changed: src/check/invariants/types.ts).
 */
import { Kernel } from '../kernel/kernel.js';
import type { KernelState, Mutable, Row, TableName } from '../kernel/state.js';
import type { Design } from '../designs/types.js';
import { noteTableWrites } from './fingerprint.js';

export class TrackingKernel extends Kernel {
  /** Ids written (mut, set, add, remove), by table. */
  private readonly written = new Map<TableName, Set<number>>();

  constructor(private readonly base: KernelState, design: Design) {
    super(base, design);
  }

  private wrote(table: TableName, id: number): void {
    let ids = this.written.get(table);
    if (ids === undefined) this.written.set(table, (ids = new Set()));
    ids.add(id);
  }

  override mut<T extends TableName>(table: T, id: number): Mutable<Row<T>> {
    this.wrote(table, id);
    return super.mut(table, id);
  }

  override set<T extends TableName>(table: T, id: number, row: Row<T>): void {
    this.wrote(table, id);
    super.set(table, id, row);
  }

  override add<T extends TableName>(table: T, make: (id: number) => Row<T>): number {
    const id = super.add(table, make);
    this.wrote(table, id);
    return id;
  }

  override remove(table: TableName, id: number): void {
    this.wrote(table, id);
    super.remove(table, id);
  }

  /** The next state; every copied table gets its fingerprint sums from the rows written. */
  override finish(): KernelState {
    const s = super.finish();
    for (const [table, ids] of this.written) {
      if (s[table] !== this.base[table]) noteTableWrites(this.base[table], s[table], ids);
    }
    return s;
  }
}
