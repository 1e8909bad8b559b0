/**
 * Making and registering a VFIO dma-buf, as vfio_pci_core_feature_dma_buf()
 * does (src/vfio/pci/dmabuf-create.ts), for the designs that make one
 * elsewhere: dmabuf-vma's mmap_prepare (RFC v2's
 * vfio_pci_core_mmap_prep_dmabuf).
 */
export { createVfioDmaBuf, registerVfioDmaBufLocked } from '../../vfio/pci/dmabuf-create.js';
export type { NewVfioDmaBuf } from '../../vfio/pci/dmabuf-create.js';
