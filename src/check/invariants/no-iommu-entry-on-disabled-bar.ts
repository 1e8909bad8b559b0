/**
 * No IOMMU entry maps a BAR whose function does not decode memory, or a
 * dma-buf its exporter has revoked (once the revoke is complete: the
 * exporter's dma_resv released). The dma-buf importer contract
 * (move_notify: stop and unmap; iopt_revoke_notify in
 * drivers/iommu/iommufd/pages.c, v6.19) keeps it for iommufd's MAP_FILE;
 * the real type1 backend follows the PFNs of a VFIO BAR mmap with no
 * lifetime link (vfio_iommu_type1.c vaddr_get_pfns → follow_fault_pfn), so a
 * memory disable leaves its entries in place (docs/sources.md).
 */
import { dmaBufRevokeComplete } from '../../dma-buf/revoke-state.js';
import type { Invariant } from './types.js';
import { REVOKE_READS } from './reads.js';
import { violated } from './types.js';
import { barOverlapping } from './leaves.js';
import { pciMemoryDecodes } from '../../pci/memory.js';
import { allIommuEntries, describe } from './iommu-entries.js';

export const noIommuEntryOnDisabledBar: Invariant = {
  name: 'no-iommu-entry-on-disabled-bar',
  rule: 'No IOMMU page-table entry maps a BAR while its function does not decode memory, nor a dma-buf ' +
    'whose exporter has revoked it once the revoke is complete (dma_resv released): vfio-pci revokes its ' +
    'dma-bufs under memory_lock before it disables decoding, and iommufd\'s importer unmaps on move_notify ' +
    '(iopt_revoke_notify(), v6.19). The real type1 backend maps a BAR mmap\'s PFNs with no revoke ' +
    '(vfio_iommu_type1.c follow_fault_pfn).',
  reads: ['hwpts', 'vfio_containers', 'pci', ...REVOKE_READS],
  check({ state, k }) {
    for (const p of allIommuEntries(state)) {
      const e = p.entry;
      const hit = barOverlapping(k, e.paddr, e.paddr + e.len);
      if (hit && !pciMemoryDecodes(hit.dev)) {
        return violated(this, `${describe(p)} maps BAR${hit.bar} of ${hit.dev.bdf}, which does not decode memory ` +
          `(command=0x${hit.dev.command.toString(16)} power=${hit.dev.power})`);
      }
      if (e.dmabuf === 0) continue;
      const buf = state.dmabufs[e.dmabuf];
      if (buf === undefined) return violated(this, `${describe(p)} maps dma-buf ${e.dmabuf}, which was freed`);
      if (dmaBufRevokeComplete(k, buf)) {
        return violated(this, `${describe(p)} still maps dma-buf ${buf.id} after its revoke`);
      }
    }
    return null;
  },
};
