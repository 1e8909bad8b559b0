/**
 * 64-bit fingerprints of kernel states.
 *
 * A state shares most of its rows with the state it came from (see
 * src/kernel/kernel.ts). A table hashes as the sum of one mixed hash per
 * (id, row) pair, and that sum is kept per table object: a draft that copied
 * a table (src/check/tracking-kernel.ts) hands over the ids its step wrote,
 * and the new table's sum is the old one minus the old rows' pairs plus the
 * new rows' ({@link noteTableWrites}), never re-summed over unchanged rows.
 * Rows and nested objects are cached by identity when they are big enough
 * that re-hashing costs more than a lookup ({@link CACHE_WORK}). The hash is
 * structural and canonical — independent of the order object keys were added in, so two
 * equal states hash alike however their objects were built — and it covers
 * everything that decides a state's future (objects hash as an
 * order-independent sum over their key/value pairs, arrays in order; see
 * {@link hashValue}). It leaves out `nextId`: two
 * states equal but for the next free id have the same futures up to the
 * names of objects not yet created.
 *
 * The two 32-bit lanes use different seeds and multipliers (murmur3's
 * finaliser mixing), giving a 64-bit fingerprint; as in TLC, a collision
 * (about n²/2⁶⁵ for n states) would merge two distinct states.
 */
import type { KernelState } from '../kernel/state.js';
import { TABLE_NAMES } from '../kernel/state.js';

export interface Fingerprint {
  readonly hi: number;
  readonly lo: number;
}

const cache = new WeakMap<object, Fingerprint>();

/** Per table object: its row count and the two lanes' sums of (id, row) pair hashes. */
interface TableSum {
  readonly n: number;
  readonly hi: number;
  readonly lo: number;
}
const tableSums = new WeakMap<object, TableSum>();

/**
 * An object is cached when hashing it took at least this many values (its
 * own and its children's, a cached child counting one): a WeakMap entry
 * costs more than re-hashing a few values, and the collector traces every
 * entry as an ephemeron.
 */
const CACHE_WORK = 24;
/** Values hashed so far (for {@link CACHE_WORK}). */
let work = 0;

function mix(h: number, v: number, m: number): number {
  let x = Math.imul(v, m);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  h ^= x;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const M_HI = 0xcc9e2d51;
const M_LO = 0x2545f491;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Hashes of strings seen so far (keys and names repeat endlessly). */
const strings = new Map<string, Fingerprint>();

function hashString(v: string): Fingerprint {
  const hit = strings.get(v);
  if (hit) return hit;
  let hi = 0x9747b28c ^ 2;
  let lo = 0x3c6ef372 ^ 2;
  hi = mix(hi, v.length, M_HI);
  lo = mix(lo, v.length, M_LO);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    hi = mix(hi, c, M_HI);
    lo = mix(lo, c, M_LO);
  }
  const fp = { hi: fmix(hi) >>> 0, lo: fmix(lo) >>> 0 };
  if (strings.size < 1 << 16) strings.set(v, fp);
  return fp;
}

/** The last hash {@link hv} computed, in two lanes (no allocation for primitives). */
let outHi = 0;
let outLo = 0;

function setPair(tag: number, a: number, b: number): void {
  outHi = fmix(mix(mix(mix(0x9747b28c, tag, M_HI), a, M_HI), b, M_HI)) >>> 0;
  outLo = fmix(mix(mix(mix(0x3c6ef372, tag, M_LO), a, M_LO), b, M_LO)) >>> 0;
}

/** The two lanes of the hash of one (key, value) pair of an object, from the key's and value's hashes. */
function pairHi(key: number, vHi: number, vLo: number): number {
  return fmix(mix(mix(mix(0x2a, key, M_HI), vHi, M_HI), vLo, M_HI));
}

function pairLo(key: number, vHi: number, vLo: number): number {
  return fmix(mix(mix(mix(0x2b, key, M_LO), vHi, M_LO), vLo, M_LO));
}

/** An object's hash lanes (before the final fmix) from its key count and pair sums. */
function objectHi(n: number, sum: number): number {
  return mix(mix(mix(0x9747b28c, 8, M_HI), n, M_HI), sum, M_HI);
}

function objectLo(n: number, sum: number): number {
  return mix(mix(mix(0x3c6ef372, 8, M_LO), n, M_LO), sum, M_LO);
}

/** Hashes of the row ids (table keys) as strings, by id. */
const idHashes: Fingerprint[] = [];

function hashId(id: number): Fingerprint {
  if (id >= 0 && id < 1 << 20 && (id | 0) === id) return (idHashes[id] ??= hashString(String(id)));
  return hashString(String(id));
}

/** A table's row count and pair sums, from scratch (over every row). */
function sumTable(t: Readonly<Record<number, unknown>>): TableSum {
  let hi = 0;
  let lo = 0;
  let n = 0;
  for (const key in t) {
    const hk = hashId(Number(key));
    hv(t[key as unknown as number]);
    hi = (hi + pairHi(hk.hi, outHi, outLo)) | 0;
    lo = (lo + pairLo(hk.lo, outHi, outLo)) | 0;
    n++;
  }
  return { n, hi, lo };
}

/** Hash a table into (outHi, outLo): from its kept sums when a draft handed them over, else over every row. */
function hashTable(t: Readonly<Record<number, unknown>>): void {
  let sum = tableSums.get(t);
  if (sum === undefined) tableSums.set(t, (sum = sumTable(t)));
  // The same value hv gives the table as a plain object.
  outHi = fmix(objectHi(sum.n, sum.hi)) >>> 0;
  outLo = fmix(objectLo(sum.n, sum.lo)) >>> 0;
}

