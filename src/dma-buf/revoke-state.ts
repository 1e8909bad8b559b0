/**
 * Whether a dma-buf's revoke is complete, as importers and invariants must
 * judge it: the exporter's own state says the buffer is revoked (vfio-pci's
 * priv->revoked; a freed priv counts as revoked) and the exporter has
 * dropped the dma_resv it flipped the state and ran dma_buf_move_notify()
 * under. Until then importers have not been told and may still use their
 * mappings (vfio_pci_dma_buf_move(), v6.19). Read from the state, never
 * from what a design says of itself.
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

/** The buffer is revoked and the exporter has released its dma_resv: every importer was notified. */
export function dmaBufRevokeComplete(k: Kernel, buf: DmaBuf): boolean {
  return !held(k, buf.resv) && dmaBufRevoked(k, buf);
}
