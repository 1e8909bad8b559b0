/**
 * The user actions a scenario step can run, with friendly arguments.
 *
 * Each op is one action of src/kernel/syscalls.ts. Arguments are number
 * expressions (evaluated when the step runs, against the process's
 * variables) or names (flags, devices, regions) checked when the scenario
 * loads. `ioctl` arguments are checked against src/scenario/ioctl.ts.
 */
import * as z from 'zod';
import { OPEN_FLAGS, PROT_FLAGS, MAP_FLAGS, orList } from './flags.js';
import { boolean, flags, ident, msg, numExpr, strict } from './values.js';
import type { NumExpr } from './expr.js';
import { parseExpr } from './expr.js';
import { O_RDWR } from '../uapi/fcntl.js';

/** vfio-pci region names (VFIO_PCI_*_REGION_INDEX). */
export const REGION_INDEX: { readonly [name: string]: number } = {
  bar0: 0, bar1: 1, bar2: 2, bar3: 3, bar4: 4, bar5: 5, rom: 6, config: 7, vga: 8,
};

const region = z
  .union([z.string(), z.number().int().min(0)], { error: msg(`expected a region: ${orList(Object.keys(REGION_INDEX))} or an index`) })
  .transform((v, ctx): number => {
    if (typeof v === 'number') return v;
    const i = REGION_INDEX[v];
    if (i === undefined) {
      ctx.issues.push({ code: 'custom', input: v, message: `unknown region '${v}'; expected ${orList(Object.keys(REGION_INDEX))} or an index` });
      return z.NEVER;
    }
    return i;
  });

const accessSize = z
  .union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)], { error: msg('expected an access size of 1, 2, 4 or 8 bytes') });

const hexBytes = z
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

/** Argument of an ioctl: struct fields by name (encoded by cmd) or raw bytes. */
export type IoctlArg =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] }
  | { readonly kind: 'fields'; readonly fields: { readonly [name: string]: NumExpr } };

const ioctlArg = z
  .record(z.string(), z.union([z.number(), z.string()]), { error: msg('expected struct fields (e.g. {argsz: 32, index: 0}) or {bytes: "hex"}') })
  .transform((v, ctx): IoctlArg => {
    if ('bytes' in v) {
      if (Object.keys(v).length !== 1) {
        ctx.issues.push({ code: 'custom', input: v, message: 'give either {bytes: "hex"} or struct fields, not both' });
        return z.NEVER;
      }
      const r = hexBytes.safeParse(v['bytes']);
      if (!r.success) {
        ctx.issues.push({ code: 'custom', input: v, path: ['bytes'], message: r.error.issues[0]?.message ?? 'bad bytes' });
        return z.NEVER;
      }
      return { kind: 'bytes', bytes: r.data };
    }
    const fields: Record<string, NumExpr> = {};
    for (const [k, raw] of Object.entries(v)) {
      const r = numExpr.safeParse(raw);
      if (!r.success) {
        ctx.issues.push({ code: 'custom', input: raw, path: [k], message: r.error.issues[0]?.message ?? 'bad value' });
        return z.NEVER;
      }
      fields[k] = r.data;
    }
    return { kind: 'fields', fields };
  });

/** A literal number as a parsed expression (for defaults). */
function lit(n: number): NumExpr {
  return parseExpr(n);
}

const fd = numExpr;
const addr = numExpr;

/** Every op with the schema of its arguments. */
export const OPS = {
  /** openat() of the device's vfio cdev. */
  open: strict({ device: ident, flags: flags(OPEN_FLAGS).default(O_RDWR) }, 'open'),
  close: strict({ fd }, 'close'),
  dup: strict({ fd }, 'dup'),
  /** ioctl(fd, cmd, arg); `fault: true` passes a pointer copy_from_user cannot read. */
  ioctl: strict(
    {
      fd,
      cmd: z.union([z.string(), z.number()], { error: msg('expected an ioctl name such as VFIO_DEVICE_GET_REGION_INFO or a number') }),
      arg: ioctlArg.optional(),
      fault: boolean.default(false),
    },
    'ioctl',
  ),
  /** pread(fd, count, region offset + offset). */
  pread: strict({ fd, region: region.optional(), offset: numExpr.default(lit(0)), count: numExpr }, 'pread'),
  /** pwrite of one value (u8/u16/u32/u64, little endian) or raw bytes at region offset + offset. */
  pwrite: strict(
    {
      fd,
      region: region.optional(),
      offset: numExpr.default(lit(0)),
      u8: numExpr.optional(),
      u16: numExpr.optional(),
      u32: numExpr.optional(),
      u64: numExpr.optional(),
      bytes: hexBytes.optional(),
    },
    'pwrite',
  ),
  mmap: strict(
    {
      addr: addr.default(lit(0)),
      length: numExpr,
      prot: flags(PROT_FLAGS),
      flags: flags(MAP_FLAGS),
      fd,
      offset: numExpr.default(lit(0)),
    },
    'mmap',
  ),
  munmap: strict({ addr, length: numExpr }, 'munmap'),
  /** fork(): the child's single thread gets the name `child`. */
  fork: strict({ child: ident }, 'fork'),
  exit: z.union([z.null(), strict({}, 'exit')], { error: 'exit takes no arguments; write `exit: {}`' }).transform(() => ({})),
  load: strict({ addr, size: accessSize.default(4) }, 'load'),
  store: strict({ addr, size: accessSize.default(4), value: numExpr.default(lit(0)) }, 'store'),
  /** get_user_pages(_fast) of `pages` pages from `addr`, as a driver would. */
  gup: strict({ addr, pages: numExpr.default(lit(1)), write: boolean.default(false), fast: boolean.default(true) }, 'gup'),
  /** read(2)/write(2) of an O_DIRECT file into/from user memory at addr. */
  o_direct: strict(
    { rw: z.enum(['read', 'write'], { error: msg("expected rw: read or rw: write") }), addr, length: numExpr },
    'o_direct',
  ),
} as const;

export type OpName = keyof typeof OPS;
export const OP_NAMES = Object.keys(OPS) as OpName[];

/** The parsed arguments of each op. */
export type OpArgs = { readonly [O in OpName]: { readonly op: O; readonly args: z.output<(typeof OPS)[O]> } }[OpName];

/** Every op as an optional key: the shape a step or an alphabet entry spreads in. */
export const OP_SHAPE = Object.fromEntries(OP_NAMES.map((n) => [n, OPS[n].optional()])) as {
  [O in OpName]: z.ZodOptional<(typeof OPS)[O]>;
};
