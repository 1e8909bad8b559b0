/**
 * 64-bit fingerprints of kernel states.
 *
 * A state shares most of its rows with the state it came from (see
 * src/kernel/kernel.ts), so the hash of every object is cached by identity:
 * fingerprinting a successor costs only the rows the step wrote. The hash is
 * structural and canonical — object keys are taken in sorted order, so two
 * equal states hash alike however their objects were built — and it covers
 * everything that decides a state's future. It leaves out `nextId`: two
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

/** Hash of a plain-data value (number, string, boolean, null, array, object). */
export function hashValue(v: unknown): Fingerprint {
  let hi = 0x9747b28c;
  let lo = 0x3c6ef372;
  const add = (x: number): void => {
    hi = mix(hi, x, M_HI);
    lo = mix(lo, x, M_LO);
  };
  switch (typeof v) {
    case 'number':
      f64[0] = v;
      add(1); add(u32[0]!); add(u32[1]!);
      break;
    case 'string':
      add(2); add(v.length);
      for (let i = 0; i < v.length; i++) add(v.charCodeAt(i));
      break;
    case 'boolean':
      add(v ? 3 : 4);
      break;
    case 'undefined':
      add(5);
      break;
    case 'object': {
      if (v === null) { add(6); break; }
      const hit = cache.get(v);
      if (hit) return hit;
      if (Array.isArray(v)) {
        add(7); add(v.length);
        for (const item of v) { const h = hashValue(item); add(h.hi); add(h.lo); }
      } else {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o).sort();
        add(8); add(keys.length);
        for (const key of keys) {
          const hk = hashValue(key);
          const h = hashValue(o[key]);
          add(hk.hi); add(hk.lo); add(h.hi); add(h.lo);
        }
      }
      const fp = { hi: fmix(hi) >>> 0, lo: fmix(lo) >>> 0 };
      cache.set(v, fp);
      return fp;
    }
    default:
      throw new TypeError(`not plain data: ${typeof v}`);
  }
  return { hi: fmix(hi) >>> 0, lo: fmix(lo) >>> 0 };
}

/** The fingerprint of a kernel state (tables, design, arch, defects and lockdep; not nextId). */
export function fingerprint(s: KernelState): Fingerprint {
  const parts: Record<string, unknown> = { arch: s.arch, design: s.design, lockdep: s.lockdep, defects: s.defects };
  for (const t of TABLE_NAMES) parts[t] = s[t];
  return hashValue(parts);
}

export function fingerprintHex(fp: Fingerprint): string {
  return fp.hi.toString(16).padStart(8, '0') + fp.lo.toString(16).padStart(8, '0');
}
