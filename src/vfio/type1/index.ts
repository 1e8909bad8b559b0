/**
 * The real VFIO type1 container (drivers/vfio/container.c,
 * drivers/vfio/vfio_iommu_type1.c, v6.19), for comparison with iommufd's
 * emulation: MAP_DMA of a VFIO BAR mmap follows the PFNs (follow_pfnmap_start,
 * fixup_user_fault) and maps them with no lifetime link to the BAR.
 *
 * The legacy group path (/dev/vfio/$GROUP) is group.ts. Not modelled:
 * VFIO_IOMMU_GET_INFO, dirty tracking,
 * VFIO_DMA_MAP_FLAG_VADDR updates and VFIO_DMA_UNMAP_FLAG_VADDR, pinned-page
 * accounting and RLIMIT_MEMLOCK, ordinary (GUP-pinnable) memory, mdev
 * pinning (vfio_pin_pages), reserved IOVA regions and the aperture, the
 * dma_avail limit, huge IOMMU pages, iommu->lock, TYPE1 (v1) partial unmaps.
 */
import type { Path } from '../../kernel/sched/path.js';
import type { FileOperations } from '../../designs/types.js';
import { VFIO_FOPS, vfio_fops_open, vfio_fops_release, vfio_fops_unl_ioctl } from './container.js';
import { vfio_iommu_type1_map_dma, vfio_iommu_type1_unmap_dma } from './map.js';
import { VFIO_GROUP_FOPS, vfio_group_fops_open, vfio_group_fops_release, vfio_group_fops_unl_ioctl } from './group.js';

export const VFIO_TYPE1_PATHS: readonly Path[] = [
  vfio_fops_open, vfio_fops_unl_ioctl, vfio_fops_release, vfio_iommu_type1_map_dma, vfio_iommu_type1_unmap_dma,
  vfio_group_fops_open, vfio_group_fops_unl_ioctl, vfio_group_fops_release,
];

/** static const struct file_operations vfio_group_fops. */
export const vfioGroupFops: FileOperations = {
  name: VFIO_GROUP_FOPS,
  release: 'vfio_group_fops_release',
  unlocked_ioctl: 'vfio_group_fops_unl_ioctl',
};

/** static const struct file_operations vfio_fops (the container). */
export const vfioFops: FileOperations = {
  name: VFIO_FOPS,
  release: 'vfio_fops_release',
  unlocked_ioctl: 'vfio_fops_unl_ioctl',
};

export const VFIO_TYPE1_FILE_OPS: readonly FileOperations[] = [vfioFops, vfioGroupFops];

export { VFIO_FOPS } from './container.js';
export type { VfioContainer, VfioDma } from './types.js';
