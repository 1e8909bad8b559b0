/**
 * vfio-pci's dma_buf_ops (drivers/vfio/pci/vfio_pci_dmabuf.c, v6.19;
 * docs/sources.md); the export itself, VFIO_DEVICE_FEATURE_DMA_BUF,
 * is in dmabuf-feature.ts.
 *
 * The exported buffer is a list of physical ranges (phys_vec) inside one
 * BAR. It starts revoked when memory decoding is off, decided under
 * memory_lock (write) and the buffer's resv; every path that disables
 * decoding revokes it (vfio_pci_dma_buf_move, dmabuf-move.ts) and the last
 * close of the device revokes it for good (vfio_pci_dma_buf_cleanup). The
 * buffer holds a registration reference on the vfio device.
 *
 * v6.19 has no ops->mmap: mmap of the fd fails -EINVAL in the dma-buf core.
 * Not modelled: variant drivers (every device has get_dmabuf_phys, the
 * vfio-pci core one), the P2P provider's bus offset (bus address = physical
 * address) and the sg_table/IOVA allocation of dma_buf_phys_vec_to_sgt.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import { EOPNOTSUPP, ENODEV } from '../../uapi/errno.js';
import type { DmaBufOps } from '../../designs/types.js';
import { vdevName, vfioDevicePutRegistration } from './device.js';
import type { VfioPciDmaBuf } from './dmabuf-types.js';
import { VFIO_PCI_DMABUF_OPS } from './dmabuf-create.js';

export { VFIO_PCI_DMABUF_OPS } from './dmabuf-create.js';

/** The private object of a dma-buf, if it is still allocated. */
function privOf(k: Kernel, dmabuf: number): VfioPciDmaBuf | undefined {
  const d = k.find('dmabufs', dmabuf);
  return d === undefined ? undefined : k.find('vfio_dmabufs', d.priv);
}

type OpLocals = { dmabuf: number; attach: number; r: number };

/** models vfio_pci_dma_buf_attach(): peer2peer required (-EOPNOTSUPP), not revoked (-ENODEV). */
export const vfio_pci_dma_buf_attach = path<OpLocals>()('vfio_pci_dma_buf_attach', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const p = privOf(cx.k, cx.l.dmabuf);
    let r = 0;
    if (!a.peer2peer) r = -EOPNOTSUPP;
    else if (p === undefined || p.revoked) r = -ENODEV;
    cx.emit('dmabuf', 'vfio_pci_dma_buf_attach', { dmabuf: cx.l.dmabuf, attach: a.id, peer2peer: a.peer2peer, ret: r });
    cx.ret(r);
  },
});

/** models vfio_pci_dma_buf_map(): resv held; -ENODEV if revoked; else the phys_vec ranges. */
export const vfio_pci_dma_buf_map = path<OpLocals>()('vfio_pci_dma_buf_map', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const d = cx.k.get('dmabufs', a.dmabuf);
    if (!cx.holds(d.resv)) cx.emit('warn', 'vfio_pci_dma_buf_map', { report: 'dma_resv_assert_held: resv not held', dmabuf: d.id });
    const p = privOf(cx.k, d.id);
    if (p === undefined || p.revoked) return cx.ret(-ENODEV);
    cx.k.mut('attachments', a.id).mapped = p.phys_vec;
    cx.ret(0);
  },
});

/** models vfio_pci_dma_buf_unmap(): dma_buf_free_sgt. */
export const vfio_pci_dma_buf_unmap = path<OpLocals>()('vfio_pci_dma_buf_unmap', 'entry', {
  entry: (cx) => {
    cx.k.mut('attachments', cx.l.attach).mapped = null;
    cx.ret(0);
  },
});

/**
 * models vfio_pci_dma_buf_pin(): always -EOPNOTSUPP (61ceaf236115, B16).
 * Defect B16-pinned-importer: the pin succeeds, as before that fix.
 */
export const vfio_pci_dma_buf_pin = path<OpLocals>()('vfio_pci_dma_buf_pin', 'entry', {
  entry: (cx) => cx.ret(cx.k.defect('B16-pinned-importer') ? 0 : -EOPNOTSUPP),
});

