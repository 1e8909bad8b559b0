/**
 * struct vfio_pci_dma_buf (drivers/vfio/pci/vfio_pci_dmabuf.c, v6.19): the
 * private object behind a dma-buf that vfio-pci exported from a BAR.
 */
import type { PhysVec } from '../../dma-buf/types.js';

export interface VfioPciDmaBuf {
  readonly id: number;
  /** The dma_buf (dmabufs table id). */
  readonly dmabuf: number;
  /** The exporting vfio device, 0 once vfio_pci_dma_buf_cleanup() set priv->vdev = NULL. */
  readonly vdev: number;
  /** On vdev->dmabufs (dmabufs_elm linked). */
  readonly listed: boolean;
  readonly size: number;
  /** The BAR the ranges are in (the model keeps it for traces; the kernel only keeps the provider). */
  readonly region_index: number;
  readonly phys_vec: readonly PhysVec[];
  readonly nr_ranges: number;
  /** priv->revoked: changed only under memory_lock (write) and the dma-buf's resv. */
  readonly revoked: boolean;
}
