/**
 * A VFIO_IOMMU_MAP_DMA of a VA that the design resolved to a dma-buf maps
 * exactly what the VMA maps there, and is revoked with the buffer: while the
 * VMA is still in place, every IOMMU entry of such a mapping translates each
 * page to the PFN the VMA's object assigns to the matching VA
 * (object-pfn.ts), and once the buffer is revoked (resv released) none
 * is left (the reason for Jason Gunthorpe's VMA → dma-buf design in the seed
 * thread; docs/sources.md, iommufd vfio_compat.c).
 */
import { objectPfn } from './object-pfn.js';
import { dmaBufRevokeComplete } from '../../dma-buf/revoke-state.js';
import type { Invariant } from './types.js';
import { REVOKE_READS, VMA_OBJECT_READS } from './reads.js';
import { violated } from './types.js';

const PAGE = 4096;

export const compatMapFollowsVma: Invariant = {
  name: 'compat-map-follows-vma',
  rule: 'A type1-compatible MAP_DMA of a BAR VA that the design resolves to a dma-buf maps, page by page, the ' +
    'PFN the VMA\'s object assigns to that VA, and none of it survives the revoke of that dma-buf ' +
    '(iommufd_vfio_map_dma of a VMA with a dma-buf under it; iopt_revoke_notify; Jason Gunthorpe <20260227125109.GH5933@nvidia.com>).',
  // The compat areas and their IOMMU entries, the VMA in its mm, the PFN its object assigns, the revoke state.
  reads: ['ioas', 'iopt_pages', 'hwpts', 'mms', ...VMA_OBJECT_READS, ...REVOKE_READS],
  check({ state, k }) {
    for (const io of Object.values(state.ioas)) {
      for (const area of io.areas) {
        if (area.origin.kind !== 'compat-vma' || area.pages === 0) continue;
        const origin = area.origin;
        const pages = state.iopt_pages[area.pages];
        const buf = pages?.dmabuf ? state.dmabufs[pages.dmabuf.dmabuf] : undefined;
        const entries = io.hwpts.flatMap((h) => (state.hwpts[h]?.entries ?? []).filter((e) => e.area === area.id));
        if (buf !== undefined) {
          if (entries.length > 0 && dmaBufRevokeComplete(k, buf)) {
            return violated(this, `compat MAP_DMA at iova 0x${area.iova.toString(16)} still maps revoked dma-buf ${buf.id}`);
          }
        }
        const vma = state.mms[origin.mm]?.vmas.find((v) => v.id === origin.vma);
        if (vma === undefined) continue;
        for (const e of entries) {
          for (let off = 0; off < e.len; off += PAGE) {
            const va = origin.vaddr + (e.iova - area.iova) + off;
            if (va < vma.vm_start || va >= vma.vm_end) continue;
            const want = objectPfn(k, vma, va);
            const got = Math.floor((e.paddr + off) / PAGE);
            if (want !== null && want !== undefined && want !== got) {
              return violated(this, `compat MAP_DMA iova 0x${(e.iova + off).toString(16)} maps pfn 0x${got.toString(16)} ` +
                `but vma ${vma.id} maps va 0x${va.toString(16)} to pfn 0x${want.toString(16)}`);
            }
          }
        }
      }
    }
    return null;
  },
};
