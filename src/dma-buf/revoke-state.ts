/**
 * Whether a dma-buf's revoke is complete, as importers and invariants must
 * judge it: the exporter says the buffer is revoked (its `isRevoked` model
 * hook) and has dropped the dma_resv it flipped the state and ran
 * dma_buf_move_notify() under. Until then importers have not been told and
 * may still use their mappings (vfio_pci_dma_buf_move(), v6.19).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { DmaBuf } from './types.js';

/** Whether a lock row is held by anyone. */
function held(k: Kernel, lock: number): boolean {
  const l = k.find('locks', lock);
  return l !== undefined && (l.writer !== 0 || l.readers.length > 0);
}

/** The exporter reports the buffer revoked (whether or not it still holds the resv). */
export function dmaBufRevoked(k: Kernel, buf: DmaBuf): boolean {
  return k.design.dmaBufOps?.[buf.ops]?.isRevoked?.(k, buf.id) ?? false;
}

/** The buffer is revoked and the exporter has released its dma_resv: every importer was notified. */
export function dmaBufRevokeComplete(k: Kernel, buf: DmaBuf): boolean {
  return !held(k, buf.resv) && dmaBufRevoked(k, buf);
}
