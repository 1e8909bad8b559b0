/**
 * v7.1 revoke series 1/8, "dma-buf: Rename .move_notify() callback to a
 * clearer identifier" (Leon Romanovsky,
 * <20260130-dmabuf-revoke-v6-1-06278f9b7bf0@nvidia.com>): the importer's
 * dma_buf_attach_ops.move_notify becomes .invalidate_mappings. The model
 * names each importer kind's callback by its driver function
 * (src/dma-buf/importer-ops.ts), so nothing changes in the model: the patch
 * is in the stack to keep its numbering.
 */
import { patch } from '../patch.js';

export const renameMoveNotifyCallback = patch(
  'dma-buf: Rename .move_notify() callback to a clearer identifier',
  'v7.1 revoke 1/8, <20260130-dmabuf-revoke-v6-1-06278f9b7bf0@nvidia.com>',
);
