/**
 * VFIO uapi (include/uapi/linux/vfio.h, v6.19): ioctl numbers, flags,
 * vfio-pci region and irq indexes, and the struct layouts the device fd's
 * ioctls take, plus the vfio-pci file-offset encoding of region indexes
 * (VFIO_PCI_OFFSET_SHIFT and friends, include/linux/vfio_pci_core.h; kernel
 * internal, but user space relies on region_info.offset).
 */
import { _IO } from './ioctl.js';
import { defineStruct, offsetofend } from './codec.js';

export const VFIO_API_VERSION = 0;
export const VFIO_TYPE = ';';
export const VFIO_BASE = 100;

export const VFIO_GET_API_VERSION = _IO(VFIO_TYPE, VFIO_BASE + 0);
export const VFIO_CHECK_EXTENSION = _IO(VFIO_TYPE, VFIO_BASE + 1);
export const VFIO_GROUP_GET_STATUS = _IO(VFIO_TYPE, VFIO_BASE + 3);
export const VFIO_GROUP_SET_CONTAINER = _IO(VFIO_TYPE, VFIO_BASE + 4);
export const VFIO_GROUP_UNSET_CONTAINER = _IO(VFIO_TYPE, VFIO_BASE + 5);
export const VFIO_GROUP_GET_DEVICE_FD = _IO(VFIO_TYPE, VFIO_BASE + 6);
export const VFIO_DEVICE_GET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 7);
export const VFIO_DEVICE_GET_REGION_INFO = _IO(VFIO_TYPE, VFIO_BASE + 8);
export const VFIO_DEVICE_GET_IRQ_INFO = _IO(VFIO_TYPE, VFIO_BASE + 9);
export const VFIO_DEVICE_SET_IRQS = _IO(VFIO_TYPE, VFIO_BASE + 10);
export const VFIO_DEVICE_RESET = _IO(VFIO_TYPE, VFIO_BASE + 11);
export const VFIO_DEVICE_GET_PCI_HOT_RESET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 12);
export const VFIO_DEVICE_PCI_HOT_RESET = _IO(VFIO_TYPE, VFIO_BASE + 13);
export const VFIO_DEVICE_IOEVENTFD = _IO(VFIO_TYPE, VFIO_BASE + 16);
export const VFIO_DEVICE_FEATURE = _IO(VFIO_TYPE, VFIO_BASE + 17);
export const VFIO_DEVICE_BIND_IOMMUFD = _IO(VFIO_TYPE, VFIO_BASE + 18);
export const VFIO_DEVICE_ATTACH_IOMMUFD_PT = _IO(VFIO_TYPE, VFIO_BASE + 19);
export const VFIO_DEVICE_DETACH_IOMMUFD_PT = _IO(VFIO_TYPE, VFIO_BASE + 20);

/** Names of the device ioctls, for traces. */
export const VFIO_IOCTL_NAMES: { readonly [cmd: number]: string } = {
  [VFIO_GROUP_GET_STATUS]: 'VFIO_GROUP_GET_STATUS',
  [VFIO_GROUP_SET_CONTAINER]: 'VFIO_GROUP_SET_CONTAINER',
  [VFIO_GROUP_UNSET_CONTAINER]: 'VFIO_GROUP_UNSET_CONTAINER',
  [VFIO_GROUP_GET_DEVICE_FD]: 'VFIO_GROUP_GET_DEVICE_FD',
  [VFIO_DEVICE_GET_INFO]: 'VFIO_DEVICE_GET_INFO',
  [VFIO_DEVICE_GET_REGION_INFO]: 'VFIO_DEVICE_GET_REGION_INFO',
  [VFIO_DEVICE_GET_IRQ_INFO]: 'VFIO_DEVICE_GET_IRQ_INFO',
  [VFIO_DEVICE_SET_IRQS]: 'VFIO_DEVICE_SET_IRQS',
  [VFIO_DEVICE_RESET]: 'VFIO_DEVICE_RESET',
  [VFIO_DEVICE_GET_PCI_HOT_RESET_INFO]: 'VFIO_DEVICE_GET_PCI_HOT_RESET_INFO',
  [VFIO_DEVICE_PCI_HOT_RESET]: 'VFIO_DEVICE_PCI_HOT_RESET',
  [VFIO_DEVICE_IOEVENTFD]: 'VFIO_DEVICE_IOEVENTFD',
  [VFIO_DEVICE_FEATURE]: 'VFIO_DEVICE_FEATURE',
  [VFIO_DEVICE_BIND_IOMMUFD]: 'VFIO_DEVICE_BIND_IOMMUFD',
  [VFIO_DEVICE_ATTACH_IOMMUFD_PT]: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT',
  [VFIO_DEVICE_DETACH_IOMMUFD_PT]: 'VFIO_DEVICE_DETACH_IOMMUFD_PT',
};

