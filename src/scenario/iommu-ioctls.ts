/**
 * The iommufd and VFIO container ioctls a scenario may name, with their
 * structs (include/uapi/linux/iommufd.h and vfio.h, v6.19) and the flag
 * names their fields take.
 *
 * iommufd structs start with `size` and VFIO's with `argsz`: both default to
 * sizeof(struct), as C code sets them, unless the scenario gives them (to
 * reach the size checks). VFIO_SET_IOMMU and VFIO_CHECK_EXTENSION take a
 * value, not a pointer: `arg: {value: VFIO_TYPE1v2_IOMMU}`.
 */
import * as iommufd from '../uapi/iommufd.js';
import * as vi from '../uapi/vfio-iommu.js';
import { VFIO_CHECK_EXTENSION, VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT, VFIO_GET_API_VERSION } from '../uapi/vfio.js';
import type { FlagSet } from './flags.js';
import type { IoctlSpec } from './ioctl.js';

/** enum iommufd_ioas_map_flags. */
export const IOAS_MAP_FLAGS: FlagSet = {
  what: 'IOAS map flag',
  values: {
    IOMMU_IOAS_MAP_FIXED_IOVA: iommufd.IOMMU_IOAS_MAP_FIXED_IOVA,
    IOMMU_IOAS_MAP_WRITEABLE: iommufd.IOMMU_IOAS_MAP_WRITEABLE,
    IOMMU_IOAS_MAP_READABLE: iommufd.IOMMU_IOAS_MAP_READABLE,
  },
};

/** enum iommufd_vfio_ioas_op (one value, not a mask). */
export const VFIO_IOAS_OPS: FlagSet = {
  what: 'IOMMU_VFIO_IOAS op',
  enum: true,
  values: {
    IOMMU_VFIO_IOAS_GET: iommufd.IOMMU_VFIO_IOAS_GET,
    IOMMU_VFIO_IOAS_SET: iommufd.IOMMU_VFIO_IOAS_SET,
    IOMMU_VFIO_IOAS_CLEAR: iommufd.IOMMU_VFIO_IOAS_CLEAR,
  },
};

export const DMA_MAP_FLAGS: FlagSet = {
  what: 'VFIO_IOMMU_MAP_DMA flag',
  values: {
    VFIO_DMA_MAP_FLAG_READ: vi.VFIO_DMA_MAP_FLAG_READ,
    VFIO_DMA_MAP_FLAG_WRITE: vi.VFIO_DMA_MAP_FLAG_WRITE,
    VFIO_DMA_MAP_FLAG_VADDR: vi.VFIO_DMA_MAP_FLAG_VADDR,
  },
};

export const DMA_UNMAP_FLAGS: FlagSet = {
  what: 'VFIO_IOMMU_UNMAP_DMA flag',
  values: {
    VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP: vi.VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
    VFIO_DMA_UNMAP_FLAG_ALL: vi.VFIO_DMA_UNMAP_FLAG_ALL,
    VFIO_DMA_UNMAP_FLAG_VADDR: vi.VFIO_DMA_UNMAP_FLAG_VADDR,
  },
};

/** IOMMU types and extensions (VFIO_SET_IOMMU, VFIO_CHECK_EXTENSION): one value. */
export const VFIO_IOMMU_TYPES: FlagSet = {
  what: 'VFIO IOMMU type or extension',
  enum: true,
  values: {
    VFIO_TYPE1_IOMMU: vi.VFIO_TYPE1_IOMMU, VFIO_SPAPR_TCE_IOMMU: vi.VFIO_SPAPR_TCE_IOMMU,
    VFIO_TYPE1v2_IOMMU: vi.VFIO_TYPE1v2_IOMMU, VFIO_DMA_CC_IOMMU: vi.VFIO_DMA_CC_IOMMU,
    VFIO_NOIOMMU_IOMMU: vi.VFIO_NOIOMMU_IOMMU, VFIO_UNMAP_ALL: vi.VFIO_UNMAP_ALL, VFIO_UPDATE_VADDR: vi.VFIO_UPDATE_VADDR,
  },
};

