/**
 * v7.1 revoke series 3/8, "dma-buf: Always build with DMABUF_MOVE_NOTIFY"
 * (<20260130-dmabuf-revoke-v6-3-06278f9b7bf0@nvidia.com>). The patch
 * removes the Kconfig option: a world that turns CONFIG_DMABUF_MOVE_NOTIFY
 * off gets it on under this stack (src/scenario/world.ts kernelConfig()
 * looks for this subject); no path changes.
 */
import { patch } from '../patch.js';

/** The patch's subject, by which the world builder recognises the stack. */
export const ALWAYS_MOVE_NOTIFY_SUBJECT = 'dma-buf: Always build with DMABUF_MOVE_NOTIFY';

export const alwaysMoveNotify = patch(
  ALWAYS_MOVE_NOTIFY_SUBJECT,
  'v7.1 revoke 3/8, <20260130-dmabuf-revoke-v6-3-06278f9b7bf0@nvidia.com>',
);
