/**
 * `legacy`: upstream v6.19. A BAR mmap is a VM_PFNMAP VMA on the vfio device
 * file; its address_space is the vfio device inode's (one per device), and
 * every path that can disable memory decoding zaps it with
 * vfio_pci_zap_bars(); faults go through vfio_pci_mmap_huge_fault(). BARs
 * can be exported as dma-bufs (VFIO_DEVICE_FEATURE_DMA_BUF) that every zap
 * site revokes; the dma-buf fd has no mmap (vfio_pci_dmabuf_ops.mmap is NULL).
 */
import type { Design } from './types.js';
import type { Kernel } from '../kernel/kernel.js';
import { FS_PATHS } from '../fs/index.js';
import { MM_PATHS } from '../mm/index.js';
import { DMA_BUF_FILE_OPS, DMA_BUF_PATHS } from '../dma-buf/index.js';
import { IOMMUFD_FILE_OPS, IOMMUFD_PATHS, iommufdFileRefs } from '../iommufd/index.js';
import { VFIO_TYPE1_FILE_OPS, VFIO_TYPE1_PATHS } from '../vfio/type1/index.js';
import {
  VFIO_PCI_DMABUF_OPS_TABLES, VFIO_PCI_FILE_OPS, VFIO_PCI_PATHS, VFIO_PCI_VM_OPS,
} from '../vfio/pci/index.js';

/** File references importer attachments hold (dma_buf_get at attach, dma_buf_put at detach). */
export function attachmentFileRefs(k: Kernel): Map<number, number> {
  const out = new Map<number, number>();
  for (const id of k.ids('attachments')) {
    const d = k.find('dmabufs', k.get('attachments', id).dmabuf);
    if (d !== undefined) out.set(d.file, (out.get(d.file) ?? 0) + 1);
  }
  return out;
}

/** attachmentFileRefs plus the references iommufd objects hold (bound devices, file pages). */
export function legacyKernelFileRefs(k: Kernel): Map<number, number> {
  const out = attachmentFileRefs(k);
  for (const [f, n] of iommufdFileRefs(k)) out.set(f, (out.get(f) ?? 0) + n);
  return out;
}

export const legacy: Design = {
  name: 'legacy',
  description: 'upstream v6.19: BAR mmap on the vfio device file, zapped through the device inode',
  // IOMMUFD_PATHS after DMA_BUF_PATHS: iommufd's iopt_revoke_notify replaces the importer model's stand-in.
  paths: new Map(
    [...MM_PATHS, ...FS_PATHS, ...DMA_BUF_PATHS, ...VFIO_PCI_PATHS, ...IOMMUFD_PATHS, ...VFIO_TYPE1_PATHS]
      .map((p) => [p.name, p]),
  ),
  fileOps: Object.fromEntries(
    [...VFIO_PCI_FILE_OPS, ...DMA_BUF_FILE_OPS, ...IOMMUFD_FILE_OPS, ...VFIO_TYPE1_FILE_OPS].map((f) => [f.name, f]),
  ),
  vmOps: Object.fromEntries(VFIO_PCI_VM_OPS.map((v) => [v.name, v])),
  dmaBufOps: Object.fromEntries(VFIO_PCI_DMABUF_OPS_TABLES.map((d) => [d.name, d])),
  kernelFileRefs: legacyKernelFileRefs,
  // No VMA has a dma-buf under it: BAR mmaps are on the vfio file and the dma-buf fd has no mmap.
  vmaToDmaBuf: () => null,
};
