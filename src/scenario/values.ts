/**
 * Value schemas shared by the scenario format: number expressions, flag
 * lists, names. Each carries an error message that says how to fix the
 * value, since scenario errors are read by people writing YAML by hand.
 */
import * as z from 'zod';
import { parseExpr, evalExpr, ExprError } from './expr.js';
import type { NumExpr } from './expr.js';
import type { FlagSet } from './flags.js';
import { closest, orList } from './flags.js';
import * as errno from '../uapi/errno.js';

/** The customizer zod calls for an issue: `missing` when the key is absent, else `msg`. */
export function msg(text: string): (iss: { readonly input?: unknown }) => string {
  return (iss) => (iss.input === undefined ? 'missing; this key is required' : text);
}

const NUM_HINT = 'expected a number or an expression such as 0x1000, 2M, "$bar0 + 0x1000" or "region(0)"';

/** Parse an expression; a syntax error becomes a schema issue at this value. */
function parseOrIssue(v: number | string, ctx: z.RefinementCtx): NumExpr {
  try {
    return parseExpr(v);
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    ctx.issues.push({ code: 'custom', message: e.message, input: v });
    return z.NEVER;
  }
}

/** A number expression, parsed now and evaluated when its step runs. */
export const numExpr = z
  .union([z.number(), z.string()], { error: msg(NUM_HINT) })
  .transform((v, ctx): NumExpr => {
    return parseOrIssue(v, ctx);
  });

/** A number fixed when the scenario loads (no variables): BAR sizes and addresses. */
export const constNum = numExpr.transform((e, ctx): number => {
  try {
    return evalExpr(e, {});
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    ctx.issues.push({ code: 'custom', message: `${err.message}; world values cannot use variables`, input: e.src });
    return z.NEVER;
  }
});

export const boolean = z.boolean({ error: msg('expected true or false') });

/** A name for a thread, process, device or variable. */
export const ident = z
  .string({ error: msg('expected a name (letters, digits, _ and -)') })
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: 'a name is letters, digits, _ and -, starting with a letter' });

/**
 * A set of flags: one name, `A|B`, a list of names, or a number. Names are
 * checked against `set`; numbers are passed as they are (to try unknown bits).
 */
export function flags(set: FlagSet) {
  const names = Object.keys(set.values);
  const item = z.union([z.string(), z.number()]);
  return z
    .union([item, z.array(item)], { error: msg(`expected a list of flags such as [${names.slice(0, 2).join(', ')}]`) })
    .transform((v, ctx): number => {
      const items: (string | number)[] = Array.isArray(v) ? v : [v];
      const parts = items.flatMap((p): (string | number)[] => (typeof p === 'string' ? p.split('|') : [p]));
      let out = 0;
      for (const p of parts) {
        if (typeof p === 'number') { out |= p; continue; }
        const name = p.trim();
        const val = set.values[name];
        if (val === undefined) {
          const near = closest(name, names);
          ctx.issues.push({
            code: 'custom', input: v,
            message: `unknown ${set.what} '${name}'; expected ${orList(names)}` + (near ? ` (did you mean ${near}?)` : ''),
          });
          return z.NEVER;
        }
        out |= val;
      }
      return out;
    });
}

/** errno names: `EINVAL` → 22. */
export const ERRNOS: { readonly [name: string]: number } = Object.fromEntries(
  Object.entries(errno as Record<string, unknown>).filter(
    (e): e is [string, number] => /^E[A-Z0-9]+$/.test(e[0]) && typeof e[1] === 'number',
  ),
);

/** An expected return: a number, an expression, or an errno name (`EINVAL` or `-EINVAL` mean -22). */
export const expectedRet = z
  .union([z.number(), z.string()], { error: msg('expected a number or an errno name such as EINVAL') })
  .transform((v, ctx): number | NumExpr => {
    if (typeof v === 'string' && /^-?E[A-Z0-9]+$/.test(v.trim())) {
      const name = v.trim().replace(/^-/, '');
      const n = ERRNOS[name];
      if (n === undefined) {
        const near = closest(name, Object.keys(ERRNOS));
        ctx.issues.push({
          code: 'custom', input: v,
          message: `unknown errno '${name}'` + (near ? `; did you mean ${near}?` : `; known: ${Object.keys(ERRNOS).join(', ')}`),
        });
        return z.NEVER;
      }
      return -n;
    }
    return parseOrIssue(v, ctx);
  });

/** Strict object: unknown keys are errors naming the keys allowed (and the nearest one). */
export function strict<T extends z.ZodRawShape>(shape: T, what: string) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const key = String(iss.keys[0]);
        const near = closest(key, keys);
        return `unknown key '${key}' in ${what}; ` + (near ? `did you mean '${near}'? ` : '') + `expected ${orList(keys)}`;
      }
      if (iss.code === 'invalid_type') return iss.input === undefined || iss.input === null ? `${what} is empty; expected keys ${orList(keys)}` : `expected ${what} (a map with keys ${orList(keys)})`;
      return undefined;
    },
  });
}

/** A u64 field value: a number expression, or (quoted) a literal up to 2^64 - 1 kept exactly as a bigint. */
export type U64Value = NumExpr | bigint;

const U64_LITERAL = /^(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)$/;

/**
 * A value for a u64 struct field (dma-buf range offsets and lengths): any
 * number expression, or a quoted integer literal too large for 53 bits
 * ("0x8000000000000000"), so the kernel's overflow checks can be reached.
 */
export const u64Value = z
  .union([z.number(), z.string()], { error: msg(`${NUM_HINT}; quote values above 2^53, e.g. "0x8000000000000000"`) })
  .transform((v, ctx): U64Value => {
    if (typeof v === 'string' && U64_LITERAL.test(v.trim())) {
      const b = BigInt(v.trim().replace(/_/g, ''));
      if (b >= 2n ** 64n) {
        ctx.issues.push({ code: 'custom', input: v, message: `${v.trim()} does not fit in a u64` });
        return z.NEVER;
      }
      if (b > BigInt(Number.MAX_SAFE_INTEGER)) return b;
    }
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      ctx.issues.push({ code: 'custom', input: v, message: `${v} is not exact in YAML; quote it ("0x...") to give a u64 above 2^53` });
      return z.NEVER;
    }
    return parseOrIssue(v, ctx);
  });

/** Raw bytes as hex pairs, first byte first ("2000 0000", spaces allowed). */
export const hexBytes = z
  .string({ error: msg('expected bytes as hex, e.g. "2000000000000000"') })
  .transform((v, ctx): number[] => {
    const s = v.replace(/\s+/g, '').replace(/^0x/i, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(s)) {
      ctx.issues.push({ code: 'custom', input: v, message: 'bytes must be pairs of hex digits, first byte first, e.g. "20000000 00000000"' });
      return z.NEVER;
    }
    const out: number[] = [];
    for (let i = 0; i < s.length; i += 2) out.push(parseInt(s.slice(i, i + 2), 16));
    return out;
  });
