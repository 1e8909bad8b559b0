/**
 * Making a VFIO dma-buf: the part of vfio_pci_core_feature_dma_buf()
 * (drivers/vfio/pci/vfio_pci_dmabuf.c, v6.19) between the checked request
 * and publishing it, shared by the feature ioctl (every design) and by
 * dmabuf-vma's mmap_prepare (RFC v2's vfio_pci_core_mmap_prep_dmabuf).
 *
 * {@link createVfioDmaBuf} runs inside one step: take a registration
 * reference on the device, allocate priv and dma_buf_export() it (nothing
 * else sees either yet). The caller then takes memory_lock (write), and
 * {@link registerVfioDmaBufLocked} takes the buffer's resv, decides
 * `revoked` from the memory-enable state, links priv on vdev->dmabufs and
 * drops both locks.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Cx } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { ENODEV } from '../../uapi/errno.js';
import { dmaBufExport } from '../../dma-buf/export.js';
import type { PhysVec } from '../../dma-buf/types.js';
import type { Value } from '../../kernel/sched/types.js';
import type { VfioPciDmaBuf } from './dmabuf-types.js';
import { vdevName, vfioDevicePutRegistration, vfioDeviceTryGetRegistration, vfioPciMemoryEnabled } from './device.js';

/** The name of vfio-pci's dma_buf_ops table (vfio_pci_dmabuf_ops). */
export const VFIO_PCI_DMABUF_OPS = 'vfio_pci_dmabuf_ops';

export interface NewVfioDmaBuf {
  readonly vdev: number;
  readonly region_index: number;
  readonly phys_vec: readonly PhysVec[];
  readonly size: number;
  readonly open_flags: number;
  /** Members a design added to struct vfio_pci_dma_buf (src/designs/patch.ts addField), set at allocation. */
  readonly fields?: { readonly [field: string]: Value };
}

/**
 * Registration + priv + dma_buf_export(); returns the ids or -errno (nothing
 * left allocated then). `fn` names the function in the trace event.
 */
export function createVfioDmaBuf(
  k: Kernel, tid: number, req: NewVfioDmaBuf, fn: string,
): { priv: number; dmabuf: number } | number {
  const v = k.get('vfio', req.vdev);
  // vfio_device_try_get_registration()
  if (!vfioDeviceTryGetRegistration(k, v.id)) return -ENODEV;
  const priv = k.add('vfio_dmabufs', (id): VfioPciDmaBuf => ({
    ...req.fields,
    id, dmabuf: 0, vdev: v.id, listed: false, size: req.size, region_index: req.region_index,
    phys_vec: req.phys_vec, nr_ranges: req.phys_vec.length, revoked: false,
  }));
  const dmabuf = dmaBufExport(k, {
    ops: VFIO_PCI_DMABUF_OPS, size: req.size, flags: req.open_flags, priv, exp_name: 'vfio_pci',
  }, tid);
  if (dmabuf < 0) {
    vfioDevicePutRegistration(k, v.id);
    k.remove('vfio_dmabufs', priv);
    return dmabuf;
  }
  k.mut('vfio_dmabufs', priv).dmabuf = dmabuf;
  k.emit({
    tid, kind: 'dmabuf', fn, args: {
      dev: vdevName(k, v.id), dmabuf, bar: req.region_index, size: hex(req.size),
      ranges: req.phys_vec.map((p) => `${hex(p.paddr)}+${hex(p.len)}`).join(','),
      ...req.fields,
    },
  });
  return { priv, dmabuf };
}

/**
 * The start of a step, with memory_lock held for write: take the new
 * buffer's resv (false: the task sleeps on it, return at once), decide
 * revoked iff memory is disabled now, link priv on vdev->dmabufs, then drop
 * the resv and memory_lock.
 */
export function registerVfioDmaBufLocked(cx: Cx<{ vdev: number; priv: number; dmabuf: number }>): boolean {
  const d = cx.k.get('dmabufs', cx.l.dmabuf);
  if (!cx.lock(d.resv, 'write')) return false;
  const v = cx.k.get('vfio', cx.l.vdev);
  const revoked = !vfioPciMemoryEnabled(cx.k, v.id);
  const m = cx.k.mut('vfio_dmabufs', cx.l.priv);
  m.revoked = revoked;
  m.listed = true;
  cx.k.mut('vfio', v.id).dmabufs = [...v.dmabufs, cx.l.priv];
  cx.emit('dmabuf', 'vfio_pci_dma_buf_register', { dev: vdevName(cx.k, v.id), dmabuf: d.id, revoked });
  cx.unlock(d.resv);
  cx.unlock(v.memory_lock);
  return true;
}
