/**
 * v7.1 revoke series 6/8, "dma-buf: Add dma_buf_attach_revocable()"
 * (<20260130-dmabuf-revoke-v6-6-06278f9b7bf0@nvidia.com>): an exporter asks
 * whether an attachment's importer implements invalidate_mappings, i.e.
 * can be revoked. A helper, no path of its own: 7/8 calls it.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { patch } from '../patch.js';
import { hasInvalidateMappings } from './0005-invalidate-optional.js';

/** dma_buf_attach_revocable(attach): a dynamic attachment whose importer implements invalidate_mappings. */
export function dmaBufAttachRevocable(k: Kernel, attach: number): boolean {
  const a = k.find('attachments', attach);
  return a !== undefined && a.dynamic && hasInvalidateMappings(k.get('importers', a.importer).kind);
}

export const attachRevocable = patch(
  'dma-buf: Add dma_buf_attach_revocable()',
  'v7.1 revoke 6/8, <20260130-dmabuf-revoke-v6-6-06278f9b7bf0@nvidia.com>',
);
