/**
 * Making a VFIO dma-buf: the part of vfio_pci_core_feature_dma_buf()
 * (drivers/vfio/pci/vfio_pci_dmabuf.c, v6.19) between the checked request
 * and publishing it, shared by the designs' export paths and by
 * dmabuf-vma's mmap_prepare (RFC v2's vfio_pci_core_mmap_prep_dmabuf).
 *
 * {@link createVfioDmaBuf} runs inside one step: take a registration
 * reference on the device, allocate priv and dma_buf_export() it (nothing
 * else sees either yet). The caller then takes memory_lock (write) and the
 * buffer's resv and calls {@link registerVfioDmaBuf}, which decides
 * `revoked` from the memory-enable state and links priv on vdev->dmabufs.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { hex } from '../../kernel/events.js';
import { ENODEV } from '../../uapi/errno.js';
import { dmaBufExport } from '../../dma-buf/export.js';
import type { PhysVec } from '../../dma-buf/types.js';
import { VFIO_PCI_DMABUF_OPS } from '../../vfio/pci/dmabuf.js';
import { vdevName, vfioPciMemoryEnabled } from '../../vfio/pci/device.js';
import type { DesignVfioDmaBuf, DmaBufMemAttr } from './vfio-dmabuf.js';

export interface NewVfioDmaBuf {
  readonly vdev: number;
  readonly region_index: number;
  readonly phys_vec: readonly PhysVec[];
  readonly size: number;
  readonly open_flags: number;
  readonly memattr?: DmaBufMemAttr;
  /** The vfio file priv keeps (its reference is the caller's, handed over). */
  readonly vfile?: number;
}

/** Registration + priv + dma_buf_export(); returns the ids or -errno (nothing left allocated then). */
export function createVfioDmaBuf(k: Kernel, tid: number, req: NewVfioDmaBuf): { priv: number; dmabuf: number } | number {
  const v = k.get('vfio', req.vdev);
  // vfio_device_try_get_registration()
  if (v.registration <= 0) return -ENODEV;
  k.mut('vfio', v.id).registration = v.registration + 1;
  const priv = k.add('vfio_dmabufs', (id): DesignVfioDmaBuf => ({
    id, dmabuf: 0, vdev: v.id, listed: false, size: req.size, region_index: req.region_index,
    phys_vec: req.phys_vec, nr_ranges: req.phys_vec.length, revoked: false,
    ...(req.memattr !== undefined ? { memattr: req.memattr } : {}),
    ...(req.vfile !== undefined ? { vfile: req.vfile } : {}),
  }));
  const dmabuf = dmaBufExport(k, {
    ops: VFIO_PCI_DMABUF_OPS, size: req.size, flags: req.open_flags, priv, exp_name: 'vfio_pci',
  }, tid);
  if (dmabuf < 0) {
    k.mut('vfio', v.id).registration = k.get('vfio', v.id).registration - 1;
    k.remove('vfio_dmabufs', priv);
    return dmabuf;
  }
  k.mut('vfio_dmabufs', priv).dmabuf = dmabuf;
  k.emit({
    tid, kind: 'dmabuf', fn: 'vfio_pci_dma_buf_export', args: {
      dev: vdevName(k, v.id), dmabuf, bar: req.region_index, size: hex(req.size),
      ranges: req.phys_vec.map((p) => `${hex(p.paddr)}+${hex(p.len)}`).join(','),
      ...(req.memattr ? { memattr: req.memattr } : {}), ...(req.vfile ? { vfile: req.vfile } : {}),
    },
  });
  return { priv, dmabuf };
}

/**
 * With memory_lock (write) and the buffer's resv held: revoked iff memory
 * is disabled now; link priv on vdev->dmabufs.
 */
export function registerVfioDmaBuf(k: Kernel, tid: number, priv: number): void {
  const p = k.get('vfio_dmabufs', priv);
  const v = k.get('vfio', p.vdev);
  const revoked = !vfioPciMemoryEnabled(k, v.id);
  const m = k.mut('vfio_dmabufs', priv);
  m.revoked = revoked;
  m.listed = true;
  k.mut('vfio', v.id).dmabufs = [...v.dmabufs, priv];
  k.emit({ tid, kind: 'dmabuf', fn: 'vfio_pci_dma_buf_register', args: { dev: vdevName(k, v.id), dmabuf: p.dmabuf, revoked } });
}
