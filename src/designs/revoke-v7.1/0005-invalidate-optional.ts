/**
 * v7.1 revoke series 5/8, "dma-buf: Make .invalidate_mapping() truly
 * optional" (<20260130-dmabuf-revoke-v6-5-06278f9b7bf0@nvidia.com>):
 * dma_buf_invalidate_mappings() skips attachments whose importer has no
 * callback. The model takes the RDMA pinned importer
 * (ib_umem_dmabuf_get_pinned) to lose its stub that only warned
 * (ib_umem_dmabuf_unsupported_move_notify), so it is the importer without
 * one; that is read from the series' titles and 7/8's message, not from
 * the patch body.
 */
import type { ImporterKind } from '../../dma-buf/types.js';
import { patch, patchPath } from '../patch.js';
import { dma_buf_invalidate_mappings, invalidateNext } from './0002-invalidate-mappings.js';

/** Whether an importer kind implements invalidate_mappings after 5/8. */
export function hasInvalidateMappings(kind: ImporterKind): boolean {
  return kind !== 'pinned';
}

export const invalidateOptional = patch(
  'dma-buf: Make .invalidate_mapping() truly optional',
  'v7.1 revoke 5/8, <20260130-dmabuf-revoke-v6-5-06278f9b7bf0@nvidia.com>',
  patchPath(dma_buf_invalidate_mappings).replace('next', invalidateNext(hasInvalidateMappings)),
);
