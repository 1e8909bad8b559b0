/**
 * A visited set shared by the worker threads of one search: open addressing
 * over a SharedArrayBuffer of 64-bit slots, inserted with compare-and-swap,
 * so any worker may add a key and exactly one of them is told it was new.
 * The table does not grow (threads cannot agree on a move without a lock):
 * it is sized up front and refuses to fill past 7/8.
 *
 * Layout: slot i is a BigUint64 (hi << 32 | lo), 0 is empty (a key 0 is
 * stored as 1); the count lives in an Int32 of its own buffer.
 */
import type { KeySet } from './visited.js';

export interface SharedVisitedBuffers {
  readonly slots: SharedArrayBuffer;
  readonly count: SharedArrayBuffer;
}

/** Buffers for a set of 2^bits slots. */
export function sharedVisitedBuffers(bits: number): SharedVisitedBuffers {
  return { slots: new SharedArrayBuffer(8 * 2 ** bits), count: new SharedArrayBuffer(4) };
}

/** The set is full: raise the size (BARMAP_SHARED_BITS) or lower --max-states. */
export class VisitedFull extends Error {
  override name = 'VisitedFull';
}

export class SharedVisitedSet implements KeySet {
  private readonly slots: BigUint64Array;
  private readonly counter: Int32Array;
  private readonly mask: number;
  private readonly limit: number;

  constructor(b: SharedVisitedBuffers) {
    this.slots = new BigUint64Array(b.slots);
    this.counter = new Int32Array(b.count);
    this.mask = this.slots.length - 1;
    this.limit = Math.floor((this.slots.length * 7) / 8);
  }

  get size(): number {
    return Atomics.load(this.counter, 0);
  }

  /** Bytes the slots of the stored keys take at the current load (the table itself is preallocated). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  addKey(hiIn: number, loIn: number): boolean {
    const hi = hiIn >>> 0;
    const lo = hi === 0 && loIn === 0 ? 1 : loIn >>> 0;
    const key = (BigInt(hi) << 32n) | BigInt(lo);
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const prev = Atomics.compareExchange(this.slots, i, 0n, key);
      if (prev === 0n) {
        if (Atomics.add(this.counter, 0, 1) + 1 > this.limit) throw new VisitedFull(`the shared visited set is full (${this.limit} states)`);
        return true;
      }
      if (prev === key) return false;
      i = (i + 1) & this.mask;
    }
  }

  keys(): Uint32Array {
    const out = new Uint32Array(this.size * 2);
    let j = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const v = this.slots[i]!;
      if (v !== 0n) {
        out[j++] = Number(v >> 32n);
        out[j++] = Number(v & 0xffffffffn);
      }
    }
    return out;
  }
}
