/**
 * dmabuf-vma step 2: "full multi-range fault semantics" (Jason Gunthorpe,
 * <20260227220427.GM5933@nvidia.com>): the BAR fault handler walks every
 * range of the buffer (vfio_pci_dma_buf_find_pfn(), as RFC1 3/7), the
 * 2^order pages inside one range and the pfn aligned, else
 * VM_FAULT_FALLBACK.
 */
import { faultEntry } from '../common/dmabuf-fault.js';
import { patch, patchPath } from '../patch.js';
import { vfio_pci_mmap_huge_fault } from './step1-mmap-prepare.js';

export const step2MultiRange = patch(
  'vfio/pci: BAR faults with full multi-range semantics',
  'Jason Gunthorpe <20260227220427.GM5933@nvidia.com> step 2',
  patchPath(vfio_pci_mmap_huge_fault).replace('entry', faultEntry('multi')),
);
