/**
 * vfio-pci core device (drivers/vfio/pci/vfio_pci_core.c, vfio_pci_config.c,
 * vfio_pci_rdwr.c and drivers/vfio/vfio_main.c, v6.19).
 *
 * Modelled: open of the device cdev (bound to iommufd in the same step) with
 * vfio_pci_core_enable on the first open; the last close with
 * vfio_pci_core_disable; VFIO_DEVICE_GET_INFO, GET_REGION_INFO, RESET and the
 * VFIO_DEVICE_FEATURE header checks and the DMA_BUF feature (dma-buf export,
 * revoke at every zap site, cleanup on the last close); pread/pwrite of the config region
 * (PCI_COMMAND, PM_CTRL, PCIe FLR) and of BARs; vfio_pci_core_mmap; the
 * fault and huge_fault handlers; vfio_pci_zap_bars at every disable path the
 * model has (PCI_COMMAND memory clear, D3hot, FLR via DEVCTL,
 * VFIO_DEVICE_RESET).
 *
 * Not modelled: iommufd and the bind/attach ioctls (an open file is bound),
 * the group/container interface, hot reset (GET_PCI_HOT_RESET_INFO,
 * PCI_HOT_RESET and their memory_lock trylocks), runtime PM
 * (LOW_POWER_* features; pm_runtime_engaged stays false), irqs and eventfds,
 * ioeventfds, the ROM and VGA regions, device-specific regions
 * (num_regions is 0), MSI-X mmap exclusion, sparse-mmap and other region
 * capabilities, migration, SR-IOV VF tokens, the dma-buf revoke of the hot
 * reset and runtime-PM paths (neither path is modelled).
 */
import type { Path } from '../../kernel/sched/path.js';
import type { FileOperations, VmOperations } from '../../designs/types.js';
import { PCI_PATHS } from '../../pci/index.js';
import { do_sys_openat2, vfio_pci_core_enable, VFIO_DEVICE_FOPS } from './open.js';
import { vfio_device_fops_release, vfio_pci_core_disable } from './release.js';
import { vfio_device_fops_unl_ioctl, vfio_pci_ioctl_reset } from './ioctl.js';
import { vfio_pci_bar_rw, vfio_pci_core_read, vfio_pci_core_write } from './rw.js';
import {
  vfio_basic_config_write, vfio_exp_config_write, vfio_pci_config_rw, vfio_pm_config_write,
} from './config.js';
import { vfio_pci_core_mmap, VFIO_PCI_MMAP_OPS } from './mmap.js';
import { vfio_pci_mmap_huge_fault, vfio_pci_mmap_page_fault, vfio_pci_vmf_insert_pfn } from './fault.js';
import { io_remap_pfn_range } from './defect-remap.js';
import { vfio_pci_zap_and_down_write_memory_lock, vfio_pci_zap_bars } from './zap.js';
import { vfio_pci_core_feature_dma_buf } from './dmabuf-feature.js';
import {
  vfio_pci_dma_buf_attach, vfio_pci_dma_buf_iommufd_map, vfio_pci_dma_buf_map, vfio_pci_dma_buf_pin,
  vfio_pci_dma_buf_release, vfio_pci_dma_buf_unmap, vfio_pci_dma_buf_unpin, vfioPciDmabufOps,
} from './dmabuf.js';
import { vfio_pci_dma_buf_cleanup, vfio_pci_dma_buf_move } from './dmabuf-move.js';
import {
  rpm_resume, rpm_suspend, vfio_pci_core_pm_feature, vfio_pci_runtime_pm_entry, vfio_pci_runtime_pm_exit,
} from './runtime-pm.js';
import { vfio_pci_remove } from './remove.js';
import type { DmaBufOps } from '../../designs/types.js';

/** Every vfio-pci path (and the PCI core paths it calls), for the designs' registries. */
export const VFIO_PCI_PATHS: readonly Path[] = [
  ...PCI_PATHS,
  do_sys_openat2, vfio_pci_core_enable,
  vfio_device_fops_release, vfio_pci_core_disable,
  vfio_device_fops_unl_ioctl, vfio_pci_ioctl_reset,
  rpm_suspend, rpm_resume, vfio_pci_runtime_pm_entry, vfio_pci_runtime_pm_exit, vfio_pci_core_pm_feature,
  vfio_pci_remove,
  vfio_pci_core_read, vfio_pci_core_write, vfio_pci_bar_rw,
  vfio_pci_config_rw, vfio_basic_config_write, vfio_pm_config_write, vfio_exp_config_write,
  vfio_pci_core_mmap,
  vfio_pci_mmap_page_fault, vfio_pci_mmap_huge_fault, vfio_pci_vmf_insert_pfn, io_remap_pfn_range,
  vfio_pci_zap_bars, vfio_pci_zap_and_down_write_memory_lock,
  vfio_pci_core_feature_dma_buf, vfio_pci_dma_buf_attach, vfio_pci_dma_buf_map, vfio_pci_dma_buf_unmap,
  vfio_pci_dma_buf_pin, vfio_pci_dma_buf_unpin, vfio_pci_dma_buf_release, vfio_pci_dma_buf_iommufd_map,
  vfio_pci_dma_buf_move, vfio_pci_dma_buf_cleanup,
];

/** vfio-pci's dma_buf_ops tables. */
export const VFIO_PCI_DMABUF_OPS_TABLES: readonly DmaBufOps[] = [vfioPciDmabufOps];

/** const struct file_operations vfio_device_fops (with the vfio-pci device ops folded in). */
export const vfioDeviceFops: FileOperations = {
  name: VFIO_DEVICE_FOPS,
  release: 'vfio_device_fops_release',
  unlocked_ioctl: 'vfio_device_fops_unl_ioctl',
  read: 'vfio_pci_core_read',
  write: 'vfio_pci_core_write',
  mmap: 'vfio_pci_core_mmap',
};

/** static const struct vm_operations_struct vfio_pci_mmap_ops. */
export const vfioPciMmapOps: VmOperations = {
  name: VFIO_PCI_MMAP_OPS,
  fault: 'vfio_pci_mmap_page_fault',
  huge_fault: 'vfio_pci_mmap_huge_fault',
};

export const VFIO_PCI_FILE_OPS: readonly FileOperations[] = [vfioDeviceFops];
export const VFIO_PCI_VM_OPS: readonly VmOperations[] = [vfioPciMmapOps];

export { vfioPciRegisterDevice, findVfioDevice, vfioPciMemoryEnabled, probeMmaps } from './device.js';
export { VFIO_DEVICE_FOPS } from './open.js';
export { VFIO_PCI_MMAP_OPS, VFIO_PCI_MMAP_FLAGS } from './mmap.js';
export { vmaToPfn, isAlignedForOrder } from './fault.js';
export { regionInfo } from './ioctl.js';
export { VFIO_PCI_DMABUF_OPS, vfioDmaBufRevoked } from './dmabuf.js';
export { vfioCheckFeature, parseDmaBufRequest } from './dmabuf-feature.js';
export type { VfioPciDmaBuf } from './dmabuf-types.js';
