/**
 * The set of visited fingerprints: open addressing over two Uint32Arrays.
 *
 * Eight bytes a slot, and the table grows by half when its load passes 4/5,
 * so the load stays between 8/15 and 4/5 and a stored state costs 10 to 15
 * bytes. The pair (0, 0) marks an empty slot; a fingerprint that is (0, 0)
 * is stored as (0, 1). A search with the reduction also keeps a 32-bit
 * front per key (the kept variants of the state, src/check/dominance.ts):
 * 4 bytes more a slot, allocated on the first {@link VisitedSet.visit}.
 */
import type { Fingerprint } from './fingerprint.js';
import { dominated, withNode } from './dominance.js';

/** What the search needs of a set of 64-bit keys (two 32-bit halves). */
export interface KeySet {
  /** Add a key; true when it was not there before. */
  addKey(hi: number, lo: number): boolean;
  /**
   * Add a node of state (hi, lo) with front slot `slot` and `pre`
   * preemptions spent (src/check/dominance.ts); true when no node kept
   * before dominates it, and then it is kept in the state's front.
   */
  visit(hi: number, lo: number, slot: number, pre: number): boolean;
  /** The front of a key that is in the set. */
  frontOf(hi: number, lo: number): number;
  /** Every key's front, in the order of {@link keys} (0 where none was kept). */
  fronts(): Uint32Array;
  /** Add a key with a front (moving a set into another). */
  insert(hi: number, lo: number, front: number): void;
  readonly size: number;
  /** Bytes the set holds. */
  readonly bytes: number;
  /** Every key, as (hi, lo) pairs. */
  keys(): Uint32Array;
}

export class VisitedSet implements KeySet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private front: Uint32Array | null = null;
  private cap: number;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.cap = Math.max(4, capacity);
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + (this.front?.byteLength ?? 0);
  }

  /** Add a fingerprint; true when it was not there before. */
  add(fp: Fingerprint): boolean {
    return this.addKey(fp.hi, fp.lo);
  }

  addKey(hiIn: number, loIn: number): boolean {
    const n = this.count;
    this.slotOf(hiIn, loIn);
    return this.count > n;
  }

  visit(hi: number, lo: number, slot: number, pre: number): boolean {
    this.front ??= new Uint32Array(this.cap);
    const i = this.slotOf(hi, lo);
    // slotOf may have grown the table: read the front after it.
    const front = this.front;
    const f = front[i]!;
    if (dominated(f, slot, pre)) return false;
    front[i] = withNode(f, slot, pre);
    return true;
  }

  frontOf(hi: number, lo: number): number {
    return this.front?.[this.slotOf(hi, lo)] ?? 0;
  }

  insert(hi: number, lo: number, front: number): void {
    const i = this.slotOf(hi, lo);
    if (front !== 0) (this.front ??= new Uint32Array(this.cap))[i] = front;
  }

  fronts(): Uint32Array {
    const out = new Uint32Array(this.count);
    let j = 0;
    for (let i = 0; i < this.hi.length; i++) if (this.hi[i] !== 0 || this.lo[i] !== 0) out[j++] = this.front?.[i] ?? 0;
    return out;
  }

  /** The slot of a key, inserted when absent. */
  private slotOf(hiIn: number, loIn: number): number {
    const hi = hiIn >>> 0;
    const lo = hi === 0 && loIn === 0 ? 1 : loIn >>> 0;
    if ((this.count + 1) * 5 > this.cap * 4) this.grow();
    let i = ((lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0) % this.cap;
    for (;;) {
      const h = this.hi[i]!;
      const l = this.lo[i]!;
      if (h === 0 && l === 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.count++;
        return i;
      }
      if (h === hi && l === lo) return i;
      i = i + 1 === this.cap ? 0 : i + 1;
    }
  }

  has(fp: Fingerprint): boolean {
    const hi = fp.hi >>> 0;
    const lo = hi === 0 && fp.lo === 0 ? 1 : fp.lo >>> 0;
    let i = ((lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0) % this.cap;
    for (;;) {
      const h = this.hi[i]!;
      const l = this.lo[i]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      i = i + 1 === this.cap ? 0 : i + 1;
    }
  }

  keys(): Uint32Array {
    const out = new Uint32Array(this.count * 2);
    let j = 0;
    for (let i = 0; i < this.hi.length; i++) {
      if (this.hi[i] !== 0 || this.lo[i] !== 0) {
        out[j++] = this.hi[i]!;
        out[j++] = this.lo[i]!;
      }
    }
    return out;
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const oldFront = this.front;
    this.cap = Math.ceil(this.cap * 1.5);
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
    this.front = oldFront ? new Uint32Array(this.cap) : null;
    this.count = 0;
    for (let i = 0; i < oldHi.length; i++) {
      if (oldHi[i] === 0 && oldLo[i] === 0) continue;
      const j = this.slotOf(oldHi[i]!, oldLo[i]!);
      if (oldFront) this.front![j] = oldFront[i]!;
    }
  }
}
