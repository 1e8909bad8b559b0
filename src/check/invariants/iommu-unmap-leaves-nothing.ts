/**
 * Unmapping leaves nothing behind: every IOMMU entry belongs to a mapping
 * that still exists (an iopt_area of the domain's IOAS, or a vfio_dma of the
 * type1 container) and lies inside it; and with no task in the kernel,
 * every attachment of iommufd's global device belongs to live iopt_pages
 * (iopt_unmap_iova_range → iopt_area_unfill_domains, iopt_release_pages →
 * dma_buf_detach; vfio_dma_do_unmap → vfio_remove_dma; v6.19).
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';
import { allIommuEntries, describe } from './iommu-entries.js';
import { IOMMUFD_GLOBAL_DEVICE } from '../../iommufd/pages.js';

export const iommuUnmapLeavesNothing: Invariant = {
  name: 'iommu-unmap-leaves-nothing',
  rule: 'Every IOMMU entry lies inside a mapping that still exists (an IOAS area or a type1 vfio_dma), and when ' +
    'no task is in the kernel every dma-buf attachment of iommufd belongs to live iopt_pages: unmap removes ' +
    'the IOMMU entries and detaches the dma-buf (iopt_unmap_iova_range(), iopt_release_pages(), vfio_remove_dma(); v6.19).',
  reads: ['hwpts', 'vfio_containers', 'ioas', 'tasks', 'iopt_pages', 'attachments', 'importers'],
  check({ state }) {
    for (const p of allIommuEntries(state)) {
      const e = p.entry;
      if (p.kind === 'hwpt') {
        const area = state.ioas[p.ioas]?.areas.find((a) => a.id === e.area);
        if (area === undefined || e.iova < area.iova || e.iova + e.len > area.iova + area.length) {
          return violated(this, `${describe(p)} outlives its IOAS area ${e.area}`);
        }
      } else {
        const dma = state.vfio_containers[p.owner]?.dmas.find((d) => d.iova === e.area);
        if (dma === undefined || e.iova < dma.iova || e.iova + e.len > dma.iova + dma.size) {
          return violated(this, `${describe(p)} outlives its vfio_dma at 0x${e.area.toString(16)}`);
        }
      }
    }
    const quiescent = Object.values(state.tasks).every((t) => t.dead || t.frames.length === 0);
    if (!quiescent) return null;
    const owned = new Set(Object.values(state.iopt_pages).map((pg) => pg.dmabuf?.attach ?? 0));
    for (const a of Object.values(state.attachments)) {
      if (state.importers[a.importer]?.name !== IOMMUFD_GLOBAL_DEVICE) continue;
      if (!owned.has(a.id)) return violated(this, `iommufd attachment ${a.id} of dma-buf ${a.dmabuf} outlives its iopt_pages`);
    }
    return null;
  },
};
