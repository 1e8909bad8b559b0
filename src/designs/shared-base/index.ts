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
 * Built on the RFC series it answers: 1/7 (barmap before export), 2/7
 * (cleanup before disable) and 3/7's mmap of the dma-buf fd are kept; the
 * revoke ioctl and mmap attributes (4/7–6/7) are not part of it.
 */
import type { Design, VmOperations } from '../types.js';
import { extendDesign } from '../types.js';
import { legacy } from '../legacy.js';
import { vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import { VFIO_PCI_MMAP_OPS } from '../../vfio/pci/mmap.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import { featureDmaBufPath } from '../common/feature.js';
import { vfioDeviceFopsReleaseCleanupFirst } from '../common/release.js';
import { dmaBufMmapPath } from '../common/dmabuf-mmap.js';
import { dmaBufFaultPaths } from '../common/dmabuf-fault.js';
import { dmaBufCleanupPath, dmaBufMovePath } from '../common/dmabuf-move.js';
import { deviceRanges, dmaBufVmaPfn, objectOffset, rangePfn, vmaDmaBuf } from '../common/vfio-dmabuf.js';

/** The one vm_operations_struct of both kinds of VMA. */
export const sharedBaseVmOps: VmOperations = {
  name: VFIO_PCI_MMAP_OPS,
  fault: 'vfio_pci_base_mmap_page_fault',
  huge_fault: 'vfio_pci_base_mmap_huge_fault',
  expectedPfn: (k, vma, address) => {
    if (isDmaBufFile(k, vma.vm_file)) return dmaBufVmaPfn(k, vma, address);
    const vdev = k.get('files', vma.vm_file).private_data;
    return rangePfn(deviceRanges(k, vdev), objectOffset(vma, address));
  },
  // each VMA is zapped through its own file's address_space: the device inode or the dma-buf's
  zapMappings: (k, vma) => [k.get('files', vma.vm_file).f_mapping],
};

export const sharedBase: Design = extendDesign(legacy, {
  name: 'shared-base',
  description: 'Christian\'s common base object behind vfio and dma-buf files: one vm_ops for both kinds of VMA, ' +
    'zap of both address spaces',
  paths: [
    featureDmaBufPath({ setupBarmap: true, memattr: false }),
    vfioDeviceFopsReleaseCleanupFirst,
    dmaBufMmapPath({ vmOps: VFIO_PCI_MMAP_OPS, refuseRevoked: true, memattr: false }),
    ...dmaBufFaultPaths({
      fault: 'vfio_pci_base_mmap_page_fault', hugeFault: 'vfio_pci_base_mmap_huge_fault',
      lookup: 'multi', check: 'revoked',
    }),
    dmaBufMovePath({ zapOwnMapping: true, permanentRevoke: false }),
    dmaBufCleanupPath({ zapOwnMapping: true }),
  ],
  vmOps: [sharedBaseVmOps],
  dmaBufOps: [{ ...vfioPciDmabufOps, mmap: 'vfio_pci_dma_buf_mmap' }],
  vmaToDmaBuf: vmaDmaBuf,
});
