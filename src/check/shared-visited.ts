/**
 * A visited set shared by the worker threads of one search: open addressing
 * over a SharedArrayBuffer of 64-bit slots, inserted with compare-and-swap,
 * so any worker may add a key and exactly one of them is told it was new.
 * The table does not grow (threads cannot agree on a move without a lock):
 * it is sized up front and refuses to fill past 7/8.
 *
 * Layout: slot i is two Int32s, the key's high half at 2i and its low half
 * at 2i + 1; neither half of a stored key is 0 (a 0 half is stored as 1,
 * which merges a key with at most three others, far below the fingerprint's
 * own collision odds). A writer claims an empty slot by compare-and-swap on
 * the high half, then stores the low half; a reader that finds its high half
 * with the low half still 0 waits for it. No BigInt: a 32-bit
 * compare-and-swap allocates nothing. The count lives in an Int32 of its own
 * buffer. With the reduction, slot i's front (src/check/dominance.ts) is the
 * Int32 i of a third buffer, updated by compare-and-swap: a node is kept only
 * when the front it read did not dominate it and its own entry went in
 * unchanged.
 */
import type { KeySet } from './visited.js';
import { dominated, withNode } from './dominance.js';

export interface SharedVisitedBuffers {
  readonly slots: SharedArrayBuffer;
  readonly count: SharedArrayBuffer;
  readonly fronts: SharedArrayBuffer;
}

/** Buffers for a set of 2^bits slots (pages are committed only as they are touched). */
export function sharedVisitedBuffers(bits: number): SharedVisitedBuffers {
  return { slots: new SharedArrayBuffer(8 * 2 ** bits), count: new SharedArrayBuffer(4), fronts: new SharedArrayBuffer(4 * 2 ** bits) };
}

/** The set is full: raise the size (BARMAP_SHARED_BITS) or lower --max-states. */
export class VisitedFull extends Error {
  override name = 'VisitedFull';
}

export class SharedVisitedSet implements KeySet {
  private readonly slots: Int32Array;
  private readonly counter: Int32Array;
  private readonly front: Int32Array;
  private readonly mask: number;
  private readonly limit: number;

  constructor(b: SharedVisitedBuffers) {
    this.slots = new Int32Array(b.slots);
    this.counter = new Int32Array(b.count);
    this.front = new Int32Array(b.fronts);
    this.mask = this.slots.length / 2 - 1;
    this.limit = Math.floor(((this.mask + 1) * 7) / 8);
  }

  get size(): number {
    return Atomics.load(this.counter, 0);
  }

  /** Bytes the slots of the stored keys take at the current load (the table itself is preallocated). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  addKey(hiIn: number, loIn: number): boolean {
    return this.slotOf(hiIn, loIn) >= 0;
  }

  visit(hi: number, lo: number, slot: number, pre: number): boolean {
    const i = this.slotOf(hi, lo);
    const at = i >= 0 ? i : ~i;
    for (;;) {
      const f = Atomics.load(this.front, at);
      if (dominated(f >>> 0, slot, pre)) return false;
      if (Atomics.compareExchange(this.front, at, f, withNode(f >>> 0, slot, pre) | 0) === f) return true;
    }
  }

  frontOf(hi: number, lo: number): number {
    const i = this.slotOf(hi, lo);
    return Atomics.load(this.front, i >= 0 ? i : ~i) >>> 0;
  }

  insert(hi: number, lo: number, front: number): void {
    const i = this.slotOf(hi, lo);
    const at = i >= 0 ? i : ~i;
    for (;;) {
      const f = Atomics.load(this.front, at);
      // Moving a worker's own set in before the split: the fronts of one state merge slot by slot.
      const merged = mergeFronts(f >>> 0, front);
      if (Atomics.compareExchange(this.front, at, f, merged | 0) === f) return;
    }
  }

  fronts(): Uint32Array {
    const out = new Uint32Array(this.size);
    let j = 0;
    for (let i = 0; i <= this.mask; i++) if (this.slots[2 * i] !== 0) out[j++] = Atomics.load(this.front, i) >>> 0;
    return out;
  }

  /** The slot of a key: i when this call inserted it, ~i when it was there. */
  private slotOf(hiIn: number, loIn: number): number {
    const hi = storedHalf(hiIn) | 0;
    const lo = storedHalf(loIn) | 0;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const prev = Atomics.compareExchange(this.slots, 2 * i, 0, hi);
      if (prev === 0) {
        Atomics.store(this.slots, 2 * i + 1, lo);
        if (Atomics.add(this.counter, 0, 1) + 1 > this.limit) throw new VisitedFull(`the shared visited set is full (${this.limit} states)`);
        return i;
      }
      if (prev === hi) {
        let l = Atomics.load(this.slots, 2 * i + 1);
        // The writer that claimed the slot has not stored the low half yet.
        while (l === 0) l = Atomics.load(this.slots, 2 * i + 1);
        if (l === lo) return ~i;
      }
      i = (i + 1) & this.mask;
    }
  }

  keys(): Uint32Array {
    const out = new Uint32Array(this.size * 2);
    let j = 0;
    for (let i = 0; i <= this.mask; i++) {
      const h = this.slots[2 * i]!;
      if (h !== 0) {
        out[j++] = h >>> 0;
        out[j++] = Atomics.load(this.slots, 2 * i + 1) >>> 0;
      }
    }
    return out;
  }
}

/** A half of a key as the set stores it: 0 marks an empty slot, so a 0 half is stored as 1. */
export function storedHalf(half: number): number {
  return half === 0 ? 1 : half;
}

/** Two fronts of one state as one: per slot the fewer preemptions. */
export function mergeFronts(a: number, b: number): number {
  let out = 0;
  for (let j = 0; j < 8; j++) {
    const x = (a >>> (4 * j)) & 15;
    const y = (b >>> (4 * j)) & 15;
    const v = x === 0 ? y : y === 0 ? x : Math.min(x, y);
    out |= v << (4 * j);
  }
  return out >>> 0;
}
