/**
 * The set of visited fingerprints: a Robin Hood hash table over quotiented
 * keys, 7 bytes a key and 2 or 4 bytes a front.
 *
 * A 64-bit key (hi, lo) is first turned into (h, lo) with h = hi ^ mix(lo),
 * a bijection, so that keys sharing hi still spread. Its home slot is
 * fastrange on h (h's top bits scaled to the capacity), so the home and the
 * low 16 bits of h name h exactly once the table has at least 2^16 slots
 * (two h with the same low 16 bits differ by 2^16 or more, which moves the
 * home by a slot or more). A slot stores lo (4 bytes), h's low 16 bits
 * (2 bytes) and 1 + its distance from home (1 byte; 0 is an empty slot);
 * the home is the slot less the distance. Nothing is hashed away: two keys
 * are the same key exactly when they sit in the same slot.
 *
 * Robin Hood insertion keeps the entries in the order of their homes, so a
 * lookup stops at the first slot whose entry is nearer its home than the
 * probe is to ours, and distances stay short at a high load (a mean of 6
 * and a longest of about 70 slots at 0.92 and a few million keys): the
 * table grows by a fifth when its load passes 0.92, so the load stays in
 * 0.77–0.92. A run of 255 slots past the last home takes the probes that
 * would wrap. Growth moves the entries in one pass, nearly all to the end
 * of those moved already. More than 255 keys on one home (fingerprints
 * that are not spread) throw rather than grow the table without end.
 *
 * A search with the reduction also keeps a front per key (the kept variants
 * of the state, src/check/dominance.ts: eight nibbles, 1 + the fewest
 * preemptions of a kept node), allocated on the first front stored. Under a
 * preemption bound of 2 or less a nibble is at most 3, so the front is kept
 * as eight 2-bit fields in 16 bits; past that, or once a wider front is
 * stored, as the 32-bit front. With 16-bit fronts a slot is 9 bytes and a
 * stored state costs 9.8 to 11.7 bytes; without fronts 7.6 to 9.1.
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

export interface VisitedSetOptions {
  /** Slots to start with (at least 2^16, the fewest that quotienting allows). */
  readonly capacity?: number;
  /** The search's preemption bound: at 2 or less the fronts start 16 bits wide. */
  readonly preemptionBound?: number;
}

/** The fewest slots: below 2^16 the home and 16 bits of h no longer name h. */
const MIN_CAP = 1 << 16;
/** Largest stored distance (1 + slots from home), and so the slots past the last home. */
const MAX_DIST = 255;
const MAX_LOAD = 0.92;
const GROWTH = 1.2;
/** Nibbles of a front that a 2-bit field cannot hold (a value above 3). */
const WIDE_NIBBLES = 0xcccccccc;

/**
 * The bijective scramble of hi by lo (an involution: mixed(mixed(hi, lo), lo)
 * = hi) whose top bits pick a key's home. Exported for the tests that crowd
 * keys into one home.
 */
export function mixed(hi: number, lo: number): number {
  return (hi ^ Math.imul(lo ^ (lo >>> 16), 0x9e3779b1)) >>> 0;
}

/** The eight nibbles of a front (each at most 3) as eight 2-bit fields. */
function narrowed(front: number): number {
  let x = front & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  return (x | (x >>> 8)) & 0xffff;
}

