/**
 * vfio_pci_dma_buf_release() for designs whose BAR-mmap dma-bufs keep the
 * vfio device file (priv->vfile, Matt Evans RFC v2): v6.19's release
 * (src/vfio/pci/dmabuf.ts), then fput(priv->vfile). That fput can be the
 * last reference of the vfio file, whose release then closes the device.
 */
import { dmaBufReleasePath } from '../../vfio/pci/dmabuf.js';

/** models vfio_pci_dma_buf_release() with the vfile put. */
export const vfioPciDmaBufReleaseVfile = dmaBufReleasePath({ putVfile: true });
