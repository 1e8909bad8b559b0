/**
 * A Kernel draft that notes which rows its step wrote, so that the
 * fingerprint of the next state is updated from those rows alone
 * (src/check/fingerprint.ts: {@link noteStateWrites}) and the search knows
 * which tables a transition wrote (invariants are re-checked only when a
 * table they read changed: src/check/invariants/types.ts).
 */
import { Kernel } from '../kernel/kernel.js';
import type { KernelState, Mutable, Row, TableName } from '../kernel/state.js';
import { TABLE_INDEX } from '../kernel/state.js';
import type { Design } from '../designs/types.js';
import { noteStateWrites } from './fingerprint.js';

export class TrackingKernel extends Kernel {
  /** Rows written (mut, set, add, remove) as flat (table index in TABLE_NAMES, id) pairs, each once. */
  protected readonly writtenRows: number[] = [];

  constructor(private readonly base: KernelState, design: Design) {
    super(base, design);
  }

  private wrote(table: TableName, id: number): void {
    const t = TABLE_INDEX.get(table)!;
    const w = this.writtenRows;
    for (let i = 0; i < w.length; i += 2) if (w[i] === t && w[i + 1] === id) return;
    w.push(t, id);
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

  /** The next state, whose fingerprint is updated from the rows written. */
  override finish(): KernelState {
    const s = super.finish();
    noteStateWrites(this.base, s, this.writtenRows);
    return s;
  }
}
