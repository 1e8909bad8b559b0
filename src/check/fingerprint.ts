/**
 * 64-bit fingerprints of kernel states.
 *
 * A state shares most of its rows with the state it came from (see
 * src/kernel/kernel.ts). A table hashes as the sum of one mixed hash per
 * (id, row) pair, and a state as the sum of one term per table (its index
 * and hash) with the scalars mixed in. Each table object keeps its sums,
 * each row object its hash, each state its sum: a draft (src/check/
 * tracking-kernel.ts) hands over the ids its step wrote, and the next
 * state's hash is the old one with the changed tables' terms taken out and
 * put back, each changed table's sums updated from the rows written
 * ({@link noteStateWrites}) — one row hashed per row written, and that
 * from the row's last version, re-hashing only the fields that changed
 * ({@link hashRowFrom}); never a re-sum over unchanged rows or tables. The
 * rows and tables written are hash-consed on the way (src/check/intern.ts). Nested objects are cached by
 * identity when they are big enough that re-hashing costs more than a lookup
 * ({@link CACHE_WORK}). The hash is structural and canonical — independent
 * of the order object keys were added in, so two equal states hash alike
 * however their objects were built — and it covers everything that decides
 * a state's future (objects hash as an order-independent sum over their
 * key/value pairs, arrays in order; see {@link hashValue}). It leaves out
 * `nextId`: two states equal but for the next free id have the same futures
 * up to the names of objects not yet created.
 *
 * The two 32-bit lanes use different seeds and multipliers (murmur3's
 * finaliser mixing), giving a 64-bit fingerprint; as in TLC, a collision
 * (about n²/2⁶⁵ for n states) would merge two distinct states.
 */
import type { KernelState } from '../kernel/state.js';
import { TABLE_NAMES } from '../kernel/state.js';
import { Interner } from './intern.js';


export interface Fingerprint {
  readonly hi: number;
  readonly lo: number;
}

/** A hash as this module keeps it inside: two signed 32-bit lanes (see {@link out}); a {@link Fingerprint} is unsigned. */
interface Lanes {
  readonly hi: number;
  readonly lo: number;
}

const cache = new WeakMap<object, Lanes>();

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
const strings = new Map<string, Lanes>();

function hashString(v: string): Lanes {
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
  const fp = { hi: fmix(hi), lo: fmix(lo) };
  if (strings.size < 1 << 16) strings.set(v, fp);
  return fp;
}

/**
 * The last hash {@link hv} computed, in two lanes: out[0] (hi) and out[1]
 * (lo). Inside this module every hash lane is a signed 32-bit integer: V8
 * keeps those as small integers (node's x64 builds have 32-bit ones), but an
 * unsigned lane of 2^31 or more is a heap number, allocated each time it is
 * written to a variable or passed to a function (about 12 % of a suite
 * search's allocations, sampled by V8's heap profiler). A typed array holds
 * the lanes in place. Lanes are only summed and mixed modulo 2^32, so the
 * sign changes no hash; the hashes this module hands out are unsigned.
 */
const out = new Int32Array(2);

