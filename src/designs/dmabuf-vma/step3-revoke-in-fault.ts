/**
 * dmabuf-vma step 3: "revoke in the fault path" (Jason Gunthorpe,
 * <20260227220427.GM5933@nvidia.com>): under memory_lock (read) the BAR
 * fault handler refuses a buffer that is revoked or whose vdev is NULL,
 * instead of asking whether the device decodes memory.
 */
import { faultMemoryLock } from '../common/dmabuf-fault.js';
import { patch, patchPath } from '../patch.js';
import { vfio_pci_mmap_huge_fault } from './step1-mmap-prepare.js';

export const step3RevokeInFault = patch(
  'vfio/pci: BAR faults check the DMA-buf revoke state',
  'Jason Gunthorpe <20260227220427.GM5933@nvidia.com> step 3',
  patchPath(vfio_pci_mmap_huge_fault).replace('memory_lock', faultMemoryLock('revoked')),
);
