/**
 * `shared-base`: Christian König's alternative (seed thread, 2 Mar 2026,
 * <b729ebe1-aea2-4f45-bb3f-3b4b59078c8d@amd.com>) to RFC1 3/7's second
 * fault path: one base object type is vm_file->private_data of both the
 * vfio device file and the dma-buf file. The dma-buf's instance holds the
 * real ranges and points at the exporting device; the vfio file's is a
 * dummy spanning the whole device (every BAR at its region offset) that
 * points at itself. One vm_operations_struct then serves both kinds of VMA:
 * its fault handler reads the base object behind vm_file (faultObject() in
 * common/dmabuf-fault.ts), walks its ranges, and refuses when the object is
 * revoked (a dma-buf: priv->revoked or vdev NULL; the dummy: memory decode
 * off). Each VMA stays in its own file's address_space, so both must be
 * zapped: vfio_pci_zap_bars() the device inode (as v6.19), and every
 * revoke and cleanup each dma-buf's own (as RFC1 3/7).
 *
 * The stack: the RFC series it answers, 1/7 (barmap before export), 2/7
 * (cleanup before disable) and 3/7 (mmap of the dma-buf fd, with the zap
 * of the buffer's own address_space), then this patch, which points both
 * kinds of VMA at one vm_operations_struct whose fault path reads the base
 * object (3/7's second fault path stays in the stack, unused). The revoke
 * ioctl and mmap attributes (4/7–6/7) are not part of it.
 */
import type { Design } from '../types.js';
import { addPath, patch, patchPath, setVmOps, stack } from '../patch.js';
import { legacy } from '../legacy.js';
import { VFIO_PCI_MMAP_OPS } from '../../vfio/pci/mmap.js';
import { compatMapDmaBuf } from '../common/compat-map-dmabuf.js';
import { dmaBufHugeFault, dmaBufPageFault } from '../common/dmabuf-fault.js';
import { dmaBufMmapStep } from '../common/dmabuf-mmap.js';
import { cleanupBeforeDisable, ensureBarmap, mmapDmaBuf } from '../rfc/index.js';
import { vfio_pci_dma_buf_mmap } from '../rfc/0003-mmap-dmabuf.js';

/** The fault path of the one vm_operations_struct: the base object's ranges, refused while it is revoked. */
export const vfio_pci_base_mmap_huge_fault = dmaBufHugeFault('vfio_pci_base_mmap_huge_fault', 'multi', 'revoked');
export const vfio_pci_base_mmap_page_fault = dmaBufPageFault('vfio_pci_base_mmap_page_fault', 'vfio_pci_base_mmap_huge_fault');

export const commonBaseObject = patch(
  'vfio/pci, dma-buf: one base object behind vfio and dma-buf files, one vm_operations_struct for both',
  'Christian König <b729ebe1-aea2-4f45-bb3f-3b4b59078c8d@amd.com> (proposed in the thread; not posted as a patch)',
  addPath(vfio_pci_base_mmap_huge_fault),
  addPath(vfio_pci_base_mmap_page_fault),
  setVmOps(VFIO_PCI_MMAP_OPS, { fault: 'vfio_pci_base_mmap_page_fault', huge_fault: 'vfio_pci_base_mmap_huge_fault' }),
  patchPath(vfio_pci_dma_buf_mmap).replace('entry', dmaBufMmapStep({ vmOps: VFIO_PCI_MMAP_OPS, refuseRevoked: true, memattr: false })),
);

export const sharedBase: Design = stack(legacy, {
  name: 'shared-base',
  description: 'Christian\'s common base object behind vfio and dma-buf files: one vm_ops for both kinds of VMA, ' +
    'zap of both address spaces',
  patches: [ensureBarmap, cleanupBeforeDisable, mmapDmaBuf, commonBaseObject, compatMapDmaBuf],
});
