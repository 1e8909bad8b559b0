/**
 * struct vfio_pci_core_device, reduced to what BAR mapping and zapping need.
 */
import type { PowerState } from '../../pci/types.js';

export interface VfioPciCoreDevice {
  readonly id: number;
  /** The PCI function (pci table id). */
  readonly pdev: number;
  /** The vfio device's inode on the vfio pseudo-fs (b7c5e64fecfa): one per device. */
  readonly inode: number;
  /** Lock id of memory_lock (rw_semaphore). */
  readonly memory_lock: number;
  /** open_count: open device files; the first open enables, the last close disables. */
  readonly open_count: number;
  /** bar_mmap_supported[]: BAR is page-aligned memory (vfio_pci_probe_mmaps). */
  readonly bar_mmap_supported: readonly boolean[];
  /**
   * msix_bar, msix_offset, msix_size: where the MSI-X vector table lies, read
   * from the capability by vfio_pci_core_enable() (0xFF: no MSI-X); the range
   * vfio_pci_bar_rw() excludes.
   */
  readonly msix_bar: number;
  readonly msix_offset: number;
  readonly msix_size: number;
  /** barmap[] set up: the region was requested (vfio_pci_core_setup_barmap). */
  readonly barmap: readonly boolean[];
  /** The virtual config space's PCI_COMMAND (vconfig), which __vfio_pci_memory_enabled reads. */
  readonly vconfig_command: number;
  /** Power state as vfio-pci tracks it (vfio_pci_set_power_state). */
  readonly power_state: PowerState;
  /** pm_runtime_engaged: user space asked for low power (LOW_POWER_ENTRY) and has not left it. */
  readonly pm_runtime_engaged: boolean;
  /** The runtime-PM usage count while open (src/vfio/pci/runtime-pm.ts); 0 while closed. */
  readonly pm_usage: number;
  /** Runtime-suspended: the PCI core put the function in D3hot (pci_pm_runtime_suspend). */
  readonly rpm_suspended: boolean;
  /** reset_works: pci_try_reset_function() succeeded at enable (VFIO_DEVICE_FLAGS_RESET). */
  readonly reset_works: boolean;
  /**
   * pci_saved_state: the command register saved at enable (after
   * pci_enable_device and the initial reset), restored by the last close;
   * null while the device is not open.
   */
  readonly pci_saved_command: number | null;
  /** vdev->dmabufs: the vfio_pci_dma_buf objects exported from this device (vfio_dmabufs ids), list order. */
  readonly dmabufs: readonly number[];
  /**
   * vfio_device.refcount: 1 while the device is registered, plus one per
   * exported dma-buf (vfio_device_try_get_registration); 0 once unregistered.
   */
  readonly registration: number;
  /**
   * vdev->pci_ops->get_dmabuf_phys is set: vfio-pci's own driver (and
   * nvgrace-gpu) set it; the other variant drivers leave pci_ops NULL.
   */
  readonly get_dmabuf_phys: boolean;
  /**
   * The device is visible to user space: vfio_device_add() ran and
   * vfio_device_del() / vfio_device_group_unregister() have not (a driver
   * unbind clears it first, so no new open can start).
   */
  readonly registered: boolean;
  /**
   * device->comp, the completion vfio_unregister_group_dev() waits on until
   * the registration count drops to 0: a completion lock row, 0 until an
   * unbind first waits (the row is made then, to keep states small).
   */
  readonly comp: number;
  /** group->container: the /dev/vfio/vfio container the device's group is set to (0: none). */
  readonly group_container: number;
  /** The driver's remove finished: vfio-pci no longer drives the function. */
  readonly unbound: boolean;
}
