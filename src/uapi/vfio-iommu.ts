/**
 * VFIO container (type1) and device-cdev iommufd uapi
 * (include/uapi/linux/vfio.h, v6.19): the container ioctls, the type1
 * MAP/UNMAP structs, and VFIO_DEVICE_BIND_IOMMUFD / ATTACH / DETACH_IOMMUFD_PT.
 */
import { _IO } from './ioctl.js';
import { defineStruct, offsetofend } from './codec.js';
import { VFIO_BASE, VFIO_TYPE } from './vfio.js';

export const VFIO_SET_IOMMU = _IO(VFIO_TYPE, VFIO_BASE + 2);
export const VFIO_IOMMU_GET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 12);
export const VFIO_IOMMU_MAP_DMA = _IO(VFIO_TYPE, VFIO_BASE + 13);
export const VFIO_IOMMU_UNMAP_DMA = _IO(VFIO_TYPE, VFIO_BASE + 14);
export const VFIO_IOMMU_DIRTY_PAGES = _IO(VFIO_TYPE, VFIO_BASE + 17);

/* Extensions (VFIO_CHECK_EXTENSION) and IOMMU types (VFIO_SET_IOMMU). */
export const VFIO_TYPE1_IOMMU = 1;
export const VFIO_SPAPR_TCE_IOMMU = 2;
export const VFIO_TYPE1v2_IOMMU = 3;
export const VFIO_DMA_CC_IOMMU = 4;
export const VFIO_NOIOMMU_IOMMU = 8;
export const VFIO_UNMAP_ALL = 9;
export const VFIO_UPDATE_VADDR = 10;

export const VFIO_DMA_MAP_FLAG_READ = 1 << 0;
export const VFIO_DMA_MAP_FLAG_WRITE = 1 << 1;
export const VFIO_DMA_MAP_FLAG_VADDR = 1 << 2;

export const VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP = 1 << 0;
export const VFIO_DMA_UNMAP_FLAG_ALL = 1 << 1;
export const VFIO_DMA_UNMAP_FLAG_VADDR = 1 << 2;

export const vfio_iommu_type1_dma_map = defineStruct('vfio_iommu_type1_dma_map', [
  { name: 'argsz', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'vaddr', type: 'u64' },
  { name: 'iova', type: 'u64' }, { name: 'size', type: 'u64' },
]);
export const VFIO_DMA_MAP_MINSZ = offsetofend(vfio_iommu_type1_dma_map, 'size');

export const vfio_iommu_type1_dma_unmap = defineStruct('vfio_iommu_type1_dma_unmap', [
  { name: 'argsz', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'iova', type: 'u64' },
  { name: 'size', type: 'u64' },
]);
export const VFIO_DMA_UNMAP_MINSZ = offsetofend(vfio_iommu_type1_dma_unmap, 'size');

export const VFIO_DEVICE_BIND_FLAG_TOKEN = 1 << 0;
export const vfio_device_bind_iommufd = defineStruct('vfio_device_bind_iommufd', [
  { name: 'argsz', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'iommufd', type: 'u32' },
  { name: 'out_devid', type: 'u32' }, { name: 'token_uuid_ptr', type: 'u64' },
]);
export const VFIO_DEVICE_BIND_MINSZ = offsetofend(vfio_device_bind_iommufd, 'out_devid');

export const VFIO_DEVICE_ATTACH_PASID = 1 << 0;
export const vfio_device_attach_iommufd_pt = defineStruct('vfio_device_attach_iommufd_pt', [
  { name: 'argsz', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'pt_id', type: 'u32' },
  { name: 'pasid', type: 'u32' },
]);
export const VFIO_DEVICE_ATTACH_MINSZ = offsetofend(vfio_device_attach_iommufd_pt, 'pt_id');

export const VFIO_DEVICE_DETACH_PASID = 1 << 0;
export const vfio_device_detach_iommufd_pt = defineStruct('vfio_device_detach_iommufd_pt', [
  { name: 'argsz', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'pasid', type: 'u32' },
]);
export const VFIO_DEVICE_DETACH_MINSZ = offsetofend(vfio_device_detach_iommufd_pt, 'flags');
