/**
 * The `arg` of an ioctl step: struct fields by name (`{argsz: 32, index: 0}`),
 * flag names for fields that take flags (`{flags: [DMA_BUF_SYNC_START,
 * DMA_BUF_SYNC_READ]}`), a string for ioctls that copy one
 * (`DMA_BUF_SET_NAME` with `{name: "x"}`), or raw bytes (`{bytes: "hex"}`).
 * Which of these a field may be depends on the command, so the arg is
 * resolved against it once both are parsed ({@link resolveIoctlArg}).
 */
import * as z from 'zod';
import type { NumExpr } from './expr.js';
import { parseExpr } from './expr.js';
import { flags, hexBytes, msg, numExpr, u64Value } from './values.js';
import { IOCTLS, ioctlByCmd } from './ioctl.js';

/** Argument of an ioctl: struct fields by name (encoded by cmd), a string, or raw bytes. */
export type IoctlArg =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] }
  /** Fields by name; a u64 field may be a bigint (a quoted literal above 2^53). */
  | { readonly kind: 'fields'; readonly fields: { readonly [name: string]: NumExpr | bigint } }
  /** A NUL-terminated string (the spec's `stringArg`): the bytes are its UTF-8 and a NUL. */
  | { readonly kind: 'string'; readonly text: string }
  /** A value passed in place of a pointer (the spec's `valueArg`: VFIO_SET_IOMMU). */
  | { readonly kind: 'value'; readonly value: NumExpr };

type RawValue = number | string | readonly (string | number)[];

/** A quoted integer literal of 16 or more digits: possibly a u64 above 2^53, kept exact. */
const BIG_LITERAL = /^(0[xX][0-9a-fA-F_]{14,}|[0-9][0-9_]{15,})$/;

/** The arg as written, before the command is known. */
export const rawIoctlArg = z.record(
  z.string(),
  z.union([z.number(), z.string(), z.array(z.union([z.string(), z.number()]))]),
  { error: msg('expected struct fields (e.g. {argsz: 32, index: 0}), {name: "text"} for a string argument, or {bytes: "hex"}') },
);

/** Where an arg is wrong (below `arg`) and how to fix it. */
export interface ArgIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function firstMessage(e: z.ZodError, fallback: string): string {
  return e.issues[0]?.message ?? fallback;
}

/** Resolve a written arg against its command (an unknown command is reported by the cross-checks). */
export function resolveIoctlArg(cmd: string | number, v: Readonly<Record<string, RawValue>>): { arg: IoctlArg } | { issue: ArgIssue } {
  const spec = typeof cmd === 'string' ? IOCTLS[cmd] : ioctlByCmd(cmd);
  if ('bytes' in v) {
    if (Object.keys(v).length !== 1) return { issue: { path: [], message: 'give either {bytes: "hex"} or struct fields, not both' } };
    const r = hexBytes.safeParse(v['bytes']);
    if (!r.success) return { issue: { path: ['bytes'], message: firstMessage(r.error, 'bad bytes') } };
    return { arg: { kind: 'bytes', bytes: r.data } };
  }
  if (spec?.stringArg !== undefined && spec.stringArg in v) {
    const key = spec.stringArg;
    const extra = Object.keys(v).find((k) => k !== key);
    if (extra !== undefined) return { issue: { path: [extra], message: `${spec.name} takes one string: {${key}: "text"} (or {bytes: "hex"})` } };
    const text = v[key];
    if (typeof text !== 'string') return { issue: { path: [key], message: `expected a string, e.g. {${key}: "my-buffer"}` } };
    return { arg: { kind: 'string', text } };
  }
  if (spec?.valueArg !== undefined) {
    const extra = Object.keys(v).find((k) => k !== 'value');
    if (extra !== undefined || !('value' in v)) {
      return { issue: { path: extra !== undefined ? [extra] : [], message: `${spec.name} takes a value, not a struct: arg: {value: ${Object.keys(spec.valueArg.values)[0]}} (or a number)` } };
    }
    const raw = v['value']!;
    const r = flags(spec.valueArg).safeParse(raw);
    if (!r.success) return { issue: { path: ['value'], message: firstMessage(r.error, 'bad value') } };
    const src = Array.isArray(raw) ? raw.join('|') : String(raw);
    return { arg: { kind: 'value', value: { src, expr: parseExpr(r.data).expr } } };
  }
  const fields: Record<string, NumExpr | bigint> = {};
  for (const [k, raw] of Object.entries(v)) {
    const set = spec?.flagFields?.[k];
    if (set !== undefined) {
      const r = flags(set).safeParse(raw);
      if (!r.success) return { issue: { path: [k], message: firstMessage(r.error, 'bad flags') } };
      const src = Array.isArray(raw) ? raw.join('|') : String(raw);
      fields[k] = { src, expr: parseExpr(r.data).expr };
      continue;
    }
    if (Array.isArray(raw)) {
      return { issue: { path: [k], message: `field '${k}' takes a number, not a list` + (spec?.stringArg ? `; ${spec.name} takes {${spec.stringArg}: "text"}` : '') } };
    }
    if (typeof raw === 'string' && BIG_LITERAL.test(raw.trim())) {
      const b = u64Value.safeParse(raw);
      if (!b.success) return { issue: { path: [k], message: firstMessage(b.error, 'bad value') } };
      fields[k] = b.data;
      continue;
    }
    const r = numExpr.safeParse(raw);
    if (!r.success) {
      const hint = spec?.stringArg !== undefined ? ` (${spec.name} takes a string: {${spec.stringArg}: "text"})` : '';
      return { issue: { path: [k], message: firstMessage(r.error, 'bad value') + hint } };
    }
    fields[k] = r.data;
  }
  return { arg: { kind: 'fields', fields } };
}
