/**
 * The last close of a vfio device file with RFC1 2/7 "vfio/pci: Clean up
 * DMABUFs before disabling function" (Fixes 5d74781ebc86; B17b): in
 * vfio_pci_core_close_device() vfio_pci_dma_buf_cleanup() runs before
 * vfio_pci_core_disable(), so no dma-buf is live (importer-mapped or, with
 * mmap of dma-bufs, CPU-mapped) while the function stops decoding.
 * Otherwise as v6.19 (src/vfio/pci/release.ts).
 */
import { vfioDeviceFopsReleasePath } from '../../vfio/pci/release.js';

/** models vfio_device_fops_release() → vfio_pci_core_close_device() with 2/7 applied. */
export const vfioDeviceFopsReleaseCleanupFirst = vfioDeviceFopsReleasePath({ cleanupBeforeDisable: true });