function setPair(tag: number, a: number, b: number): void {
  out[0] = fmix(mix(mix(mix(0x9747b28c, tag, M_HI), a, M_HI), b, M_HI));
  out[1] = fmix(mix(mix(mix(0x3c6ef372, tag, M_LO), a, M_LO), b, M_LO));
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
const idHashes: Lanes[] = [];

function hashId(id: number): Lanes {
  if (id >= 0 && id < 1 << 20 && (id | 0) === id) return (idHashes[id] ??= hashString(String(id)));
  return hashString(String(id));
}

/** A table's hash: its row count and the two lanes' sums of (id, row) pair hashes. */
interface TableSum {
  readonly n: number;
  readonly hi: number;
  readonly lo: number;
}

/**
 * A state's fingerprint with what updates it: the two lanes' sums of one
 * term per table (its index and hash), into which the scalars are mixed.
 */
interface StateHash {
  readonly fp: Fingerprint;
  readonly hi: number;
  readonly lo: number;
}
const stateHashes = new WeakMap<object, StateHash>();
/** Each table object's sums (tables are hash-consed, so there are few). */
const tableSums = new WeakMap<object, TableSum>();
/**
 * The hash of each row object in a table whose sums are kept: rows are
 * hash-consed, so there are few, and a row's pair hash is taken out of its
 * table's sums when the row is replaced without the table keeping a list of
 * its rows' hashes (a frontier holds tens of thousands of tables).
 */
const rowHashes = new WeakMap<object, RowHash>();

/**
 * A row's hash with what {@link hashRowFrom} needs to hash the next version
 * of the row from this one: its pair sums and key count before the final
 * mixing (n is -1 for an array row, which is hashed whole).
 */
interface RowHash extends Lanes {
  readonly sumHi: number;
  readonly sumLo: number;
  readonly n: number;
}

/** The pair sums and key count of the last object {@link hashObject} hashed: sums[0] hi, sums[1] lo, sums[2] n (-1 for an array, whose sums are then not meaningful). */
const sums = new Int32Array(3);

function rowHash(): RowHash {
  return { hi: out[0], lo: out[1], sumHi: sums[0], sumLo: sums[1], n: sums[2] };
}

/**
 * Hash `now`, a new version of the row `was` whose hash is `base`, into
 * (out[0], out[1]) and {@link sums}, from `base`'s pair sums: only the pairs
 * whose value is not the very same value as in `was` are taken out and put
 * back (a step writes a field or two of a row and shares the rest, see
 * Kernel.mut). False when `was` has a key `now` lacks, found only after
 * the walk: the caller then hashes `now` whole (a step rarely deletes a
 * field, so the walk is not done twice in practice).
 */
function hashRowFrom(now: Record<string, unknown>, was: Record<string, unknown>, base: RowHash): boolean {
  let sumHi = base.sumHi;
  let sumLo = base.sumLo;
  let n = 0;
  let shared = 0;
  for (const key in now) {
    n++;
    const v = now[key];
    const w = was[key];
    // Rows are plain data, so a function is Object.prototype's, not a key of `was`.
    const had = w !== undefined ? typeof w !== 'function' : key in was;
    if (had) {
      shared++;
      if (w === v) continue;
    }
    const hk = hashString(key);
    if (had) {
      hv(w);
      sumHi = (sumHi - pairHi(hk.hi, out[0], out[1])) | 0;
      sumLo = (sumLo - pairLo(hk.lo, out[0], out[1])) | 0;
    }
    hv(v);
    sumHi = (sumHi + pairHi(hk.hi, out[0], out[1])) | 0;
    sumLo = (sumLo + pairLo(hk.lo, out[0], out[1])) | 0;
  }
  if (shared !== base.n) return false;
  sums[0] = sumHi;
  sums[1] = sumLo;
  sums[2] = n;
  out[0] = fmix(objectHi(n, sumHi));
  out[1] = fmix(objectLo(n, sumLo));
  return true;
}

/** Rows and tables written, hash-consed per table (src/check/intern.ts). */
const ROW_INTERNERS = TABLE_NAMES.map(() => new Interner<object>());
const TABLE_INTERNERS = TABLE_NAMES.map(() => new Interner<object>());

/** A table's sums from scratch (over every row). */
function sumTable(t: Readonly<Record<number, unknown>>): TableSum {
  let hi = 0;
  let lo = 0;
  let n = 0;
  for (const key in t) {
    const id = Number(key);
    pairOf(id, t[id], true);
    hi = (hi + out[0]) | 0;
    lo = (lo + out[1]) | 0;
    n++;
  }
  return { n, hi, lo };
}

/**
 * The (id, row) pair hash of one table row into (out[0], out[1]). A row
 * object's own hash is looked up in {@link rowHashes}, or computed and,
 * with `keep`, kept there (for a row that stays in a table with sums).
 */
function pairOf(id: number, row: unknown, keep: boolean): void {
  if (typeof row === 'object' && row !== null) {
    const known = rowHashes.get(row);
    if (known !== undefined) {
      out[0] = known.hi;
      out[1] = known.lo;
    } else {
      work++;
      hashObject(row);
      if (keep) rowHashes.set(row, rowHash());
    }
  } else hv(row);
  pairWithId(id);
}

/** Turn the row hash in (out[0], out[1]) into the (id, row) pair hash. */
function pairWithId(id: number): void {
  const hk = hashId(id);
  const h = pairHi(hk.hi, out[0], out[1]);
  out[1] = pairLo(hk.lo, out[0], out[1]);
  out[0] = h;
}

/** `before`'s sums with the rows of table `table` that `written` names (each once) re-hashed from `after` (set, added or removed). */
function updateTable(sum: TableSum, before: Readonly<Record<number, unknown>>, after: Readonly<Record<number, unknown>>, table: number, written: readonly number[]): TableSum {
  let { n, hi, lo } = sum;
  let changed = false;
  for (let w = 0; w < written.length; w += 2) {
    if (written[w] !== table) continue;
    const id = written[w + 1]!;
    const was = before[id];
    const now = after[id];
    if (was === now) continue;
    changed = true;
    if (was !== undefined) {
      pairOf(id, was, true);
      hi = (hi - out[0]) | 0;
      lo = (lo - out[1]) | 0;
      n--;
    }
    if (now === undefined) continue;
    if (typeof now === 'object' && now !== null) {
      work++;
      const base = typeof was === 'object' && was !== null ? rowHashes.get(was) : undefined;
      if (base === undefined || base.n < 0 || Array.isArray(now) ||
        !hashRowFrom(now as Record<string, unknown>, was as Record<string, unknown>, base)) hashObject(now);
      // The draft's own copy of the table: the row may give way to an equal one interned before (same hash).
      const shared = ROW_INTERNERS[table]!.intern(out[0], out[1], now);
      if (shared !== now) (after as Record<number, unknown>)[id] = shared;
      else rowHashes.set(now, rowHash());
    } else hv(now);
    pairWithId(id);
    hi = (hi + out[0]) | 0;
    lo = (lo + out[1]) | 0;
    n++;
  }
  return changed ? { n, hi, lo } : sum;
}

/** A table's sums, kept by table object. */
function sumsOf(t: Readonly<Record<number, unknown>>): TableSum {
  let sum = tableSums.get(t);
  if (sum === undefined) tableSums.set(t, (sum = sumTable(t)));
  return sum;
}

/** The term of table `i` with sums `t` into (out[0], out[1]): the table's hash (as hv gives it) mixed with its index. */
function tableTerm(i: number, t: TableSum): void {
  const hi = fmix(objectHi(t.n, t.hi));
  const lo = fmix(objectLo(t.n, t.lo));
  out[0] = pairHi(i, hi, lo);
  out[1] = pairLo(i, hi, lo);
}

/** The lanes of a state's hash as {@link stateHashOf} builds it: st[0] (hi), st[1] (lo); typed for the same reason as {@link out}. */
const st = new Int32Array(2);

/** Mix (out[0], out[1]) into the state's lanes. */
function addLanes(): void {
  st[0] = mix(mix(st[0], out[0], M_HI), out[1], M_HI);
  st[1] = mix(mix(st[1], out[0], M_LO), out[1], M_LO);
}

/** A state's hash from its tables' summed terms and its scalars. */
function stateHashOf(s: KernelState, hi: number, lo: number): StateHash {
  st[0] = mix(0x1b873593, hi, M_HI);
  st[1] = mix(0x85ebca6b, lo, M_LO);
  // Once per new state: no array of the scalars to walk.
  hv(s.arch);
  addLanes();
  hv(s.design);
  addLanes();
  hv(s.lockdep);
  addLanes();
  hv(s.defects);
  addLanes();
  return { fp: { hi: fmix(st[0]) >>> 0, lo: fmix(st[1]) >>> 0 }, hi, lo };
}

function stateHash(s: KernelState): StateHash {
  let h = stateHashes.get(s);
  if (h === undefined) {
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < TABLE_NAMES.length; i++) {
      tableTerm(i, sumsOf(s[TABLE_NAMES[i]!]));
      hi = (hi + out[0]) | 0;
      lo = (lo + out[1]) | 0;
    }
    stateHashes.set(s, (h = stateHashOf(s, hi, lo)));
  }
  return h;
}

