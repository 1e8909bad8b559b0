/**
 * dmabuf-vma step 5: "direct mmap of the DMA-buf fd" (Jason Gunthorpe,
 * <20260227220427.GM5933@nvidia.com>): dma_buf_ops.mmap, so the dma-buf
 * fd itself can be mmapped, through the same vm_operations as a BAR mmap.
 */
import { VFIO_PCI_MMAP_OPS } from '../../vfio/pci/mmap.js';
import { vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import { dmaBufMmapPath } from '../common/dmabuf-mmap.js';
import { addPath, patch, setDmaBufOps } from '../patch.js';

export const step5MmapDmaBufFd = patch(
  'vfio/pci: mmap() of the DMA-buf fd through the BAR vm_operations',
  'Jason Gunthorpe <20260227220427.GM5933@nvidia.com> step 5',
  addPath(dmaBufMmapPath({ vmOps: VFIO_PCI_MMAP_OPS, refuseRevoked: false, memattr: false })),
  setDmaBufOps(vfioPciDmabufOps, { mmap: 'vfio_pci_dma_buf_mmap' }),
);
