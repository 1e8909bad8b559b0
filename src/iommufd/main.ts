/**
 * The iommufd character device (drivers/iommu/iommufd/main.c, v6.19):
 * open of /dev/iommu, the ioctl dispatcher with its size checks, and
 * release.
 *
 * iommufd_fops_ioctl(): a command number outside the op table goes to the
 * VFIO type1 compatibility ioctls (vfio-compat.ts); get_user(size) faults
 * with -EFAULT; a command whose full number does not match the table entry
 * is -ENOIOCTLCMD (-ENOTTY to user space); size < min_size is -EINVAL;
 * copy_struct_from_user(): bytes past the known struct must be zero
 * (-E2BIG), a short buffer faults (-EFAULT). The command then runs on a
 * zero-extended copy of the struct.
 */
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import type { Cx } from '../kernel/sched/path.js';
import type { Locals } from '../kernel/sched/types.js';
import { ENOIOCTLCMD } from '../fs/ioctl.js';
import type { UnlockedIoctlLocals } from '../fs/ioctl.js';
import { E2BIG, EFAULT, EINVAL } from '../uapi/errno.js';
import { _IOC_NR } from '../uapi/ioctl.js';
import { IOMMUFD_CMD_BASE, IOMMUFD_CMD_LAST, IOMMUFD_IOCTL_OPS, iommufdIoctlName } from '../uapi/iommufd.js';
import { leValue } from '../uapi/codec.js';
import { copyToUser } from '../vfio/pci/uaccess.js';
import type { IommufdCtx } from './types.js';
import { contextOpenPath } from './open.js';

/** The file_operations table of an iommufd file. */
export const IOMMUFD_FOPS = 'iommufd_fops';

/** models iommufd_fops_open() behind openat("/dev/iommu"): a new iommufd_ctx on a new file. */
export const iommufd_fops_open = contextOpenPath('iommufd_fops_open', IOMMUFD_FOPS, 'iommufd', (k, id, file) => {
  const ctx: IommufdCtx = { id, file, next_obj_id: 1, objects: {}, vfio_ioas: 0 };
  k.set('iommufds', id, ctx);
});

interface IoctlLocals extends UnlockedIoctlLocals {
  r: number;
}

/** The locals iommufd_fops_ioctl() passes to a command's execute path: the zero-extended struct. */
export interface UcmdLocals {
  readonly [key: string]: Value;
  ictx: number;
  ucmd: readonly number[];
  user_size: number;
}

/** models iommufd_fops_ioctl(). */
export const iommufd_fops_ioctl = path<IoctlLocals>()('iommufd_fops_ioctl', 'entry', {
  entry: (cx) => {
    const ictx = cx.k.get('files', cx.l.file).private_data;
    const nr = _IOC_NR(cx.l.cmd);
    if (nr < IOMMUFD_CMD_BASE || nr > IOMMUFD_CMD_LAST) {
      return cx.call('iommufd_vfio_ioctl', { ictx, cmd: cx.l.cmd, arg: cx.l.arg, argFault: cx.l.argFault }, 'r', 'done');
    }
    cx.emit('syscall', 'iommufd_fops_ioctl', { cmd: iommufdIoctlName(cx.l.cmd) });
    if (cx.l.argFault || cx.l.arg.length < 4) return cx.ret(-EFAULT); // get_user(user_size)
    const userSize = leValue(cx.l.arg.slice(0, 4));
    const op = IOMMUFD_IOCTL_OPS.find((o) => o.cmd === cx.l.cmd);
    if (op === undefined || op.execute === null) return cx.ret(-ENOIOCTLCMD);
    if (userSize < op.min_size) return cx.ret(-EINVAL);
    const ksize = op.layout.size;
    // copy_struct_from_user(): check_zeroed_user() of the tail, then the copy.
    if (userSize > ksize) {
      if (cx.l.arg.length < userSize) return cx.ret(-EFAULT);
      if (cx.l.arg.slice(ksize, userSize).some((b) => b !== 0)) return cx.ret(-E2BIG);
    }
    const n = Math.min(ksize, userSize);
    if (cx.l.arg.length < n) return cx.ret(-EFAULT);
    const ucmd = [...cx.l.arg.slice(0, n)];
    while (ucmd.length < ksize) ucmd.push(0);
    cx.call(op.execute, { ictx, ucmd, user_size: userSize }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

/**
 * iommufd_ucmd_respond(): copy the command struct back, min(user size,
 * struct size) bytes. The user buffer was readable for that many bytes, so
 * the copy cannot fault in the model.
 */
export function ucmdRespond(cx: Cx<Locals>, userSize: number, bytes: readonly number[], what: string): void {
  copyToUser(cx, 'sys_ioctl', 'arg', 0, bytes.slice(0, Math.min(userSize, bytes.length)), what);
}

interface ReleaseLocals {
  readonly [key: string]: Value;
  file: number;
  ictx: number;
  todo: readonly number[];
  i: number;
  x: number;
}

/**
 * models iommufd_fops_release(): destroy every object. Devices hold a
 * reference on the file (iommufd_ctx_get at bind), so none is left here;
 * each IOAS is emptied (iopt_unmap_all) and freed.
 */
export const iommufd_fops_release = path<ReleaseLocals>()('iommufd_fops_release', 'entry', {
  entry: (cx) => {
    const ictx = cx.k.get('files', cx.l.file).private_data;
    cx.l.ictx = ictx;
    cx.l.todo = cx.k.ids('ioas').filter((id) => cx.k.get('ioas', id).ictx === ictx);
    cx.l.i = 0;
    cx.goto('next');
  },
  next: (cx) => {
    const ioas = cx.l.todo[cx.l.i];
    if (ioas === undefined) {
      cx.k.remove('iommufds', cx.l.ictx);
      cx.emit('iommu', 'iommufd_fops_release', { ictx: cx.l.ictx });
      return cx.ret(0);
    }
    cx.call('iopt_unmap_iova_range', { ioas, start: 0, last: Number.MAX_SAFE_INTEGER, unmapped: 0 }, 'x', 'free');
  },
  free: (cx) => {
    cx.k.remove('ioas', cx.l.todo[cx.l.i]!);
    cx.l.i += 1;
    cx.goto('next');
  },
});