/** models vfio_pci_dma_buf_unpin(): nothing to do. */
export const vfio_pci_dma_buf_unpin = path<OpLocals>()('vfio_pci_dma_buf_unpin', 'entry', {
  entry: (cx) => cx.ret(0),
});

export type ReleaseLocals = { dmabuf: number; priv: number; vdev: number; r: number };

/**
 * models vfio_pci_dma_buf_release(): if priv->vdev is still set, unlink from
 * vdev->dmabufs under memory_lock (write) and drop the registration; then
 * free priv. A priv already freed (the feature ioctl's dma_buf_fd error
 * path) is reported as KASAN would and left alone.
 */
export const vfio_pci_dma_buf_release = path<ReleaseLocals>()('vfio_pci_dma_buf_release', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const p = cx.k.find('vfio_dmabufs', d.priv);
    if (p === undefined) {
      cx.emit('warn', 'vfio_pci_dma_buf_release', { report: 'KASAN: use-after-free of struct vfio_pci_dma_buf', dmabuf: d.id });
      return cx.ret(0);
    }
    cx.l.priv = p.id;
    cx.l.vdev = p.vdev;
    if (p.vdev === 0) return cx.goto('free');
    cx.goto('down_write');
  },
  down_write: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.lock(v.memory_lock, 'write')) return;
    cx.k.mut('vfio', v.id).dmabufs = v.dmabufs.filter((x) => x !== cx.l.priv);
    cx.k.mut('vfio_dmabufs', cx.l.priv).listed = false;
    cx.unlock(v.memory_lock);
    vfioDevicePutRegistration(cx.k, v.id);
    cx.emit('device', 'vfio_device_put_registration', { dev: vdevName(cx.k, v.id), registration: cx.k.get('vfio', v.id).registration });
    cx.goto('free');
  },
  free: (cx) => {
    cx.emit('dmabuf', 'vfio_pci_dma_buf_release', {
      dmabuf: cx.l.dmabuf, vdev: cx.l.vdev === 0 ? 'NULL' : vdevName(cx.k, cx.l.vdev),
    });
    cx.k.remove('vfio_dmabufs', cx.l.priv);
    cx.ret(0);
  },
});

/**
 * models vfio_pci_dma_buf_iommufd_map(): iommufd's private interconnect,
 * resv held; not a vfio dma-buf → -EOPNOTSUPP, revoked → -ENODEV, more than
 * one range → -EOPNOTSUPP; else the one physical range becomes the
 * importer's mapping.
 */
export const vfio_pci_dma_buf_iommufd_map = path<OpLocals>()('vfio_pci_dma_buf_iommufd_map', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const d = cx.k.get('dmabufs', a.dmabuf);
    if (!cx.holds(d.resv)) cx.emit('warn', 'vfio_pci_dma_buf_iommufd_map', { report: 'dma_resv_assert_held: resv not held', dmabuf: d.id });
    let r = 0;
    const p = privOf(cx.k, d.id);
    if (d.ops !== VFIO_PCI_DMABUF_OPS || p === undefined) r = -EOPNOTSUPP;
    else if (p.revoked) r = -ENODEV;
    else if (p.nr_ranges !== 1) r = -EOPNOTSUPP;
    if (r === 0 && p !== undefined) cx.k.mut('attachments', a.id).mapped = [p.phys_vec[0]!];
    cx.emit('dmabuf', 'vfio_pci_dma_buf_iommufd_map', { dmabuf: d.id, attach: a.id, ret: r });
    cx.ret(r);
  },
});

/** static const struct dma_buf_ops vfio_pci_dmabuf_ops (no mmap in v6.19). */
export const vfioPciDmabufOps: DmaBufOps = {
  name: VFIO_PCI_DMABUF_OPS,
  pin: 'vfio_pci_dma_buf_pin',
  unpin: 'vfio_pci_dma_buf_unpin',
  attach: 'vfio_pci_dma_buf_attach',
  map_dma_buf: 'vfio_pci_dma_buf_map',
  unmap_dma_buf: 'vfio_pci_dma_buf_unmap',
  release: 'vfio_pci_dma_buf_release',
};

/** The revoked flag of a vfio dma-buf, for tests and invariants (true once freed). */
export function vfioDmaBufRevoked(k: Kernel, dmabuf: number): boolean {
  return privOf(k, dmabuf)?.revoked ?? true;
}

