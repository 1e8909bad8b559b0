/**
 * vfio_pci_dma_buf_move() and vfio_pci_dma_buf_cleanup() for the dma-buf
 * designs: v6.19's paths (src/vfio/pci/dmabuf-move.ts) built with the
 * designs' choices, `zapOwnMapping` (RFC1 3/7: a revoke and the cleanup
 * also zap dmabuf->file->f_mapping, where dma-buf VMAs live) and
 * `permanentRevoke` (RFC1 5/7: un-revoking skips a permanently revoked
 * buffer).
 */
export { dmaBufCleanupPath, dmaBufMovePath } from '../../vfio/pci/dmabuf-move.js';
export type { DmaBufMoveChoices } from '../../vfio/pci/dmabuf-move.js';
