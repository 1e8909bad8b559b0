/**
 * `revoke@v7.1`: Leon Romanovsky's dma-buf revoke series as merged for
 * v7.1 ("dma-buf: Rename .move_notify() ..." to "iommufd: Add
 * dma_buf_pin()", v6 <20260130-dmabuf-revoke-v6-0-06278f9b7bf0@nvidia.com>;
 * 4/8 is commit 1a8a5227f229), the stack of its eight patches over
 * `legacy`, one file per patch: importers' move_notify becomes
 * invalidate_mappings; vfio-pci counts mappings in a kref and a revoke
 * waits on a completion until every importer has unmapped; pinned
 * importers that handle revoke are allowed and iommufd pins. BAR mmaps are
 * v6.19's.
 */
import type { Design } from '../types.js';
import { stack } from '../patch.js';
import { legacy } from '../legacy.js';
import { renameMoveNotifyCallback } from './0001-rename-move-notify-callback.js';
import { invalidateMappings } from './0002-invalidate-mappings.js';
import { alwaysMoveNotify } from './0003-always-move-notify.js';
import { waitForInvalidation } from './0004-wait-for-invalidation.js';
import { invalidateOptional } from './0005-invalidate-optional.js';
import { attachRevocable } from './0006-attach-revocable.js';
import { permitPinnedImporters } from './0007-permit-pinned-importers.js';
import { iommufdPin } from './0008-iommufd-pin.js';

export const REVOKE_V71_PATCHES = [
  renameMoveNotifyCallback, invalidateMappings, alwaysMoveNotify, waitForInvalidation,
  invalidateOptional, attachRevocable, permitPinnedImporters, iommufdPin,
] as const;

export {
  renameMoveNotifyCallback, invalidateMappings, alwaysMoveNotify, waitForInvalidation,
  invalidateOptional, attachRevocable, permitPinnedImporters, iommufdPin,
};
export { dmaBufAttachRevocable } from './0006-attach-revocable.js';
export type { RevokeWaitDmaBuf } from './0004-wait-for-invalidation.js';

export const revokeV71: Design = stack(legacy, {
  name: 'revoke@v7.1',
  description: 'v7.1 dma-buf revoke series: invalidate_mappings, a kref per mapping and a completion the revoke ' +
    'waits on, pinned importers that handle revoke, iommufd pins',
  patches: [...REVOKE_V71_PATCHES],
});
