/**
 * lseek(2): ksys_lseek() → vfs_llseek() (fs/read_write.c, v6.19).
 *
 * Path `ksys_lseek` with locals {fd, offset, whence}: a bad fd is -EBADF, a
 * whence above SEEK_MAX (SEEK_HOLE) -EINVAL, and a file without
 * FMODE_LSEEK -ESPIPE. FMODE_LSEEK is set when the file is opened only if
 * its file_operations have ->llseek (do_dentry_open() clears it after
 * ->open for the cdev path, whose chrdev_open() swapped in the driver's
 * fops; file_init_path() sets it for anon-inode files): vfio_device_fops
 * has no ->llseek in v6.19, so lseek on a vfio device fd is -ESPIPE and
 * leaves nothing to move — pread/pwrite take their offset as an argument
 * (ksys_pread64(): FMODE_PREAD), which is how every vfio region is read.
 * With ->llseek the call goes to that path with locals {file, offset,
 * whence} (dma_buf_llseek()). The model keeps no f_pos: no modelled
 * ->llseek sets one, and read/write without an offset are not modelled.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { EBADF, EINVAL, ESPIPE } from '../uapi/errno.js';
import { SEEK_MAX } from '../uapi/fcntl.js';
import { fget } from './fd.js';

interface LseekLocals {
  readonly [key: string]: Value;
  fd: number;
  offset: number;
  whence: number;
  file: number;
  r: number;
  x: number;
}

export const ksysLseekPath = path<LseekLocals>()('ksys_lseek', 'start', {
  start: (cx) => {
    const file = fget(cx.k, cx.pid, cx.l.fd, cx.tid);
    if (file === 0) return cx.ret(-EBADF);
    cx.l.file = file;
    cx.l.r = -EINVAL;
    if (cx.l.whence < 0 || cx.l.whence > SEEK_MAX) return cx.goto('out');
    const llseek = cx.k.design.fileOps[cx.k.get('files', file).f_op]?.llseek;
    cx.l.r = -ESPIPE; // vfs_llseek(): !(f_mode & FMODE_LSEEK)
    if (!llseek) return cx.goto('out');
    cx.call(llseek, { file, offset: cx.l.offset, whence: cx.l.whence }, 'r', 'out');
  },
  out: (cx) => cx.call('fput', { file: cx.l.file }, 'x', 'done'),
  done: (cx) => cx.ret(cx.l.r),
});