/** The front held in eight 2-bit fields, back as eight nibbles. */
function widened(field: number): number {
  let x = (field | (field << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  return ((x | (x << 2)) & 0x33333333) >>> 0;
}

/** The home slot of h in `cap` slots: (h >>> 11) * cap stays below 2^53, so this is exact. */
function homeOf(h: number, cap: number): number {
  return Math.floor((h >>> 11) * cap / 2097152);
}

/**
 * The h whose low 16 bits are `low` and whose home is `home`. With a =
 * cap / 2^16 (at least 1), h's top 16 bits t make the home floor(t * a + r)
 * with 0 <= r < a, so t is floor(home / a) or one more; the homes of
 * successive t differ, so exactly one fits.
 */
function hAt(home: number, low: number, cap: number): number {
  const t0 = Math.floor(home * 65536 / cap);
  const h = ((t0 << 16) | low) >>> 0;
  if (homeOf(h, cap) === home) return h;
  if (t0 < 65535 && homeOf(h + 65536, cap) === home) return h + 65536;
  throw new Error(`visited set: no key has home ${home} and low bits ${low} in ${cap} slots`);
}

/** The low half of key (hi, lo) as stored: (0, 0) is stored as (0, 1). */
function storedLo(hi: number, lo: number): number {
  return (hi | lo) === 0 ? 1 : lo >>> 0;
}

/** A table's arrays, as growth reads them. */
interface Table {
  readonly cap: number;
  readonly lo: Uint32Array;
  readonly q: Uint16Array;
  readonly dist: Uint8Array;
  readonly front16: Uint16Array | null;
  readonly front32: Uint32Array | null;
}

export class VisitedSet implements KeySet {
  /**
   * Slots that are homes. The arrays have MAX_DIST more: the slots a probe
   * from the last homes reaches, and one that stays empty to end every probe.
   */
  private cap: number;
  private lo: Uint32Array;
  /** The low 16 bits of h = mixed(hi, lo). */
  private q: Uint16Array;
  /** 1 + the slot's distance from its home; 0: empty. */
  private dist: Uint8Array;
  /** Fronts as 2-bit fields, while every front fits. */
  private front16: Uint16Array | null = null;
  /** Fronts as nibbles. */
  private front32: Uint32Array | null = null;
  /** Whether the first fronts stored are 32 bits (a bound past 2). */
  private wide: boolean;
  private count = 0;
  private limit: number;

  constructor(opts: VisitedSetOptions = {}) {
    this.cap = Math.max(MIN_CAP, Math.ceil(opts.capacity ?? MIN_CAP));
    this.wide = !(opts.preemptionBound !== undefined && opts.preemptionBound <= 2);
    const n = this.cap + MAX_DIST;
    this.lo = new Uint32Array(n);
    this.q = new Uint16Array(n);
    this.dist = new Uint8Array(n);
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.lo.byteLength + this.q.byteLength + this.dist.byteLength +
      (this.front16?.byteLength ?? 0) + (this.front32?.byteLength ?? 0);
  }

  /** Add a fingerprint; true when it was not there before. */
  add(fp: Fingerprint): boolean {
    return this.addKey(fp.hi, fp.lo);
  }

  addKey(hi: number, lo: number): boolean {
    const n = this.count;
    this.slotOf(hi, lo);
    return this.count > n;
  }

  visit(hi: number, lo: number, slot: number, pre: number): boolean {
    const i = this.slotOf(hi, lo);
    const f = this.frontAt(i);
    if (dominated(f, slot, pre)) return false;
    this.setFront(i, withNode(f, slot, pre));
    return true;
  }

  frontOf(hi: number, lo: number): number {
    return this.frontAt(this.slotOf(hi, lo));
  }

  insert(hi: number, lo: number, front: number): void {
    const i = this.slotOf(hi, lo);
    if (front !== 0) this.setFront(i, front >>> 0);
  }

  has(fp: Fingerprint): boolean {
    return this.find(fp.hi, fp.lo) >= 0;
  }

  fronts(): Uint32Array {
    const out = new Uint32Array(this.count);
    let j = 0;
    for (let i = 0; i < this.dist.length; i++) if (this.dist[i] !== 0) out[j++] = this.frontAt(i);
    return out;
  }

  keys(): Uint32Array {
    const out = new Uint32Array(this.count * 2);
    let j = 0;
    for (let i = 0; i < this.dist.length; i++) {
      if (this.dist[i] === 0) continue;
      const lo = this.lo[i]!;
      out[j++] = mixed(hAt(i - this.dist[i]! + 1, this.q[i]!, this.cap), lo);
      out[j++] = lo;
    }
    return out;
  }

  private frontAt(i: number): number {
    if (this.front16 !== null) return widened(this.front16[i]!);
    return this.front32 === null ? 0 : this.front32[i]!;
  }

  private setFront(i: number, front: number): void {
    if (this.front16 === null && this.front32 === null) {
      if (this.wide) this.front32 = new Uint32Array(this.dist.length);
      else this.front16 = new Uint16Array(this.dist.length);
    }
    if (this.front16 !== null) {
      if ((front & WIDE_NIBBLES) === 0) {
        this.front16[i] = narrowed(front);
        return;
      }
      // A nibble past 3 (more preemptions than the bound said): every front widens, exactly.
      const wider = new Uint32Array(this.front16.length);
      for (let j = 0; j < wider.length; j++) wider[j] = widened(this.front16[j]!);
      this.front16 = null;
      this.front32 = wider;
      this.wide = true;
    }
    this.front32![i] = front;
  }

  /** The slot of key (hi, lo), or -1 when absent. */
  private find(hi: number, loIn: number): number {
    const lo = storedLo(hi, loIn);
    const at = this.probe(mixed(hi >>> 0, lo), lo);
    return at >= 0 ? at : -1;
  }

  /**
   * Where a probe for (h, lo) ends: the key's slot, or ~i for the slot i
   * where it would go (the first whose entry is nearer its home than i is
   * to the key's: Robin Hood order), at distance i - home + 1.
   */
  private probe(h: number, lo: number): number {
    const dist = this.dist;
    const low = h & 0xffff;
    for (let i = homeOf(h, this.cap), d = 1; ; i++, d++) {
      const sd = dist[i]!;
      if (sd < d) return ~i;
      if (sd === d && this.lo[i] === lo && this.q[i] === low) return i;
    }
  }

  /** The slot of a key, inserted when absent. */
  private slotOf(hi: number, loIn: number): number {
    const lo = storedLo(hi, loIn);
    if (this.count >= this.limit) this.grow(false);
    const h = mixed(hi >>> 0, lo);
    for (;;) {
      const at = this.probe(h, lo);
      if (at >= 0) return at;
      const i = ~at;
      const d = i - homeOf(h, this.cap) + 1;
      if (d <= MAX_DIST && this.place(i, d, lo, h & 0xffff, 0) >= 0) {
        this.count++;
        return i;
      }
      this.grow(true);
    }
  }

  /**
   * Put an entry at slot i, distance d, moving the entries from i up to the
   * next empty slot one slot on (each further from home: Robin Hood).
   * The slot that was that next empty one, or -1, with nothing changed, when
   * an entry would pass MAX_DIST.
   */
  private place(i: number, d: number, lo: number, low: number, front: number): number {
    const dist = this.dist;
    let e = i;
    for (let sd = dist[e]!; sd !== 0; sd = dist[++e]!) if (sd === MAX_DIST) return -1;
    const los = this.lo;
    const q = this.q;
    for (let j = e; j > i; j--) {
      los[j] = los[j - 1]!;
      q[j] = q[j - 1]!;
      dist[j] = dist[j - 1]! + 1;
    }
    los[i] = lo;
    q[i] = low;
    dist[i] = d;
    const f16 = this.front16;
    const f32 = this.front32;
    if (f16 !== null) {
      for (let j = e; j > i; j--) f16[j] = f16[j - 1]!;
      f16[i] = front;
    } else if (f32 !== null) {
      for (let j = e; j > i; j--) f32[j] = f32[j - 1]!;
      f32[i] = front;
    }
    return e;
  }

  /**
   * Grow by a fifth (more while some home overflows) and move every entry.
   * `crowded`: a probe passed MAX_DIST, which at a low load means the keys
   * are not spread (more than 255 share a home) and growing cannot help.
   */
  private grow(crowded: boolean): void {
    if (crowded && this.count < this.cap / 4) {
      throw new Error(`visited set: ${MAX_DIST} keys probe from one home at load ${(this.count / this.cap).toFixed(2)}; the fingerprints are not spread`);
    }
    const old: Table = { cap: this.cap, lo: this.lo, q: this.q, dist: this.dist, front16: this.front16, front32: this.front32 };
    const n = this.count;
    for (let cap = Math.ceil(old.cap * GROWTH); ; cap = Math.ceil(cap * GROWTH)) {
      this.cap = cap;
      const len = cap + MAX_DIST;
      this.lo = new Uint32Array(len);
      this.q = new Uint16Array(len);
      this.dist = new Uint8Array(len);
      this.front16 = old.front16 && new Uint16Array(len);
      this.front32 = old.front32 && new Uint32Array(len);
      if (this.moved(old)) break;
    }
    this.count = n;
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  /**
   * Move the entries of the old arrays into this table's; false when a
   * distance passes MAX_DIST. The old table holds its entries in the order
   * of their homes, which is nearly that of the new homes (both rise with
   * h), so most go at the end of what is placed already.
   */
  private moved(old: Table): boolean {
    const { lo, q, dist, cap } = this;
    const oldDist = old.dist;
    const oldQ = old.q;
    const oldLo = old.lo;
    const oldFront: Uint16Array | Uint32Array | null = old.front16 ?? old.front32;
    const newFront: Uint16Array | Uint32Array | null = this.front16 ?? this.front32;
    /** The first slot past every entry placed, and the home of the last one placed there. */
    let end = 0;
    let lastHome = 0;
    for (let i = 0; i < oldDist.length; i++) {
      const sd = oldDist[i]!;
      if (sd === 0) continue;
      const h = hAt(i - sd + 1, oldQ[i]!, old.cap);
      const home = homeOf(h, cap);
      const front = oldFront === null ? 0 : oldFront[i]!;
      if (home >= lastHome) {
        const j = home > end ? home : end;
        const d = j - home + 1;
        if (d > MAX_DIST) return false;
        lo[j] = oldLo[i]!;
        q[j] = h & 0xffff;
        dist[j] = d;
        if (newFront !== null) newFront[j] = front;
        end = j + 1;
        lastHome = home;
        continue;
      }
      // The entries are distinct: the slot is the first whose entry is nearer its home.
      let j = home;
      let d = 1;
      while (dist[j]! >= d) {
        j++;
        d++;
      }
      const e = d > MAX_DIST ? -1 : this.place(j, d, oldLo[i]!, h & 0xffff, front);
      if (e < 0) return false;
      if (e >= end) end = e + 1;
    }
    return true;
  }
}
