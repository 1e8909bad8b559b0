/**
 * The real VFIO type1 container (drivers/vfio/vfio_iommu_type1.c, v6.19) as
 * plain rows: struct vfio_iommu with its one IOMMU domain and its vfio_dma
 * list.
 */
import type { IommuEntry } from '../../iommufd/types.js';

/** struct vfio_dma: one VFIO_IOMMU_MAP_DMA. */
export interface VfioDma {
  readonly iova: number;
  /** dma->size: grows while vfio_pin_map_dma() maps chunk by chunk. */
  readonly size: number;
  readonly vaddr: number;
  readonly read: boolean;
  readonly write: boolean;
  /** dma->mm (mmgrab of the mapping task's mm). */
  readonly mm: number;
}

/** A /dev/vfio/vfio container and the struct vfio_iommu VFIO_SET_IOMMU attached to it. */
export interface VfioContainer {
  readonly id: number;
  readonly file: number;
  /** The IOMMU type set (VFIO_TYPE1_IOMMU / VFIO_TYPE1v2_IOMMU), 0 before VFIO_SET_IOMMU. */
  readonly iommu_type: number;
  /** container->group_list: the vfio devices whose groups VFIO_GROUP_SET_CONTAINER put here. */
  readonly groups: readonly number[];
  /** The devices behind the IOMMU domain: the groups attached to the type1 driver (from VFIO_SET_IOMMU on). */
  readonly devices: readonly number[];
  /** iommu->dma_list, by iova. */
  readonly dmas: readonly VfioDma[];
  /** The domain's IOMMU page table (one domain: every device is behind the same IOMMU). */
  readonly entries: readonly IommuEntry[];
}
