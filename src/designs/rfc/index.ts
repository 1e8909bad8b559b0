/**
 * `rfc`: Matt Evans' "[RFC PATCH 0/7] vfio/pci: Add mmap() for DMABUFs"
 * (<20260226202211.929005-1-mattev@meta.com>, 26 Feb 2026, on v6.19;
 * KERNEL.md §6.1), on top of `legacy`:
 *
 *   1/7 the export requests the BAR first (vfio_pci_core_setup_barmap);
 *   2/7 the last close cleans the dma-bufs up before disabling the function;
 *   3/7 dma_buf_ops.mmap = vfio_pci_dma_buf_mmap: the VMA keeps the dma-buf
 *       file (its own address_space), vm_pgoff is a page offset in the
 *       buffer, and its own fault/huge_fault walk the phys_vec ranges
 *       (vfio_pci_dma_buf_find_pfn); revoke and cleanup also zap
 *       dmabuf->file->f_mapping;
 *   4/7 DMA_BUF_IOCTL_REVOKE and ops->revoke; 5/7 permanent revoke;
 *   6/7 the UC/WC mmap attribute in the feature's flags (bits 28–31).
 * BAR mmaps of the vfio file are unchanged (legacy vm_ops, device inode,
 * vfio_pci_zap_bars): two VMA flows, two address spaces.
 * Not modelled: 7/7 (a selftest).
 */
import type { Design, DmaBufOps, VmOperations } from '../types.js';
import { extendDesign } from '../types.js';
import { legacy } from '../legacy.js';
import { vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import { featureDmaBufPath } from '../common/feature.js';
import { vfioDeviceFopsReleaseCleanupFirst } from '../common/release.js';
import { dmaBufMmapPath } from '../common/dmabuf-mmap.js';
import { dmaBufFaultPaths } from '../common/dmabuf-fault.js';
import { dmaBufCleanupPath, dmaBufMovePath } from '../common/dmabuf-move.js';
import { dmaBufVmaPfn, vmaDmaBuf } from '../common/vfio-dmabuf.js';
import { dma_buf_ioctl, vfio_pci_dma_buf_revoke } from './revoke.js';

/** The vm_operations_struct of a VMA made by mmap() of a VFIO dma-buf fd (RFC1 3/7). */
export const VFIO_PCI_DMA_BUF_MMAP_OPS = 'vfio_pci_dma_buf_mmap_ops';

export const rfcDmaBufVmOps: VmOperations = {
  name: VFIO_PCI_DMA_BUF_MMAP_OPS,
  fault: 'vfio_pci_dma_buf_mmap_page_fault',
  huge_fault: 'vfio_pci_dma_buf_mmap_huge_fault',
  expectedPfn: dmaBufVmaPfn,
  // revoke and cleanup zap the dma-buf's own address_space, where the core linked the VMA
  zapMappings: (k, vma) => [k.get('files', vma.vm_file).f_mapping],
};

const rfcDmaBufOps: DmaBufOps = {
  ...vfioPciDmabufOps,
  mmap: 'vfio_pci_dma_buf_mmap',
  revoke: 'vfio_pci_dma_buf_revoke',
};

export const rfc: Design = extendDesign(legacy, {
  name: 'rfc',
  description: 'RFC v1 (Feb 2026): mmap of the VFIO dma-buf fd with its own fault path and address_space, ' +
    'revoke ioctl, permanent revoke, UC/WC attribute',
  paths: [
    featureDmaBufPath({ setupBarmap: true, memattr: true }),
    vfioDeviceFopsReleaseCleanupFirst,
    dmaBufMmapPath({ vmOps: VFIO_PCI_DMA_BUF_MMAP_OPS, refuseRevoked: true, memattr: true }),
    ...dmaBufFaultPaths({
      fault: 'vfio_pci_dma_buf_mmap_page_fault', hugeFault: 'vfio_pci_dma_buf_mmap_huge_fault',
      lookup: 'multi', check: 'revoked',
    }),
    dmaBufMovePath({ zapOwnMapping: true, permanentRevoke: true }),
    dmaBufCleanupPath({ zapOwnMapping: true }),
    dma_buf_ioctl,
    vfio_pci_dma_buf_revoke,
  ],
  vmOps: [rfcDmaBufVmOps],
  dmaBufOps: [rfcDmaBufOps],
  vmaToDmaBuf: vmaDmaBuf,
});
