/**
 * v3 6/9, "Clean up BAR zap and revocation": the CPU mappings of a buffer
 * are zapped by its revoke, after the wait for importers
 * (unmap_mapping_range(dmabuf->file->f_mapping, 0, size) in
 * vfio_pci_dma_buf_move() and _cleanup(), read from the v3 posting), and
 * vfio_pci_zap_bars() zaps the device inode only where a driver sets
 * bar_needs_zap: a variant driver whose mmap maps more than BAR dma-bufs
 * (nvgrace-gpu; on by default when .mmap is overridden, hisi_acc opts
 * out). Every modelled device is vfio-pci core, whose BAR mmaps are all
 * dma-bufs, so it is off. After the zap the revoke re-arms the kref and the
 * completion (the post-revoke state equals the post-creation state, as in
 * v3 8/9's vfio_pci_dma_buf_set_status()).
 */
import type { Kernel } from '../../kernel/kernel.js';
import { vdevName } from '../../vfio/pci/device.js';
import { vfio_pci_zap_bars } from '../../vfio/pci/zap.js';
import { vfio_pci_dma_buf_move } from '../../vfio/pci/dmabuf-move.js';
import { zapOwnMappingArgs } from '../common/vfio-dmabuf.js';
import { rearmRevokeWait, vfio_pci_dma_buf_cleanup_v71 } from '../revoke-v7.1/0004-wait-for-invalidation.js';
import { patch, patchPath } from '../patch.js';
import { v3Cite } from './cite.js';

/** vdev->bar_needs_zap: only variant drivers that map more than BAR dma-bufs set it (none modelled). */
export function barNeedsZap(_k: Kernel, _vdev: number): boolean {
  return false;
}

export const barZap = patch(
  'vfio/pci: Clean up BAR zap and revocation',
  v3Cite(6),
  patchPath(vfio_pci_zap_bars).replace('entry', (cx) => {
    if (!barNeedsZap(cx.k, cx.l.vdev)) {
      cx.emit('zap', 'vfio_pci_zap_bars', { dev: vdevName(cx.k, cx.l.vdev), skipped: '!bar_needs_zap' });
      return cx.ret(0);
    }
    vfio_pci_zap_bars.steps.entry(cx);
  }),
  // A revoke zaps the buffer's own mapping once every importer has unmapped, then re-arms.
  patchPath(vfio_pci_dma_buf_move).insertBefore('put', 'zap', (cx) => {
    if (!cx.l.revoked) return cx.goto('put');
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    rearmRevokeWait(cx.k, p.id); // nothing can map a revoked buffer between the re-arm and the zap
    cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, p.dmabuf), 'x', 'put');
  }),
  patchPath(vfio_pci_dma_buf_cleanup_v71).insertBefore('registration_put', 'zap', (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, p.dmabuf), 'x', 'registration_put');
  }),
);