export function vfioIoctlName(cmd: number): string {
  return VFIO_IOCTL_NAMES[cmd] ?? `0x${cmd.toString(16)}`;
}

/* struct vfio_device_info flags */
export const VFIO_DEVICE_FLAGS_RESET = 1 << 0;
export const VFIO_DEVICE_FLAGS_PCI = 1 << 1;
export const VFIO_DEVICE_FLAGS_PLATFORM = 1 << 2;
export const VFIO_DEVICE_FLAGS_AMBA = 1 << 3;
export const VFIO_DEVICE_FLAGS_CCW = 1 << 4;
export const VFIO_DEVICE_FLAGS_AP = 1 << 5;
export const VFIO_DEVICE_FLAGS_FSL_MC = 1 << 6;
export const VFIO_DEVICE_FLAGS_CAPS = 1 << 7;
export const VFIO_DEVICE_FLAGS_CDX = 1 << 8;

/** struct vfio_device_info: 24 bytes; the kernel copies offsetofend(num_irqs) = 16 first. */
export const vfio_device_info = defineStruct('vfio_device_info', [
  { name: 'argsz', type: 'u32' },
  { name: 'flags', type: 'u32' },
  { name: 'num_regions', type: 'u32' },
  { name: 'num_irqs', type: 'u32' },
  { name: 'cap_offset', type: 'u32' },
  { name: 'pad', type: 'u32' },
]);
export const VFIO_DEVICE_INFO_MINSZ = offsetofend(vfio_device_info, 'num_irqs');

/* struct vfio_region_info flags */
export const VFIO_REGION_INFO_FLAG_READ = 1 << 0;
export const VFIO_REGION_INFO_FLAG_WRITE = 1 << 1;
export const VFIO_REGION_INFO_FLAG_MMAP = 1 << 2;
export const VFIO_REGION_INFO_FLAG_CAPS = 1 << 3;
export const VFIO_REGION_INFO_CAP_SPARSE_MMAP = 1;
export const VFIO_REGION_INFO_CAP_TYPE = 2;
/** The region (an MSI-X BAR) may be mmapped over the MSI-X table (a32295c612c5, v4.16). */
export const VFIO_REGION_INFO_CAP_MSIX_MAPPABLE = 3;

/** struct vfio_info_cap_header: id, version, next (offset of the next capability from the struct's start). */
export const vfio_info_cap_header = defineStruct('vfio_info_cap_header', [
  { name: 'id', type: 'u16' },
  { name: 'version', type: 'u16' },
  { name: 'next', type: 'u32' },
]);

/** struct vfio_region_info: 32 bytes; minsz = offsetofend(offset) = 32. */
export const vfio_region_info = defineStruct('vfio_region_info', [
  { name: 'argsz', type: 'u32' },
  { name: 'flags', type: 'u32' },
  { name: 'index', type: 'u32' },
  { name: 'cap_offset', type: 'u32' },
  { name: 'size', type: 'u64' },
  { name: 'offset', type: 'u64' },
]);
export const VFIO_REGION_INFO_MINSZ = offsetofend(vfio_region_info, 'offset');

/* vfio-pci region indexes */
export const VFIO_PCI_BAR0_REGION_INDEX = 0;
export const VFIO_PCI_BAR1_REGION_INDEX = 1;
export const VFIO_PCI_BAR2_REGION_INDEX = 2;
export const VFIO_PCI_BAR3_REGION_INDEX = 3;
export const VFIO_PCI_BAR4_REGION_INDEX = 4;
export const VFIO_PCI_BAR5_REGION_INDEX = 5;
export const VFIO_PCI_ROM_REGION_INDEX = 6;
export const VFIO_PCI_CONFIG_REGION_INDEX = 7;
export const VFIO_PCI_VGA_REGION_INDEX = 8;
/** Fixed user ABI; indexes ≥ 9 are device-specific regions. */
export const VFIO_PCI_NUM_REGIONS = 9;

