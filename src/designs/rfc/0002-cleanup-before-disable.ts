/**
 * RFC1 2/7 "vfio/pci: Clean up DMABUFs before disabling function" (Fixes
 * 5d74781ebc86; B17b): vfio_pci_core_close_device() runs
 * vfio_pci_dma_buf_cleanup() before vfio_pci_core_disable(), so no dma-buf
 * is live (importer-mapped or, with mmap of dma-bufs, CPU-mapped) while the
 * function stops decoding. v6.19 disables first.
 */
import { vfio_device_fops_release, vfioDfClose } from '../../vfio/pci/release.js';
import { patch, patchPath } from '../patch.js';

export const cleanupBeforeDisable = patch(
  'vfio/pci: Clean up DMABUFs before disabling function',
  'RFC1 2/7, <20260226202211.929005-1-mattev@meta.com>; Fixes: 5d74781ebc86',
  patchPath(vfio_device_fops_release)
    .add('disable', (cx) => cx.call('vfio_pci_core_disable', { vdev: cx.l.vdev, reset: false }, 'r', 'task_work'))
    .replace('entry', (cx) => {
      if (!vfioDfClose(cx)) return;
      cx.call('vfio_pci_dma_buf_cleanup', { vdev: cx.l.vdev }, 'r', 'disable');
    }),
);
