/**
 * The set of visited fingerprints: open addressing over two Uint32Arrays.
 *
 * Eight bytes a slot and a load factor kept at or below 1/2 to 3/4 between
 * growths, so a stored state costs 8–16 bytes. The pair (0, 0) marks an
 * empty slot; a fingerprint that is (0, 0) is stored as (0, 1).
 */
import type { Fingerprint } from './fingerprint.js';

export class VisitedSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(capacityPow2 = 1 << 16) {
    this.hi = new Uint32Array(capacityPow2);
    this.lo = new Uint32Array(capacityPow2);
    this.mask = capacityPow2 - 1;
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
    const hi = fp.hi;
    const lo = fp.hi === 0 && fp.lo === 0 ? 1 : fp.lo;
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
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
      i = (i + 1) & this.mask;
    }
  }

  has(fp: Fingerprint): boolean {
    const hi = fp.hi;
    const lo = fp.hi === 0 && fp.lo === 0 ? 1 : fp.lo;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = this.hi[i]!;
      const l = this.lo[i]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const cap = (this.mask + 1) * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < oldHi.length; i++) {
      if (oldHi[i] !== 0 || oldLo[i] !== 0) this.add({ hi: oldHi[i]!, lo: oldLo[i]! });
    }
  }
}
