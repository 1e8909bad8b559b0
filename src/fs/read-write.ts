/**
 * pread64(2)/pwrite64(2) (fs/read_write.c, v6.19): ksys_pread64() →
 * vfs_read() → f_op->read, and the write side.
 *
 * FMODE_PREAD/FMODE_PWRITE are taken as set (device files are not streams);
 * FMODE_CAN_READ/WRITE follow from the f_op having read/write. A driver's
 * read path gets locals {file, offset, count} and returns the byte count or
 * -errno; a write path gets {file, offset, data} (data: the user buffer's
 * bytes). fdget is modelled as fget, as in sys_ioctl.
 */
import type { Locals, Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { EBADF, EINVAL } from '../uapi/errno.js';
import { FMODE_READ, FMODE_WRITE, openFmode } from '../uapi/fcntl.js';
import { fget } from './fd.js';

interface RwLocals {
  readonly [key: string]: Value;
  fd: number;
  offset: number;
  file: number;
  r: number;
  x: number;
}

function rwPath<N extends string>(name: N, write: boolean) {
  return path<RwLocals>()(name, 'start', {
    start: (cx) => {
      if (cx.l.offset < 0) return cx.ret(-EINVAL);
      const file = fget(cx.k, cx.pid, cx.l.fd, cx.tid);
      if (file === 0) return cx.ret(-EBADF);
      cx.l.file = file;
      const f = cx.k.get('files', file);
      const mode = openFmode(f.f_flags);
      const op = cx.k.design.fileOps[f.f_op]?.[write ? 'write' : 'read'];
      if ((mode & (write ? FMODE_WRITE : FMODE_READ)) === 0) {
        cx.l.r = -EBADF;
        return cx.goto('out');
      }
      if (!op) {
        cx.l.r = -EINVAL;
        return cx.goto('out');
      }
      const args: Locals = write
        ? { file, offset: cx.l.offset, data: cx.l['data'] ?? [] }
        : { file, offset: cx.l.offset, count: cx.l['count'] ?? 0 };
      cx.call(op, args, 'r', 'out');
    },
    out: (cx) => cx.call('fput', { file: cx.l.file }, 'x', 'done'),
    done: (cx) => {
      // A pread's `out:` (scenarios): user space reads its buffer back, what copy_to_user left there.
      const name = cx.l['out'];
      if (!write && typeof name === 'string' && cx.l.r > 0) {
        const buf = Array.isArray(cx.l['buf']) ? (cx.l['buf'] as readonly number[]) : [];
        let v = 0;
        for (let i = Math.min(cx.l.r, 4) - 1; i >= 0; i--) v = v * 256 + (buf[i] ?? 0);
        cx.k.mut('processes', cx.pid).vars = { ...cx.k.get('processes', cx.pid).vars, [name]: v };
      }
      cx.ret(cx.l.r);
    },
  });
}

/** pread64(fd, buf, count, offset). */
export const ksysPread64Path = rwPath('ksys_pread64', false);
/** pwrite64(fd, buf, count, offset). */
export const ksysPwrite64Path = rwPath('ksys_pwrite64', true);