/* vfio-pci irq indexes */
export const VFIO_PCI_INTX_IRQ_INDEX = 0;
export const VFIO_PCI_MSI_IRQ_INDEX = 1;
export const VFIO_PCI_MSIX_IRQ_INDEX = 2;
export const VFIO_PCI_ERR_IRQ_INDEX = 3;
export const VFIO_PCI_REQ_IRQ_INDEX = 4;
export const VFIO_PCI_NUM_IRQS = 5;

/** Region index ↔ file offset (include/linux/vfio_pci_core.h). */
export const VFIO_PCI_OFFSET_SHIFT = 40;
export const VFIO_PCI_OFFSET_MASK = 2 ** VFIO_PCI_OFFSET_SHIFT - 1;

/** VFIO_PCI_INDEX_TO_OFFSET(index): index << 40 (exact as a number for every index < 8192). */
export function VFIO_PCI_INDEX_TO_OFFSET(index: number): number {
  return index * 2 ** VFIO_PCI_OFFSET_SHIFT;
}

/** VFIO_PCI_OFFSET_TO_INDEX(off): off >> 40. */
export function VFIO_PCI_OFFSET_TO_INDEX(off: number): number {
  return Math.floor(off / 2 ** VFIO_PCI_OFFSET_SHIFT);
}

/** off & VFIO_PCI_OFFSET_MASK. */
export function vfioPciOffsetInRegion(off: number): number {
  return off % 2 ** VFIO_PCI_OFFSET_SHIFT;
}

/** struct vfio_device_feature header (argsz, flags; data[] follows): minsz 8. */
export const vfio_device_feature = defineStruct('vfio_device_feature', [
  { name: 'argsz', type: 'u32' },
  { name: 'flags', type: 'u32' },
]);
export const VFIO_DEVICE_FEATURE_MINSZ = offsetofend(vfio_device_feature, 'flags');
export const VFIO_DEVICE_FEATURE_MASK = 0xffff;
export const VFIO_DEVICE_FEATURE_GET = 1 << 16;
export const VFIO_DEVICE_FEATURE_SET = 1 << 17;
export const VFIO_DEVICE_FEATURE_PROBE = 1 << 18;

export const VFIO_DEVICE_FEATURE_PCI_VF_TOKEN = 0;
export const VFIO_DEVICE_FEATURE_MIGRATION = 1;
export const VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE = 2;
export const VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY = 3;
export const VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP = 4;
export const VFIO_DEVICE_FEATURE_LOW_POWER_EXIT = 5;
export const VFIO_DEVICE_FEATURE_DMA_LOGGING_START = 6;
export const VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP = 7;
export const VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT = 8;
export const VFIO_DEVICE_FEATURE_MIG_DATA_SIZE = 9;
export const VFIO_DEVICE_FEATURE_BUS_MASTER = 10;
export const VFIO_DEVICE_FEATURE_DMA_BUF = 11;

/** struct vfio_pci_hot_reset_info header: argsz, flags, count (12 bytes; devices[] follow). */
export const vfio_pci_hot_reset_info = defineStruct('vfio_pci_hot_reset_info', [
  { name: 'argsz', type: 'u32' },
  { name: 'flags', type: 'u32' },
  { name: 'count', type: 'u32' },
]);

/** struct vfio_region_dma_range: offset, length (16 bytes). */
export const vfio_region_dma_range = defineStruct('vfio_region_dma_range', [
  { name: 'offset', type: 'u64' },
  { name: 'length', type: 'u64' },
]);

/** struct vfio_device_feature_dma_buf header (16 bytes; dma_ranges[] follow). */
export const vfio_device_feature_dma_buf = defineStruct('vfio_device_feature_dma_buf', [
  { name: 'region_index', type: 'u32' },
  { name: 'open_flags', type: 'u32' },
  { name: 'flags', type: 'u32' },
  { name: 'nr_ranges', type: 'u32' },
]);

/* struct vfio_group_status flags */
export const VFIO_GROUP_FLAGS_VIABLE = 1 << 0;
export const VFIO_GROUP_FLAGS_CONTAINER_SET = 1 << 1;

export const vfio_group_status = defineStruct('vfio_group_status', [
  { name: 'argsz', type: 'u32' },
  { name: 'flags', type: 'u32' },
]);

/** The __s32 VFIO_GROUP_SET_CONTAINER's pointer points at: the container's fd. */
export const vfio_group_container_fd = defineStruct('vfio_group_container_fd', [
  { name: 'fd', type: 'u32' },
]);
