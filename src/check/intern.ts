/**
 * Hash-consing of the rows and tables a step writes (src/check/
 * fingerprint.ts calls it with the hashes it computes anyway).
 *
 * The states of a search repeat a few row values endlessly: one level of
 * fork+reset's frontier held 105,063 row objects with only 277 distinct
 * values among them, each state built its own copies along its own path.
 * A written row (or a changed table) whose value was interned before is
 * replaced by the object interned then, so the frontier keeps each value
 * once, new objects die young, and tables that end up equal are the same
 * object (which the invariants' re-check test sees as unchanged).
 *
 * Values are matched by their 64-bit hash, as states are merged by theirs: a
 * collision would put one value for another, at the same odds as two states
 * merging (about v²/2⁶⁵ for v distinct values). Each interner holds at most
 * {@link INTERN_MAX} values and starts over when full, so it never keeps more
 * than that alive.
 */

/** Values an interner holds before it starts over. */
export const INTERN_MAX = 1 << 15;

/** Slots of a new interner's table (a power of two); most tables of the state take only a few values. */
const FIRST_SLOTS = 64;

/**
 * An open-addressing table of 64-bit hashes (two Int32Arrays) beside the
 * values, probed linearly from a home taken from the top bits of a
 * multiplicative hash of `hi`, at a load of at most a half. It replaced a Map
 * keyed by 53 bits of the hash, whose keys were heap numbers: a lookup there
 * cost about five times as much (60 against 13 ns a hit in a micro-benchmark),
 * on a path taken for every row a step writes.
 */
export class Interner<T> {
  private his = new Int32Array(FIRST_SLOTS);
  private los = new Int32Array(FIRST_SLOTS);
  /** The values by slot; `undefined` is an empty slot (so a value is never undefined). */
  private values: (T | undefined)[] = new Array<T | undefined>(FIRST_SLOTS).fill(undefined);
  /** 32 minus log2 of the slots: a home is the top bits of the multiplied hash. */
  private shift = 32 - Math.log2(FIRST_SLOTS);
  private count = 0;

  /** The value interned under hash (hi, lo), or `value` itself, which is interned if none was. */
  intern(hi: number, lo: number, value: T): T {
    hi |= 0;
    lo |= 0;
    const mask = this.values.length - 1;
    let i = Math.imul(hi, 0x9e3779b1) >>> this.shift;
    for (let v = this.values[i]; v !== undefined; v = this.values[i]) {
      if (this.his[i] === hi && this.los[i] === lo) return v;
      i = (i + 1) & mask;
    }
    if (this.count >= INTERN_MAX) this.reset(FIRST_SLOTS);
    else if (2 * (this.count + 1) <= this.values.length) {
      this.store(i, hi, lo, value);
      return value;
    } else this.reset(2 * this.values.length, true);
    this.store(this.emptySlot(hi), hi, lo, value);
    return value;
  }

  get size(): number {
    return this.count;
  }

  private store(i: number, hi: number, lo: number, value: T): void {
    this.his[i] = hi;
    this.los[i] = lo;
    this.values[i] = value;
    this.count++;
  }

  /** The first empty slot from `hi`'s home. */
  private emptySlot(hi: number): number {
    const mask = this.values.length - 1;
    let i = Math.imul(hi, 0x9e3779b1) >>> this.shift;
    while (this.values[i] !== undefined) i = (i + 1) & mask;
    return i;
  }

  /** A table of `slots` slots, empty or (with `keep`) holding the values held now. */
  private reset(slots: number, keep = false): void {
    const { his, los, values } = this;
    this.his = new Int32Array(slots);
    this.los = new Int32Array(slots);
    this.values = new Array<T | undefined>(slots).fill(undefined);
    this.shift = 32 - Math.log2(slots);
    this.count = 0;
    if (!keep) return;
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      if (v !== undefined) this.store(this.emptySlot(his[j]!), his[j]!, los[j]!, v);
    }
  }
}
