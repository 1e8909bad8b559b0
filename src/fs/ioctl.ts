/**
 * ioctl(2) (fs/ioctl.c, v6.19): fdget, then vfs_ioctl() → f_op->unlocked_ioctl.
 *
 * The generic ioctls do_vfs_ioctl() handles first (FIOCLEX, FIONBIO, ...)
 * are not modelled. fdget is modelled as fget (a counted reference for the
 * duration of the call, as in a multi-threaded process), so a concurrent
 * close() cannot free the file under the driver.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { EBADF, ENOTTY } from '../uapi/errno.js';
import { fget } from './fd.js';
import type { IoctlOut } from '../kernel/syscalls.js';

/** -ENOIOCTLCMD (include/linux/errno.h, kernel-internal): vfs_ioctl turns it into -ENOTTY. */
export const ENOIOCTLCMD = 515;

/** The locals vfs_ioctl() passes to f_op->unlocked_ioctl; a driver's path adds its own (e.g. `r`). */
export interface UnlockedIoctlLocals {
  readonly [key: string]: Value;
  file: number;
  cmd: number;
  arg: readonly number[];
  argFault: boolean;
}

interface IoctlLocals {
  readonly [key: string]: Value;
  fd: number;
  cmd: number;
  arg: readonly number[];
  argFault: boolean;
  file: number;
  r: number;
  x: number;
}

export const sysIoctlPath = path<IoctlLocals>()('sys_ioctl', 'start', {
  start: (cx) => {
    const file = fget(cx.k, cx.pid, cx.l.fd, cx.tid);
    if (file === 0) return cx.ret(-EBADF);
    cx.l.file = file;
    const f = cx.k.get('files', file);
    const ioctl = cx.k.design.fileOps[f.f_op]?.unlocked_ioctl;
    if (!ioctl) {
      cx.l.r = -ENOTTY;
      return cx.goto('out');
    }
    cx.call(ioctl, { file, cmd: cx.l.cmd, arg: cx.l.arg, argFault: cx.l.argFault }, 'r', 'out');
  },
  out: (cx) => {
    if (cx.l.r === -ENOIOCTLCMD) cx.l.r = -ENOTTY;
    cx.call('fput', { file: cx.l.file }, 'x', 'done');
  },
  done: (cx) => {
    // User space reads fields of its struct back after the call (the scenario's `out:`): the
    // buffer is user memory, so they are what copy_to_user left there, else what was passed.
    const out = ioctlOut(cx.l['out']);
    if (out.length > 0) {
      const proc = cx.k.get('processes', cx.pid);
      const vars: Record<string, number> = { ...proc.vars };
      for (const o of out) vars[o.name] = leField(cx.l.arg, o.offset, o.size);
      cx.k.mut('processes', cx.pid).vars = vars;
    }
    cx.ret(cx.l.r);
  },
});

/** The `out` local of the ioctl action (absent for most calls). */
function ioctlOut(v: Value | undefined): readonly IoctlOut[] {
  if (!Array.isArray(v)) return [];
  return v.filter((o): o is IoctlOut => typeof o === 'object' && o !== null && !Array.isArray(o)
    && typeof o['name'] === 'string' && typeof o['offset'] === 'number' && typeof o['size'] === 'number');
}

/** An unsigned little-endian field of a user buffer (bytes past its end read as 0). */
function leField(buf: readonly number[], offset: number, size: number): number {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt((buf[offset + i] ?? 0) & 0xff);
  return Number(v);
}
