/**
 * A small struct codec: a C struct as a list of fields with their C types,
 * encoded to and decoded from little-endian bytes (number[] of 0..255), the
 * bytes a C program passes to ioctl() on x86_64 and arm64.
 *
 * u64 fields decode to bigint, so a value above 2^53 is kept exactly and the
 * kernel's range checks (and their errno) can be applied to it; the model's
 * paths convert to number only after such a check ({@link u64ToNumber}).
 */

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64';

export interface Field {
  readonly name: string;
  readonly type: FieldType;
}

const SIZE: Readonly<Record<FieldType, number>> = { u8: 1, u16: 2, u32: 4, u64: 8 };

/** Decoded values: u8/u16/u32 as number, u64 as bigint. */
export type Decoded = Readonly<Record<string, number | bigint>>;

export interface StructLayout {
  readonly name: string;
  /** Fields with their offsets (natural alignment, as the C compiler lays them out). */
  readonly fields: readonly (Field & { readonly offset: number })[];
  /** sizeof(struct), padded to the largest alignment. */
  readonly size: number;
}

/** Lay out a struct with natural alignment (every __u64 here is __aligned_u64). */
export function defineStruct(name: string, fields: readonly Field[]): StructLayout {
  let off = 0;
  let align = 1;
  const out: (Field & { offset: number })[] = [];
  for (const f of fields) {
    const s = SIZE[f.type];
    off = Math.ceil(off / s) * s;
    out.push({ ...f, offset: off });
    off += s;
    align = Math.max(align, s);
  }
  return { name, fields: out, size: Math.ceil(off / align) * align };
}

/** offsetofend(struct, field): the `minsz` the kernel copies first. */
export function offsetofend(layout: StructLayout, field: string): number {
  const f = layout.fields.find((x) => x.name === field);
  if (!f) throw new Error(`${layout.name} has no field ${field}`);
  return f.offset + SIZE[f.type];
}

function readLe(bytes: readonly number[], at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt((bytes[at + i] ?? 0) & 0xff);
  return v;
}

function writeLe(out: number[], at: number, n: number, value: bigint): void {
  let v = BigInt.asUintN(n * 8, value);
  for (let i = 0; i < n; i++) {
    out[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/**
 * Decode the first `len` bytes of a struct (default: all of it); fields that
 * lie (partly) beyond `len` or beyond the buffer read as 0, as in a struct
 * zeroed with `= {}` and then filled by a short copy_from_user.
 */
export function decodeStruct(layout: StructLayout, bytes: readonly number[], len = layout.size): Decoded {
  const out: Record<string, number | bigint> = {};
  for (const f of layout.fields) {
    const s = SIZE[f.type];
    const avail = Math.max(0, Math.min(s, len - f.offset, bytes.length - f.offset));
    const v = avail > 0 ? readLe(bytes, f.offset, avail) : 0n;
    out[f.name] = f.type === 'u64' ? v : Number(v);
  }
  return out;
}

/** Encode a struct; missing fields are 0. u64 may be given as number or bigint. */
export function encodeStruct(layout: StructLayout, values: Readonly<Record<string, number | bigint>>): number[] {
  const out: number[] = new Array<number>(layout.size).fill(0);
  for (const f of layout.fields) {
    const v = values[f.name] ?? 0;
    writeLe(out, f.offset, SIZE[f.type], typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
  }
  return out;
}

/** A u32 field of a decoded struct. */
export function u32(d: Decoded, name: string): number {
  const v = d[name];
  return typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : (v ?? 0);
}

/** A u64 as a number when it is exactly representable (≤ 2^53 - 1), else null. */
export function u64ToNumber(v: number | bigint): number | null {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  return b >= 0n && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : null;
}

/** Little-endian bytes of an unsigned value (number below 2^53 or bigint). */
export function leBytes(value: number | bigint, n: number): number[] {
  const out: number[] = new Array<number>(n).fill(0);
  writeLe(out, 0, n, typeof value === 'bigint' ? value : BigInt(Math.trunc(value)));
  return out;
}

/** The unsigned value of little-endian bytes (n ≤ 6 to stay exact as a number). */
export function leValue(bytes: readonly number[]): number {
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) v = v * 256 + ((bytes[i] ?? 0) & 0xff);
  return v;
}

/** Bytes as a hex string for traces ("0x2000000000..."), lowest address first. */
export function bytesHex(bytes: readonly number[]): string {
  return bytes.map((b) => (b & 0xff).toString(16).padStart(2, '0')).join('');
}

/** Parse bytesHex back. */
export function hexBytes(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}
