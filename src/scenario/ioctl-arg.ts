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
import { flags, hexBytes, msg, numExpr } from './values.js';
import { IOCTLS, ioctlByCmd } from './ioctl.js';

/** Argument of an ioctl: struct fields by name (encoded by cmd), a string, or raw bytes. */
export type IoctlArg =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] }
  | { readonly kind: 'fields'; readonly fields: { readonly [name: string]: NumExpr } }
  /** A NUL-terminated string (the spec's `stringArg`): the bytes are its UTF-8 and a NUL. */
  | { readonly kind: 'string'; readonly text: string };

type RawValue = number | string | readonly (string | number)[];

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
  const fields: Record<string, NumExpr> = {};
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
    const r = numExpr.safeParse(raw);
    if (!r.success) {
      const hint = spec?.stringArg !== undefined ? ` (${spec.name} takes a string: {${spec.stringArg}: "text"})` : '';
      return { issue: { path: [k], message: firstMessage(r.error, 'bad value') + hint } };
    }
    fields[k] = r.data;
  }
  return { arg: { kind: 'fields', fields } };
}
