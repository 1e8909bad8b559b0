/**
 * `legacy`: upstream v6.19. A BAR mmap is a VM_PFNMAP VMA on the vfio device
 * file; its address_space is the vfio device inode's (one per device), and
 * every path that can disable memory decoding zaps it with
 * vfio_pci_zap_bars(); faults go through vfio_pci_mmap_huge_fault().
 */
import type { Design } from './types.js';
import { FS_PATHS } from '../fs/index.js';
import { MM_PATHS } from '../mm/index.js';
import { VFIO_PCI_FILE_OPS, VFIO_PCI_PATHS, VFIO_PCI_VM_OPS } from '../vfio/pci/index.js';

export const legacy: Design = {
  name: 'legacy',
  description: 'upstream v6.19: BAR mmap on the vfio device file, zapped through the device inode',
  paths: new Map([...MM_PATHS, ...FS_PATHS, ...VFIO_PCI_PATHS].map((p) => [p.name, p])),
  fileOps: Object.fromEntries(VFIO_PCI_FILE_OPS.map((f) => [f.name, f])),
  vmOps: Object.fromEntries(VFIO_PCI_VM_OPS.map((v) => [v.name, v])),
};
