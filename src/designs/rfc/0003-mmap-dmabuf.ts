/**
 * RFC1 3/7 "vfio/pci: Support mmap() of a DMABUF": dma_buf_ops.mmap =
 * vfio_pci_dma_buf_mmap. The VMA keeps the dma-buf file (its own
 * address_space), vm_pgoff is a page offset in the buffer, and its own
 * fault/huge_fault walk the phys_vec ranges (vfio_pci_dma_buf_find_pfn)
 * under memory_lock (read), refusing a revoked buffer or one whose vdev is
 * NULL. Revoke and cleanup also zap dmabuf->file->f_mapping, after the
 * notify, under memory_lock and the resv. BAR mmaps of the vfio file are
 * unchanged: two VMA flows, two address spaces.
 */
import type { VmOperations } from '../types.js';
import { vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import { vfio_pci_dma_buf_cleanup, vfio_pci_dma_buf_move } from '../../vfio/pci/dmabuf-move.js';
import { addPath, patch, patchPath, setDmaBufOps, setVmOps } from '../patch.js';
import { dmaBufHugeFault, dmaBufPageFault } from '../common/dmabuf-fault.js';
import { dmaBufMmapPath } from '../common/dmabuf-mmap.js';
import { zapOwnMappingArgs } from '../common/vfio-dmabuf.js';

/** The vm_operations_struct of a VMA made by mmap() of a VFIO dma-buf fd. */
export const VFIO_PCI_DMA_BUF_MMAP_OPS = 'vfio_pci_dma_buf_mmap_ops';

export const vfio_pci_dma_buf_mmap_huge_fault = dmaBufHugeFault('vfio_pci_dma_buf_mmap_huge_fault', 'multi', 'revoked');
export const vfio_pci_dma_buf_mmap_page_fault = dmaBufPageFault('vfio_pci_dma_buf_mmap_page_fault', 'vfio_pci_dma_buf_mmap_huge_fault');
export const vfio_pci_dma_buf_mmap = dmaBufMmapPath({ vmOps: VFIO_PCI_DMA_BUF_MMAP_OPS, refuseRevoked: true, memattr: false });

export const mmapDmaBuf = patch(
  'vfio/pci: Support mmap() of a DMABUF',
  'RFC1 3/7, <20260226202211.929005-1-mattev@meta.com>',
  addPath(vfio_pci_dma_buf_mmap_huge_fault),
  addPath(vfio_pci_dma_buf_mmap_page_fault),
  addPath(vfio_pci_dma_buf_mmap),
  setVmOps(VFIO_PCI_DMA_BUF_MMAP_OPS, {
    fault: 'vfio_pci_dma_buf_mmap_page_fault', huge_fault: 'vfio_pci_dma_buf_mmap_huge_fault',
  } satisfies Partial<VmOperations>),
  setDmaBufOps(vfioPciDmabufOps, { mmap: 'vfio_pci_dma_buf_mmap' }),
  // vfio_pci_dma_buf_move(): a revoke also zaps the buffer's CPU mappings, after the notify, resv held.
  patchPath(vfio_pci_dma_buf_move).insertBefore('resv_unlock', 'zap', (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    if (!cx.l.revoked) return cx.goto('resv_unlock');
    cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, p.dmabuf), 'x', 'resv_unlock');
  }),
  // vfio_pci_dma_buf_cleanup(): the same for the device's last close.
  patchPath(vfio_pci_dma_buf_cleanup).insertBefore('resv_unlock', 'zap', (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, p.dmabuf), 'x', 'resv_unlock');
  }),
);
