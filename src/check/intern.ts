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

interface Entry<T> {
  readonly lo: number;
  readonly value: T;
}

export class Interner<T> {
  private readonly map = new Map<number, Entry<T>>();

  /** The value interned under hash (hi, lo), or `value` itself, which is interned if none was. */
  intern(hi: number, lo: number, value: T): T {
    // 32 + 21 bits as an exact Map key; the rest of `lo` is checked.
    const key = (hi >>> 0) * 2097152 + (lo >>> 11);
    const hit = this.map.get(key);
    if (hit !== undefined && hit.lo === lo) return hit.value;
    if (this.map.size >= INTERN_MAX) this.map.clear();
    this.map.set(key, { lo, value });
    return value;
  }

  get size(): number {
    return this.map.size;
  }
}
