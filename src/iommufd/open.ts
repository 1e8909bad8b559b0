/**
 * openat() of the two misc character devices that hand out IOMMU contexts
 * (fs/char_dev.c chrdev_open → misc_open → the device's f_op->open, v6.19):
 * /dev/iommu (iommufd_fops_open) and /dev/vfio/vfio (vfio_fops_open, the
 * real container with the type1 backend: CONFIG_VFIO_CONTAINER, not
 * iommufd's CONFIG_IOMMUFD_VFIO_CONTAINER emulation, which the model
 * reaches through the compat ioctls on a /dev/iommu fd instead).
 *
 * Path `misc_open` {node, flags}: an unknown node is -ENOENT. Each device's
 * open ({@link contextOpenPath}) makes the context and its file together.
 */
import type { Kernel } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { Path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { allocFile } from '../fs/file-table.js';
import { fdInstall } from '../fs/fd.js';
import { newInode } from '../fs/address-space.js';
import { ENOENT } from '../uapi/errno.js';
import { O_CLOEXEC } from '../uapi/fcntl.js';

export const DEV_IOMMU = '/dev/iommu';
export const DEV_VFIO_VFIO = '/dev/vfio/vfio';

interface OpenLocals {
  readonly [key: string]: Value;
  node: string;
  flags: number;
  r: number;
}

export const misc_open = path<OpenLocals>()('misc_open', 'entry', {
  entry: (cx) => {
    // /dev/vfio/$GROUP: the group's cdev (drivers/vfio/group.c), vfio_group_fops_open
    const group = /^\/dev\/vfio\/([0-9]+)$/.exec(cx.l.node);
    if (group !== null && cx.k.design.paths.has('vfio_group_fops_open')) {
      return cx.call('vfio_group_fops_open', { group: Number(group[1]), flags: cx.l.flags }, 'r', 'done');
    }
    const fn = cx.l.node === DEV_IOMMU ? 'iommufd_fops_open' : cx.l.node === DEV_VFIO_VFIO ? 'vfio_fops_open' : null;
    if (fn === null || !cx.k.design.paths.has(fn)) return cx.ret(-ENOENT);
    cx.call(fn, { flags: cx.l.flags }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

type ContextOpenLocals = { flags: number; r: number; x: number };

/**
 * The f_op->open of a device that hands out a context (iommufd_fops_open,
 * vfio_fops_open) with the open(2) around it: an anon inode and a file
 * `${name}:${id}` whose private_data is the new context's id, the context
 * row `addContext` makes, then the fd (O_CLOEXEC honoured); a full fd table
 * drops the file again.
 */
export function contextOpenPath(
  fn: string, fop: string, name: string, addContext: (k: Kernel, id: number, file: number) => void,
): Path {
  return path<ContextOpenLocals>()(fn, 'entry', {
    entry: (cx) => {
      const id = cx.k.allocId();
      const inode = newInode(cx.k, 'anon', id);
      const file = allocFile(cx.k, {
        f_op: fop, f_inode: inode, f_mapping: inode, private_data: id,
        f_flags: cx.l.flags & ~O_CLOEXEC, name: `${name}:${id}`,
      });
      addContext(cx.k, id, file);
      const fd = fdInstall(cx.k, cx.pid, file, (cx.l.flags & O_CLOEXEC) !== 0);
      if (fd < 0) {
        cx.l.r = fd;
        return cx.call('fput', { file }, 'x', 'failed');
      }
      cx.emit('file', 'fd_install', { fd, file, name: `${name}:${id}`, f_count: 1 });
      cx.ret(fd);
    },
    failed: (cx) => cx.ret(cx.l.r),
  });
}
