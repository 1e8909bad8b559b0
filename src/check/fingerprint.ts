/**
 * 64-bit fingerprints of kernel states.
 *
 * A state shares most of its rows with the state it came from (see
 * src/kernel/kernel.ts). A table hashes as the sum of one mixed hash per
 * (id, row) pair. A state's fingerprint is kept with the state, together
 * with each table's sums and its rows' hashes: a draft (src/check/
 * tracking-kernel.ts) hands over the ids its step wrote, and the next
 * state's fingerprint is the old one's tables with those rows' pairs taken
 * out and the new rows' put in ({@link noteStateWrites}) — one row hashed per
 * row written, never a re-sum over unchanged rows or tables. Nested objects
 * are cached by identity when they are big enough that re-hashing costs more
 * than a lookup ({@link CACHE_WORK}). The hash is structural and canonical —
 * independent of the order object keys were added in, so two equal states
 * hash alike however their objects were built — and it covers everything
 * that decides a state's future (objects hash as an order-independent sum
 * over their key/value pairs, arrays in order; see {@link hashValue}). It
 * leaves out `nextId`: two states equal but for the next free id have the
 * same futures up to the names of objects not yet created.
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

/**
 * A table's hash: its row count, the two lanes' sums of (id, row) pair
 * hashes, and each row's own pair hashes as flat (id, hi, lo) triples.
 */
interface TableSum {
  readonly n: number;
  readonly hi: number;
  readonly lo: number;
  readonly rows: readonly number[];
}

/** A state's fingerprint with what updates it: the sums of each table (by index in TABLE_NAMES). */
interface StateHash {
  readonly fp: Fingerprint;
  readonly tables: readonly TableSum[];
}
const stateHashes = new WeakMap<object, StateHash>();

/** A table's sums from scratch (over every row). */
function sumTable(t: Readonly<Record<number, unknown>>): TableSum {
  let hi = 0;
  let lo = 0;
  let n = 0;
  const rows: number[] = [];
  for (const key in t) {
    const id = Number(key);
    pairOf(id, t[id]);
    rows.push(id, outHi, outLo);
    hi = (hi + outHi) | 0;
    lo = (lo + outLo) | 0;
    n++;
  }
  return { n, hi, lo, rows };
}

/** The (id, row) pair hash of one table row into (outHi, outLo). */
function pairOf(id: number, row: unknown): void {
  const hk = hashId(id);
  // A row's hash is kept in its table's sums: caching the row by identity too would only cost.
  if (typeof row === 'object' && row !== null) {
    work++;
    hashObject(row);
  } else hv(row);
  const h = pairHi(hk.hi, outHi, outLo);
  outLo = pairLo(hk.lo, outHi, outLo);
  outHi = h;
}

/** `before`'s sums with the rows of table `table` that `written` names re-hashed from `after` (set, added or removed). */
function updateTable(sum: TableSum, before: Readonly<Record<number, unknown>>, after: Readonly<Record<number, unknown>>, table: number, written: readonly number[]): TableSum {
  let { n, hi, lo } = sum;
  let rows: number[] | null = null;
  for (let w = 0; w < written.length; w += 2) {
    if (written[w] !== table) continue;
    const id = written[w + 1]!;
    if (before[id] === after[id]) continue;
    rows ??= sum.rows.slice();
    let at = -1;
    for (let i = 0; i < rows.length; i += 3) if (rows[i] === id) { at = i; break; }
    if (at >= 0) {
      hi = (hi - rows[at + 1]!) | 0;
      lo = (lo - rows[at + 2]!) | 0;
      n--;
    }
    const now = after[id];
    if (now === undefined) {
      if (at >= 0) rows.splice(at, 3);
      continue;
    }
    pairOf(id, now);
    hi = (hi + outHi) | 0;
    lo = (lo + outLo) | 0;
    n++;
    if (at >= 0) {
      rows[at + 1] = outHi;
      rows[at + 2] = outLo;
    } else rows.push(id, outHi, outLo);
  }
  return rows === null ? sum : { n, hi, lo, rows };
}

/** The lanes of a state's hash as {@link addLanes} builds it. */
let stHi = 0;
let stLo = 0;

/** Mix (outHi, outLo) into the state's lanes. */
function addLanes(): void {
  stHi = mix(mix(stHi, outHi, M_HI), outLo, M_HI);
  stLo = mix(mix(stLo, outHi, M_LO), outLo, M_LO);
}

/** The hash of a whole state from its tables' sums. */
function stateFingerprint(s: KernelState, tables: readonly TableSum[]): Fingerprint {
  stHi = 0x1b873593;
  stLo = 0x85ebca6b;
  hv(s.arch);
  addLanes();
  hv(s.design);
  addLanes();
  hv(s.lockdep);
  addLanes();
  hv(s.defects);
  addLanes();
  for (let i = 0; i < tables.length; i++) {
    const t = tables[i]!;
    // The same value hv gives the table as a plain object.
    outHi = fmix(objectHi(t.n, t.hi)) >>> 0;
    outLo = fmix(objectLo(t.n, t.lo)) >>> 0;
    addLanes();
  }
  return { hi: fmix(stHi) >>> 0, lo: fmix(stLo) >>> 0 };
}

function stateHash(s: KernelState): StateHash {
  let h = stateHashes.get(s);
  if (h === undefined) {
    const tables = TABLE_NAMES.map((t) => sumTable(s[t]));
    stateHashes.set(s, (h = { fp: stateFingerprint(s, tables), tables }));
  }
  return h;
}

/**
 * A draft made `after` from `before` and wrote the rows `written` (flat
 * (index in TABLE_NAMES, id) pairs: set, added or removed): keep `after`'s
 * fingerprint, updated from those rows alone. Nothing is kept when
 * `before`'s is not known (the first fingerprint then hashes the state
 * once). Rows must not change after this.
 */
export function noteStateWrites(before: KernelState, after: KernelState, written: readonly number[]): void {
  if (after === before) return;
  const old = stateHashes.get(before);
  if (old === undefined || stateHashes.has(after)) return;
  let tables: TableSum[] | null = null;
  for (let i = 0; i < TABLE_NAMES.length; i++) {
    const name = TABLE_NAMES[i]!;
    if (after[name] === before[name]) continue;
    tables ??= old.tables.slice();
    tables[i] = updateTable(old.tables[i]!, before[name], after[name], i, written);
  }
  const unchanged = tables === null && after.lockdep === before.lockdep && after.arch === before.arch &&
    after.design === before.design && after.defects === before.defects;
  const t = tables ?? old.tables;
  stateHashes.set(after, unchanged ? old : { fp: stateFingerprint(after, t), tables: t });
}

/** Whether a state's fingerprint was kept by the draft that made it (or computed once): for tests. */
export function fingerprintKept(s: KernelState): boolean {
  return stateHashes.has(s);
}

/** Hash an array or object into (outHi, outLo), its children through {@link hv}; no cache for `v` itself. */
function hashObject(v: object): void {
  let hi: number;
  let lo: number;
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
      const start = work;
      hashObject(v);
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
  return stateHash(s).fp;
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