/**
 * A draft copied table `before` into `after` and wrote the rows `ids` (set,
 * added or removed): keep the new table's sums, updated from those rows
 * alone. Nothing is kept when the old table's sums are not known (the first
 * fingerprint then sums the table once). Rows must not change after this.
 */
export function noteTableWrites(before: Readonly<Record<number, unknown>>, after: Readonly<Record<number, unknown>>, ids: Iterable<number>): void {
  const old = tableSums.get(before);
  if (old === undefined || tableSums.has(after)) return;
  let { n, hi, lo } = old;
  for (const id of ids) {
    const hk = hashId(id);
    const was = before[id];
    const now = after[id];
    if (was === now) continue;
    if (was !== undefined) {
      hv(was);
      hi = (hi - pairHi(hk.hi, outHi, outLo)) | 0;
      lo = (lo - pairLo(hk.lo, outHi, outLo)) | 0;
      n--;
    }
    if (now !== undefined) {
      hv(now);
      hi = (hi + pairHi(hk.hi, outHi, outLo)) | 0;
      lo = (lo + pairLo(hk.lo, outHi, outLo)) | 0;
      n++;
    }
  }
  tableSums.set(after, { n, hi, lo });
}

/** Whether a table's sums are known (kept by a draft or summed once): for tests. */
export function tableSumKept(t: object): boolean {
  return tableSums.has(t);
}

/** Hash `v` into (outHi, outLo). */
function hv(v: unknown): void {
  work++;
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) setPair(0, v, 0);
      else {
        f64[0] = v;
        setPair(1, u32[0]!, u32[1]!);
      }
      return;
    case 'string': {
      const h = hashString(v);
      outHi = h.hi;
      outLo = h.lo;
      return;
    }
    case 'boolean':
      setPair(v ? 3 : 4, 0, 0);
      return;
    case 'undefined':
      setPair(5, 0, 0);
      return;
    case 'object': {
      if (v === null) { setPair(6, 0, 0); return; }
      const hit = cache.get(v);
      if (hit) { outHi = hit.hi; outLo = hit.lo; return; }
      let hi: number;
      let lo: number;
      const start = work;
      if (Array.isArray(v)) {
        hi = mix(mix(0x9747b28c, 7, M_HI), v.length, M_HI);
        lo = mix(mix(0x3c6ef372, 7, M_LO), v.length, M_LO);
        for (let i = 0; i < v.length; i++) {
          hv(v[i]);
          hi = mix(mix(hi, outHi, M_HI), outLo, M_HI);
          lo = mix(mix(lo, outHi, M_LO), outLo, M_LO);
        }
      } else {
        const o = v as Record<string, unknown>;
        let sumHi = 0;
        let sumLo = 0;
        let n = 0;
        for (const key in o) {
          const hk = hashString(key);
          hv(o[key]);
          // One well-mixed hash per pair, summed: independent of the keys' order.
          sumHi = (sumHi + pairHi(hk.hi, outHi, outLo)) | 0;
          sumLo = (sumLo + pairLo(hk.lo, outHi, outLo)) | 0;
          n++;
        }
        hi = objectHi(n, sumHi);
        lo = objectLo(n, sumLo);
      }
      outHi = fmix(hi) >>> 0;
      outLo = fmix(lo) >>> 0;
      if (work - start >= CACHE_WORK) cache.set(v, { hi: outHi, lo: outLo });
      return;
    }
    default:
      throw new TypeError(`not plain data: ${typeof v}`);
  }
}

/**
 * Hash of a plain-data value (number, string, boolean, null, array, object).
 * Arrays hash in order; an object hashes as the sum of one mixed hash per
 * (key, value) pair, so the order its keys were added in does not matter and
 * no sort is needed. Objects' hashes are cached by identity.
 */
export function hashValue(v: unknown): Fingerprint {
  hv(v);
  return { hi: outHi, lo: outLo };
}

/** The fingerprint of a kernel state (tables, design, arch, defects and lockdep; not nextId). */
export function fingerprint(s: KernelState): Fingerprint {
  let hi = 0x1b873593;
  let lo = 0x85ebca6b;
  const add = (): void => {
    hi = mix(mix(hi, outHi, M_HI), outLo, M_HI);
    lo = mix(mix(lo, outHi, M_LO), outLo, M_LO);
  };
  hv(s.arch);
  add();
  hv(s.design);
  add();
  hv(s.lockdep);
  add();
  hv(s.defects);
  add();
  for (const t of TABLE_NAMES) {
    hashTable(s[t]);
    add();
  }
  return { hi: fmix(hi) >>> 0, lo: fmix(lo) >>> 0 };
}

export function fingerprintHex(fp: Fingerprint): string {
  return fp.hi.toString(16).padStart(8, '0') + fp.lo.toString(16).padStart(8, '0');
}

/** Mix a few 32-bit integers into a 64-bit key (no allocation but the result). */
export function hashInts(xs: readonly number[]): Fingerprint {
  let hi = 0x9747b28c;
  let lo = 0x3c6ef372;
  for (const x of xs) {
    hi = mix(hi, x | 0, M_HI);
    lo = mix(lo, x | 0, M_LO);
  }
  return { hi: fmix(hi) >>> 0, lo: fmix(lo) >>> 0 };
}
