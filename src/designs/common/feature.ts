/**
 * VFIO_DEVICE_FEATURE_DMA_BUF as RFC1 changes it: v6.19's path
 * (src/vfio/pci/dmabuf-feature.ts) built with RFC1's choices, `setupBarmap`
 * (1/7: request the BAR before the export, B17a) and `memattr` (6/7: the
 * mmap attribute in bits 28–31 of flags, 0 = UC, 1 << 28 = WC).
 */
export {
  featureDmaBufPath, VFIO_DMABUF_FL_MMAP_ATTR_MASK, VFIO_DMABUF_FL_MMAP_ATTR_SHIFT, VFIO_DMABUF_MMAP_ATTR_UC,
  VFIO_DMABUF_MMAP_ATTR_WC,
} from '../../vfio/pci/dmabuf-feature.js';
export type { FeatureChoices } from '../../vfio/pci/dmabuf-feature.js';
