/**
 * v3 9/9, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR: a device feature that sets
 * the mmap attribute of a dma-buf the device exported, uncached (the
 * default) or write-combine; vfio_pci_dma_buf_mmap() then maps with it.
 * Read from the v3 changelog: SET only (v3 removed GET), no memory_lock,
 * an unknown attribute value answers -ENOENT (Alex Williamson's review,
 * <20260602131417.41366391@shazbot.org>, had proposed -EOPNOTSUPP).
 *
 * Inferred, not read: the feature number (the model takes 12, the next
 * after VFIO_DEVICE_FEATURE_DMA_BUF = 11), the payload (__s32 dma-buf fd,
 * __u32 attribute: 0 UC, 1 WC) and -EINVAL for an fd that is not a dma-buf
 * of this device.
 */
import { path } from '../../kernel/sched/path.js';
import { EBADF, EFAULT, EINVAL, ENOENT } from '../../uapi/errno.js';
import { decodeStruct, leValue, u32 } from '../../uapi/codec.js';
import { VFIO_DEVICE_FEATURE_MASK, VFIO_DEVICE_FEATURE_MINSZ, VFIO_DEVICE_FEATURE_SET, vfio_device_feature } from '../../uapi/vfio.js';
import { fget } from '../../fs/fd.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import { vfio_device_fops_unl_ioctl } from '../../vfio/pci/ioctl.js';
import { vfioCheckFeature } from '../../vfio/pci/dmabuf-feature.js';
import { VFIO_PCI_MMAP_OPS } from '../../vfio/pci/mmap.js';
import type { DmaBufMemAttr } from '../common/vfio-dmabuf.js';
import { vdmabufOf } from '../common/vfio-dmabuf.js';
import { dmaBufMmapStep } from '../common/dmabuf-mmap.js';
import { addField, addPath, patch, patchPath } from '../patch.js';
import { vfio_pci_dma_buf_mmap } from './0007-mmap-dmabuf.js';
import { v3Cite } from './cite.js';

/** VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (number inferred). */
export const VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR = 12;
/** The attribute values: uncached, write-combine. */
export const VFIO_DMABUF_MEMATTR_UC = 0;
export const VFIO_DMABUF_MEMATTR_WC = 1;
const MEMATTR_ARGSZ = 8;

type MemattrLocals = { vdev: number; flags: number; argsz: number; arg: readonly number[]; argFault: boolean; file: number; r: number; x: number };

/** models vfio_pci_core_feature_dma_buf_memattr(): SET the attribute of one of the device's dma-bufs. */
export const vfio_pci_core_feature_dma_buf_memattr = path<MemattrLocals>()('vfio_pci_core_feature_dma_buf_memattr', 'entry', {
  entry: (cx) => {
    const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_SET, MEMATTR_ARGSZ);
    if (chk !== 1) return cx.ret(chk);
    if (cx.l.argFault || cx.l.arg.length < MEMATTR_ARGSZ) return cx.ret(-EFAULT);
    const fd = leValue(cx.l.arg.slice(0, 4)) | 0;
    const value = leValue(cx.l.arg.slice(4, 8));
    const file = fget(cx.k, cx.pid, fd, cx.tid);
    if (file === 0) return cx.ret(-EBADF);
    cx.l.file = file;
    const p = isDmaBufFile(cx.k, file) ? vdmabufOf(cx.k, cx.k.get('files', file).private_data) : undefined;
    const attr: DmaBufMemAttr | null = value === VFIO_DMABUF_MEMATTR_UC ? 'UC' : value === VFIO_DMABUF_MEMATTR_WC ? 'WC' : null;
    if (p === undefined || p.vdev !== cx.l.vdev) cx.l.r = -EINVAL;
    else if (attr === null) cx.l.r = -ENOENT;
    else {
      (cx.k.mut('vfio_dmabufs', p.id) as { memattr?: DmaBufMemAttr }).memattr = attr;
      cx.l.r = 0;
    }
    cx.emit('dmabuf', 'vfio_pci_core_feature_dma_buf_memattr', { fd, memattr: value, ret: cx.l.r });
    cx.call('fput', { file }, 'x', 'out');
  },
  out: (cx) => cx.ret(cx.l.r),
});

export const memattr = patch(
  'vfio/pci: Add VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR',
  v3Cite(9),
  addField('vfio_dmabufs', 'memattr', "the buffer's mmap attribute: 'UC' or 'WC'"),
  addPath(vfio_pci_core_feature_dma_buf_memattr),
  // vfio_ioctl_device_feature(): the new feature goes to its handler, every other as before.
  patchPath(vfio_device_fops_unl_ioctl).replace('device_feature', (cx) => {
    const minsz = VFIO_DEVICE_FEATURE_MINSZ;
    if (!cx.l.argFault && cx.l.arg.length >= minsz) {
      const f = decodeStruct(vfio_device_feature, cx.l.arg, minsz);
      const flags = u32(f, 'flags');
      if ((flags & VFIO_DEVICE_FEATURE_MASK) === VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR && u32(f, 'argsz') >= minsz) {
        return cx.call('vfio_pci_core_feature_dma_buf_memattr', {
          vdev: cx.l.vdev, flags, argsz: u32(f, 'argsz') - minsz, arg: cx.l.arg.slice(minsz), argFault: cx.l.argFault,
        }, 'r', 'done');
      }
    }
    vfio_device_fops_unl_ioctl.steps.device_feature(cx);
  }),
  patchPath(vfio_pci_dma_buf_mmap).replace('entry', dmaBufMmapStep({ vmOps: VFIO_PCI_MMAP_OPS, refuseRevoked: true, memattr: true })),
);
