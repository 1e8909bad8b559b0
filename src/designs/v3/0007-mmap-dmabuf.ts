/**
 * v3 7/9 "vfio/pci: Support mmap() of a VFIO DMABUF": dma_buf_ops.mmap, the
 * same vm_operations as a BAR mmap (the buffer's own address_space, page
 * offsets inside the buffer); a revoked buffer is refused at mmap as well
 * as at fault ("belt-and-braces", v3's changelog).
 */
import { VFIO_PCI_MMAP_OPS } from '../../vfio/pci/mmap.js';
import { vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import { dmaBufMmapPath } from '../common/dmabuf-mmap.js';
import { addPath, patch, setDmaBufOps } from '../patch.js';
import { v3Cite } from './cite.js';

export const vfio_pci_dma_buf_mmap = dmaBufMmapPath({ vmOps: VFIO_PCI_MMAP_OPS, refuseRevoked: true, memattr: false });

export const mmapDmaBuf = patch(
  'vfio/pci: Support mmap() of a VFIO DMABUF',
  v3Cite(7),
  addPath(vfio_pci_dma_buf_mmap),
  setDmaBufOps(vfioPciDmabufOps, { mmap: 'vfio_pci_dma_buf_mmap' }),
);
