/**
 * Whether a dma-buf's revoke is complete, as importers and invariants must
 * judge it: the exporter's own state says the buffer is revoked (vfio-pci's
 * priv->revoked; a freed priv counts as revoked) and the exporter has
 * dropped the dma_resv it flipped the state and ran dma_buf_move_notify()
 * under. Until then importers have not been told and may still use their
 * mappings (vfio_pci_dma_buf_move(), v6.19). With the v7.1 series
 * (1a8a5227f229) the revoke returns only once every importer has unmapped:
 * while a task is inside that wait (a frame whose local `draining` names
 * the buffer: the revoker is on its stack between the invalidate and the
 * end of wait_for_completion()) the revoke is not complete either. Read
 * from the state (locks, exporter rows, task stacks), never from what a
 * design says of itself.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { DmaBuf } from './types.js';
import { VFIO_PCI_DMABUF_OPS } from '../vfio/pci/dmabuf-create.js';

/** Whether a lock row is held by anyone. */
function held(k: Kernel, lock: number): boolean {
  const l = k.find('locks', lock);
  return l !== undefined && (l.writer !== 0 || l.readers.length > 0);
}

/**
 * The exporter's state says the buffer is revoked (whether or not it still
 * holds the resv). vfio-pci is the model's only exporter that revokes.
 */
export function dmaBufRevoked(k: Kernel, buf: DmaBuf): boolean {
  if (buf.ops !== VFIO_PCI_DMABUF_OPS) return false;
  return k.find('vfio_dmabufs', buf.priv)?.revoked ?? true;
}

/** Whether some task is inside a revoke of `buf` that waits for its mappings (a frame with `draining` = buf). */
export function dmaBufRevokeDraining(k: Kernel, buf: DmaBuf): boolean {
  for (const tid of k.ids('tasks')) {
    const t = k.get('tasks', tid);
    if (!t.dead && t.frames.some((f) => f.locals['draining'] === buf.id)) return true;
  }
  return false;
}

/**
 * The buffer is revoked, the exporter has released its dma_resv (every
 * importer was notified) and no revoke of it is still waiting for importers
 * to unmap.
 */
export function dmaBufRevokeComplete(k: Kernel, buf: DmaBuf): boolean {
  return !held(k, buf.resv) && dmaBufRevoked(k, buf) && !dmaBufRevokeDraining(k, buf);
}
