/**
 * `legacy`: upstream v6.19, the empty patch stack every other design is
 * built on. A BAR mmap is a VM_PFNMAP VMA on the vfio device file; its
 * address_space is the vfio device inode's (one per device), and every path
 * that can disable memory decoding zaps it with vfio_pci_zap_bars(); faults
 * go through vfio_pci_mmap_huge_fault(). BARs can be exported as dma-bufs
 * (VFIO_DEVICE_FEATURE_DMA_BUF, 5d74781ebc86) that every zap site revokes;
 * the dma-buf fd has no mmap (vfio_pci_dmabuf_ops.mmap is NULL).
 */
import type { Design } from './types.js';
import { FS_PATHS } from '../fs/index.js';
import { MM_PATHS } from '../mm/index.js';
import { DMA_BUF_FILE_OPS, DMA_BUF_PATHS } from '../dma-buf/index.js';
import { IOMMUFD_FILE_OPS, IOMMUFD_PATHS } from '../iommufd/index.js';
import { VFIO_TYPE1_FILE_OPS, VFIO_TYPE1_PATHS } from '../vfio/type1/index.js';
import {
  VFIO_PCI_DMABUF_OPS_TABLES, VFIO_PCI_FILE_OPS, VFIO_PCI_PATHS, VFIO_PCI_VM_OPS,
} from '../vfio/pci/index.js';

export const legacy: Design = {
  name: 'legacy',
  description: 'upstream v6.19: BAR mmap on the vfio device file, zapped through the device inode',
  patches: [],
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
  fields: [],
};
