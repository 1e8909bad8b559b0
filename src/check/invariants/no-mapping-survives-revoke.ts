/**
 * No importer mapping or pin survives a revoke: once the exporter has
 * flipped its revoked state and dropped the dma_resv lock, every attachment
 * has been told (move_notify) and has unmapped. A pinned importer never
 * reacts, which is why VFIO refuses pins (B16, 61ceaf236115) and v7.1 allows
 * only importers that implement revoke (docs/sources.md).
 */
import { dmaBufRevokeComplete } from '../../dma-buf/revoke-state.js';
import type { Invariant } from './types.js';
import { REVOKE_READS } from './reads.js';
import { violated } from './types.js';

export const noMappingSurvivesRevoke: Invariant = {
  name: 'no-mapping-survives-revoke',
  rule: 'When a revoke is complete (the exporter\'s revoked state set and its dma_resv released), no importer ' +
    'attachment of that dma-buf is still mapped or pinned: vfio_pci_dma_buf_move() notifies every attachment ' +
    'with dma_buf_move_notify() under the resv lock and dynamic importers unmap (B16 61ceaf236115).',
  reads: ['attachments', 'importers', ...REVOKE_READS],
  check({ state, k }) {
    for (const a of Object.values(state.attachments)) {
      // A pin by an importer that handles revoke (iommufd pins in v7.1, <20260130-dmabuf-revoke-v6-8-06278f9b7bf0@nvidia.com>)
      // gives no access once it has unmapped; only a pin that ignores the notify (RDMA) keeps the buffer in use.
      const pinHolds = a.pinned && state.importers[a.importer]?.kind === 'pinned';
      if (a.mapped === null && !pinHolds) continue;
      const buf = state.dmabufs[a.dmabuf];
      if (buf === undefined) continue;
      if (dmaBufRevokeComplete(k, buf)) {
        const who = state.importers[a.importer]?.name ?? `importer ${a.importer}`;
        return violated(this, `${who} still has dma-buf ${buf.id} ${a.pinned ? 'pinned' : 'mapped'} after its revoke`);
      }
    }
    return null;
  },
};