/**
 * A draft made `after` from `before` and wrote the rows `written` (flat
 * (index in TABLE_NAMES, id) pairs: set, added or removed): keep `after`'s
 * fingerprint, updated from those rows alone. Nothing is kept when
 * `before`'s is not known (the first fingerprint then hashes the state
 * once). A written row or a changed table equal to one seen before is
 * replaced in `after` by that one (src/check/intern.ts). Rows must not
 * change after this.
 */
export function noteStateWrites(before: KernelState, after: KernelState, written: readonly number[]): void {
  if (after === before) return;
  const old = stateHashes.get(before);
  if (old === undefined || stateHashes.has(after)) return;
  let { hi, lo } = old;
  // Only a table with a row written can differ: visit those alone (22 keyed reads of each state otherwise).
  let mask = 0;
  for (let w = 0; w < written.length; w += 2) mask |= 1 << written[w]!;
  for (let i = 0; mask !== 0; i++, mask >>>= 1) {
    if ((mask & 1) === 0) continue;
    const name = TABLE_NAMES[i]!;
    const was = before[name];
    if (after[name] === was) continue;
    const oldSum = sumsOf(was);
    const sum = updateTable(oldSum, was, after[name], i, written);
    // The draft's own root: the table may give way to an equal one interned before (often `before`'s own).
    const table = TABLE_INTERNERS[i]!.intern(fmix(objectHi(sum.n, sum.hi)), fmix(objectLo(sum.n, sum.lo)), after[name]);
    if (table !== after[name]) (after as unknown as Record<string, unknown>)[name] = table;
    else tableSums.set(table, sum);
    if (table === was) continue;
    tableTerm(i, oldSum);
    hi = (hi - out[0]) | 0;
    lo = (lo - out[1]) | 0;
    tableTerm(i, sum);
    hi = (hi + out[0]) | 0;
    lo = (lo + out[1]) | 0;
  }
  const unchanged = hi === old.hi && lo === old.lo && after.lockdep === before.lockdep && after.arch === before.arch &&
    after.design === before.design && after.defects === before.defects;
  stateHashes.set(after, unchanged ? old : stateHashOf(after, hi, lo));
}

