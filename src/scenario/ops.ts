/**
 * The user actions a scenario step can run, with friendly arguments.
 *
 * Each op is one action of src/kernel/syscalls.ts. Arguments are number
 * expressions (evaluated when the step runs, against the process's
 * variables) or names (flags, devices, regions) checked when the scenario
 * loads. `ioctl` arguments are checked against src/scenario/ioctl.ts.
 * The dma-buf ops (export, importer attach/map/unmap/detach, dma) are in
 * src/scenario/dmabuf-ops.ts.
 */
import * as z from 'zod';
import { OPEN_FLAGS, PROT_FLAGS, MAP_FLAGS, MADV_ADVICE, MREMAP_FLAGS, SEEK_WHENCE, orList } from './flags.js';
import { REMOTE_VIA } from '../mm/remote.js';
import { boolean, flags, hexBytes, ident, msg, numExpr, strict } from './values.js';
import type { NumExpr } from './expr.js';
import { parseExpr } from './expr.js';
import { O_RDWR } from '../uapi/fcntl.js';
import { region } from './region.js';
import { rawIoctlArg, resolveIoctlArg } from './ioctl-arg.js';
import type { IoctlArg } from './ioctl-arg.js';
import { DMA_BUF_OPS } from './dmabuf-ops.js';
import { IOMMU_OPS } from './iommu-ops.js';
import { DEVICE_OPS } from './device-ops.js';

export { REGION_INDEX } from './region.js';
export type { IoctlArg } from './ioctl-arg.js';

const accessSize = z
  .union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)], { error: msg('expected an access size of 1, 2, 4 or 8 bytes') });

/** A literal number as a parsed expression (for defaults). */
function lit(n: number): NumExpr {
  return parseExpr(n);
}

/** The parsed arguments of an ioctl step. */
export interface IoctlOpArgs {
  readonly fd: NumExpr;
  readonly cmd: string | number;
  readonly arg?: IoctlArg;
  readonly fault: boolean;
  /** Variables to bind to fields of the struct after the call: variable -> field name. */
  readonly out?: { readonly [variable: string]: string };
}

const fd = numExpr;
const addr = numExpr;

/** Every op with the schema of its arguments. */
export const OPS = {
  /** openat() of the device's vfio cdev. */
  /** openat() of the device's vfio cdev; `bind: false` leaves it unbound (no vfio_df_open until VFIO_DEVICE_BIND_IOMMUFD). */
  open: strict({ device: ident, flags: flags(OPEN_FLAGS).default(O_RDWR), bind: boolean.default(true) }, 'open'),
  close: strict({ fd }, 'close'),
  dup: strict({ fd }, 'dup'),
  /**
   * ioctl(fd, cmd, arg); `fault: true` passes a pointer copy_from_user cannot
   * read; `out: {var: field}` binds $var to a field of the struct as the
   * call leaves it (IOMMU_IOAS_ALLOC's out_ioas_id).
   */
  ioctl: strict(
    {
      fd,
      cmd: z.union([z.string(), z.number()], { error: msg('expected an ioctl name such as VFIO_DEVICE_GET_REGION_INFO or a number') }),
      arg: rawIoctlArg.optional(),
      fault: boolean.default(false),
      out: z
        .record(ident, z.string({ error: msg('expected a field name of the struct, e.g. out_ioas_id') }), {
          error: msg('expected variables and the struct fields they get, e.g. {ioas: out_ioas_id}'),
        })
        .optional(),
    },
    'ioctl',
  ).transform((a, ctx): IoctlOpArgs => {
    const { arg: raw, ...rest } = a;
    if (raw === undefined) return rest;
    const r = resolveIoctlArg(a.cmd, raw);
    if ('issue' in r) {
      ctx.issues.push({ code: 'custom', input: raw, path: ['arg', ...r.issue.path], message: r.issue.message });
      return z.NEVER;
    }
    return { ...rest, arg: r.arg };
  }),
  /** pread(fd, count, region offset + offset); `out: v` binds $v to the bytes read (count 1, 2 or 4). */
  pread: strict({ fd, region: region.optional(), offset: numExpr.default(lit(0)), count: numExpr, out: ident.optional() }, 'pread'),
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
  /** lseek(fd, offset, whence). */
  lseek: strict({ fd, offset: numExpr.default(lit(0)), whence: flags(SEEK_WHENCE).default(0) }, 'lseek'),
  /** mremap(addr, old_length, new_length, flags, new_addr). */
  mremap: strict(
    { addr, old_length: numExpr, new_length: numExpr, flags: flags(MREMAP_FLAGS).default(0), new_addr: numExpr.default(lit(0)) },
    'mremap',
  ),
  /** madvise(addr, length, advice). */
  madvise: strict({ addr, length: numExpr, advice: flags(MADV_ADVICE) }, 'madvise'),
  /** ptrace PEEKDATA/POKEDATA, /proc/PID/mem or process_vm_readv/writev of process `pid` (0: itself). */
  remote_access: strict(
    {
      via: z.enum(REMOTE_VIA, { error: msg(`expected via: ${orList([...REMOTE_VIA])}`) }),
      pid: numExpr.default(lit(0)),
      addr,
      length: numExpr.default(lit(8)),
      value: numExpr.default(lit(0)),
    },
    'remote_access',
  ),
  ...DMA_BUF_OPS,
  ...IOMMU_OPS,
  ...DEVICE_OPS,
} as const;

export type OpName = keyof typeof OPS;
export const OP_NAMES = Object.keys(OPS) as OpName[];

/** The parsed arguments of each op. */
export type OpArgs = { readonly [O in OpName]: { readonly op: O; readonly args: z.output<(typeof OPS)[O]> } }[OpName];

/** Every op as an optional key: the shape a step or an alphabet entry spreads in. */
export const OP_SHAPE = Object.fromEntries(OP_NAMES.map((n) => [n, OPS[n].optional()])) as {
  [O in OpName]: z.ZodOptional<(typeof OPS)[O]>;
};
