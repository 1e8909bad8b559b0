/**
 * The set of visited fingerprints: open addressing over two Uint32Arrays.
 *
 * Eight bytes a slot, and the table grows by half when its load passes 4/5,
 * so the load stays between 8/15 and 4/5 and a stored state costs 10 to 15
 * bytes. The pair (0, 0) marks an empty slot; a fingerprint that is (0, 0)
 * is stored as (0, 1).
 */
import type { Fingerprint } from './fingerprint.js';

/** What the search needs of a set of 64-bit keys (two 32-bit halves). */
export interface KeySet {
  /** Add a key; true when it was not there before. */
  addKey(hi: number, lo: number): boolean;
  readonly size: number;
  /** Bytes the set holds. */
  readonly bytes: number;
  /** Every key, as (hi, lo) pairs. */
  keys(): Uint32Array;
}

export class VisitedSet implements KeySet {
  private hi: Uint32Array;
  private lo: Uint32Array;
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
    return this.hi.byteLength + this.lo.byteLength;
  }

  /** Add a fingerprint; true when it was not there before. */
  add(fp: Fingerprint): boolean {
    return this.addKey(fp.hi, fp.lo);
  }

  addKey(hiIn: number, loIn: number): boolean {
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
        return true;
      }
      if (h === hi && l === lo) return false;
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
    this.cap = Math.ceil(this.cap * 1.5);
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
    this.count = 0;
    for (let i = 0; i < oldHi.length; i++) {
      if (oldHi[i] !== 0 || oldLo[i] !== 0) this.addKey(oldHi[i]!, oldLo[i]!);
    }
  }
}
