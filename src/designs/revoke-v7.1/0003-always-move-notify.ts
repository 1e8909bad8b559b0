/**
 * v7.1 revoke series 3/8, "dma-buf: Always build with DMABUF_MOVE_NOTIFY"
 * (<20260130-dmabuf-revoke-v6-3-06278f9b7bf0@nvidia.com>). The model takes
 * CONFIG_DMABUF_MOVE_NOTIFY as enabled already (src/dma-buf/attach.ts), so
 * nothing changes: the patch keeps the stack's numbering.
 */
import { patch } from '../patch.js';

export const alwaysMoveNotify = patch(
  'dma-buf: Always build with DMABUF_MOVE_NOTIFY',
  'v7.1 revoke 3/8, <20260130-dmabuf-revoke-v6-3-06278f9b7bf0@nvidia.com>',
);
