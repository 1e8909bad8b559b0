/**
 * openat() of the two misc character devices that hand out IOMMU contexts
 * (fs/char_dev.c chrdev_open → misc_open → the device's f_op->open, v6.19):
 * /dev/iommu (iommufd_fops_open) and /dev/vfio/vfio (vfio_fops_open, the
 * real container with the type1 backend: CONFIG_VFIO_CONTAINER, not
 * iommufd's CONFIG_IOMMUFD_VFIO_CONTAINER emulation, which the model
 * reaches through the compat ioctls on a /dev/iommu fd instead).
 *
 * Path `misc_open` {node, flags}: an unknown node is -ENOENT.
 */
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { ENOENT } from '../uapi/errno.js';

export const DEV_IOMMU = '/dev/iommu';
export const DEV_VFIO_VFIO = '/dev/vfio/vfio';

interface OpenLocals {
  readonly [key: string]: Value;
  node: string;
  flags: number;
  r: number;
}

export const misc_open = path<OpenLocals>('misc_open', 'entry', {
  entry: (cx) => {
    const fn = cx.l.node === DEV_IOMMU ? 'iommufd_fops_open' : cx.l.node === DEV_VFIO_VFIO ? 'vfio_fops_open' : null;
    if (fn === null || !cx.k.design.paths.has(fn)) return cx.ret(-ENOENT);
    cx.call(fn, { flags: cx.l.flags }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});
