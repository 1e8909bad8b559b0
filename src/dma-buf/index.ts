/**
 * dma-buf core (drivers/dma-buf/dma-buf.c, include/linux/dma-buf.h,
 * include/uapi/linux/dma-buf.h; v6.19) and the modelled importers.
 *
 * Modelled: dma_buf_export (own anon inode, file with dma_buf_fops, embedded
 * dma_resv), dma_buf_fd, dma_buf_get/put as fget/fput, the file's release
 * (dma_buf_file_release + dma_buf_release → ops->release), f_op->mmap
 * (dma_buf_mmap_internal), the in-kernel dma_buf_mmap with vma_set_file,
 * DMA_BUF_IOCTL_SYNC and SET_NAME; dma_buf_dynamic_attach, dma_buf_detach,
 * dma_buf_pin/unpin, dma_buf_map/unmap_attachment under the resv,
 * dma_buf_move_notify; three importers (GPU-like dynamic, RDMA-like pinned,
 * iommufd) and their devices' DMA; deferred __fput (task_work).
 *
 * Not modelled: fences and dma_resv's fence lists (waits return at once),
 * poll, llseek, fdinfo, vmap/vunmap, begin/end_cpu_access exporter hooks,
 * the sync-file ioctls (-ENOTTY, as without CONFIG_SYNC_FILE), static
 * (non-dynamic) importers, sg_table contents beyond the physical ranges
 * (no IOMMU: the importer's DMA address is the physical address),
 * the global dmabuf_list, sysfs stats, the
 * ww_mutex acquire contexts (the resv is a plain mutex), module refcounts.
 */
import { dma_buf_llseek } from './llseek.js';
import type { Path } from '../kernel/sched/path.js';
import type { FileOperations } from '../designs/types.js';
import { DMA_BUF_FOPS } from './export.js';
import { dma_buf_file_release, dma_buf_ioctl, dma_buf_mmap_internal, dma_buf_release } from './file.js';
import { dma_buf_mmap } from './mmap.js';
import {
  dma_buf_detach, dma_buf_dynamic_attach, dma_buf_map_attachment, dma_buf_move_notify, dma_buf_pin,
  dma_buf_unmap_attachment, dma_buf_unpin,
} from './attach.js';
import {
  deferred_importer_move_notify, dynamic_importer_move_notify, ib_umem_dmabuf_unsupported_move_notify, iopt_revoke_notify,
} from './importer-ops.js';
import {
  dmabuf_importer_attach, dmabuf_importer_detach, dmabuf_importer_map, dmabuf_importer_unmap, importer_dma,
} from './importer.js';
import { taskWorkRunPath } from './task-work.js';

/** Every dma-buf core and importer path, for the designs' registries. */
export const DMA_BUF_PATHS: readonly Path[] = [
  dma_buf_file_release, dma_buf_release, dma_buf_mmap_internal, dma_buf_ioctl, dma_buf_mmap,
  dma_buf_dynamic_attach, dma_buf_detach, dma_buf_pin, dma_buf_unpin, dma_buf_map_attachment,
  dma_buf_unmap_attachment, dma_buf_move_notify,
  dynamic_importer_move_notify, deferred_importer_move_notify, ib_umem_dmabuf_unsupported_move_notify,
  iopt_revoke_notify, dmabuf_importer_attach, dmabuf_importer_map, dmabuf_importer_unmap, dmabuf_importer_detach, importer_dma,
  taskWorkRunPath, dma_buf_llseek,
];

/** static const struct file_operations dma_buf_fops. */
export const dmaBufFops: FileOperations = {
  name: DMA_BUF_FOPS,
  release: 'dma_buf_file_release',
  mmap: 'dma_buf_mmap_internal',
  unlocked_ioctl: 'dma_buf_ioctl',
  llseek: 'dma_buf_llseek',
};

export const DMA_BUF_FILE_OPS: readonly FileOperations[] = [dmaBufFops];

export { DMA_BUF_FOPS, dmaBufExport, dmaBufFd, isDmaBufFile, fileDmaBuf } from './export.js';
export type { DmaBufExportInfo } from './export.js';
export { newImporter, IMPORTER_MOVE_NOTIFY } from './importer-ops.js';
export { mappedPhys, VFIO_IOMMUFD_MAP } from './importer.js';
export { fputDeferred } from './task-work.js';
export { pinOnMap } from './attach.js';
export type { DmaBuf, DmaBufAttachment, Importer, ImporterKind, PhysVec, TaskWork } from './types.js';