const BIND_FLAGS: FlagSet = { what: 'VFIO_DEVICE_BIND_IOMMUFD flag', values: { VFIO_DEVICE_BIND_FLAG_TOKEN: vi.VFIO_DEVICE_BIND_FLAG_TOKEN } };
const ATTACH_FLAGS: FlagSet = { what: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT flag', values: { VFIO_DEVICE_ATTACH_PASID: vi.VFIO_DEVICE_ATTACH_PASID } };
const DETACH_FLAGS: FlagSet = { what: 'VFIO_DEVICE_DETACH_IOMMUFD_PT flag', values: { VFIO_DEVICE_DETACH_PASID: vi.VFIO_DEVICE_DETACH_PASID } };

/** The iommufd ioctls of an iommufd fd. */
const IOMMUFD_IOCTLS: readonly IoctlSpec[] = [
  { name: 'IOMMU_DESTROY', cmd: iommufd.IOMMU_DESTROY, struct: iommufd.iommu_destroy, sizeField: 'size' },
  { name: 'IOMMU_IOAS_ALLOC', cmd: iommufd.IOMMU_IOAS_ALLOC, struct: iommufd.iommu_ioas_alloc, sizeField: 'size' },
  { name: 'IOMMU_IOAS_MAP', cmd: iommufd.IOMMU_IOAS_MAP, struct: iommufd.iommu_ioas_map, sizeField: 'size', flagFields: { flags: IOAS_MAP_FLAGS } },
  { name: 'IOMMU_IOAS_MAP_FILE', cmd: iommufd.IOMMU_IOAS_MAP_FILE, struct: iommufd.iommu_ioas_map_file, sizeField: 'size', flagFields: { flags: IOAS_MAP_FLAGS } },
  { name: 'IOMMU_IOAS_UNMAP', cmd: iommufd.IOMMU_IOAS_UNMAP, struct: iommufd.iommu_ioas_unmap, sizeField: 'size' },
  { name: 'IOMMU_VFIO_IOAS', cmd: iommufd.IOMMU_VFIO_IOAS, struct: iommufd.iommu_vfio_ioas, sizeField: 'size', flagFields: { op: VFIO_IOAS_OPS } },
  // known by name, not modelled: iommufd_fops_ioctl answers -ENOTTY
  { name: 'IOMMU_IOAS_ALLOW_IOVAS', cmd: iommufd.IOMMU_IOAS_ALLOW_IOVAS },
  { name: 'IOMMU_IOAS_COPY', cmd: iommufd.IOMMU_IOAS_COPY },
  { name: 'IOMMU_IOAS_IOVA_RANGES', cmd: iommufd.IOMMU_IOAS_IOVA_RANGES },
  { name: 'IOMMU_OPTION', cmd: iommufd.IOMMU_OPTION },
  { name: 'IOMMU_HWPT_ALLOC', cmd: iommufd.IOMMU_HWPT_ALLOC },
  { name: 'IOMMU_GET_HW_INFO', cmd: iommufd.IOMMU_GET_HW_INFO },
];

/** The VFIO container ioctls (a /dev/vfio/vfio fd, or an iommufd fd through type1 compatibility). */
const CONTAINER_IOCTLS: readonly IoctlSpec[] = [
  { name: 'VFIO_GET_API_VERSION', cmd: VFIO_GET_API_VERSION },
  { name: 'VFIO_CHECK_EXTENSION', cmd: VFIO_CHECK_EXTENSION, valueArg: VFIO_IOMMU_TYPES },
  { name: 'VFIO_SET_IOMMU', cmd: vi.VFIO_SET_IOMMU, valueArg: VFIO_IOMMU_TYPES },
  { name: 'VFIO_IOMMU_GET_INFO', cmd: vi.VFIO_IOMMU_GET_INFO },
  { name: 'VFIO_IOMMU_MAP_DMA', cmd: vi.VFIO_IOMMU_MAP_DMA, struct: vi.vfio_iommu_type1_dma_map, flagFields: { flags: DMA_MAP_FLAGS } },
  { name: 'VFIO_IOMMU_UNMAP_DMA', cmd: vi.VFIO_IOMMU_UNMAP_DMA, struct: vi.vfio_iommu_type1_dma_unmap, flagFields: { flags: DMA_UNMAP_FLAGS } },
  { name: 'VFIO_IOMMU_DIRTY_PAGES', cmd: vi.VFIO_IOMMU_DIRTY_PAGES },
];

/** The iommufd ioctls of a vfio device cdev. */
const DEVICE_IOMMUFD_IOCTLS: readonly IoctlSpec[] = [
  { name: 'VFIO_DEVICE_BIND_IOMMUFD', cmd: VFIO_DEVICE_BIND_IOMMUFD, struct: vi.vfio_device_bind_iommufd, flagFields: { flags: BIND_FLAGS } },
  { name: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', cmd: VFIO_DEVICE_ATTACH_IOMMUFD_PT, struct: vi.vfio_device_attach_iommufd_pt, flagFields: { flags: ATTACH_FLAGS } },
  { name: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', cmd: VFIO_DEVICE_DETACH_IOMMUFD_PT, struct: vi.vfio_device_detach_iommufd_pt, flagFields: { flags: DETACH_FLAGS } },
];

export const IOMMU_IOCTLS: readonly IoctlSpec[] = [...IOMMUFD_IOCTLS, ...CONTAINER_IOCTLS, ...DEVICE_IOMMUFD_IOCTLS];