/** Whether a state's fingerprint was kept by the draft that made it (or computed once): for tests. */
export function fingerprintKept(s: KernelState): boolean {
  return stateHashes.has(s);
}

/** Hash an array or object into (out[0], out[1]), its children through {@link hv}; no cache for `v` itself. */
function hashObject(v: object): void {
  let hi: number;
  let lo: number;
  if (Array.isArray(v)) {
    hi = mix(mix(0x9747b28c, 7, M_HI), v.length, M_HI);
    lo = mix(mix(0x3c6ef372, 7, M_LO), v.length, M_LO);
    for (let i = 0; i < v.length; i++) {
      hv(v[i]);
      hi = mix(mix(hi, out[0], M_HI), out[1], M_HI);
      lo = mix(mix(lo, out[0], M_LO), out[1], M_LO);
    }
    sums[2] = -1;
  } else {
    const o = v as Record<string, unknown>;
    let sumHi = 0;
    let sumLo = 0;
    let n = 0;
    for (const key in o) {
      const hk = hashString(key);
      hv(o[key]);
      // One well-mixed hash per pair, summed: independent of the keys' order.
      sumHi = (sumHi + pairHi(hk.hi, out[0], out[1])) | 0;
      sumLo = (sumLo + pairLo(hk.lo, out[0], out[1])) | 0;
      n++;
    }
    hi = objectHi(n, sumHi);
    lo = objectLo(n, sumLo);
    sums[0] = sumHi;
    sums[1] = sumLo;
    sums[2] = n;
  }
  out[0] = fmix(hi);
  out[1] = fmix(lo);
}

/** Hash `v` into (out[0], out[1]). */
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
      out[0] = h.hi;
      out[1] = h.lo;
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
      if (hit) { out[0] = hit.hi; out[1] = hit.lo; return; }
      const start = work;
      hashObject(v);
      if (work - start >= CACHE_WORK) cache.set(v, { hi: out[0], lo: out[1] });
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
  return { hi: out[0]! >>> 0, lo: out[1]! >>> 0 };
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

/**
 * A state's fingerprint with the sums that update it, as four 32-bit words
 * written to `out` at `at` (fingerprint hi, lo; sums hi, lo): what a compact
 * frontier (src/check/frontier.ts) keeps so that the state it rebuilds needs
 * no re-hash ({@link adoptStateHash}).
 */
export function stateHashWords(s: KernelState, out: Uint32Array, at: number): void {
  const h = stateHash(s);
  out[at] = h.fp.hi;
  out[at + 1] = h.fp.lo;
  out[at + 2] = h.hi;
  out[at + 3] = h.lo;
}

/** Give a rebuilt state the fingerprint {@link stateHashWords} wrote for the state it equals. */
export function adoptStateHash(s: KernelState, words: Uint32Array, at: number): void {
  stateHashes.set(s, { fp: { hi: words[at]!, lo: words[at + 1]! }, hi: words[at + 2]! | 0, lo: words[at + 3]! | 0 });
}
