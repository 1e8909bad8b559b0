/**
 * Every leaf lies in a VMA, maps exactly the PFNs the VMA's object assigns
 * to its addresses, and a huge leaf exists only where the VA block lies
 * inside the VMA and the PFN is aligned to the order (B11: 09dfc8a5f2ce,
 * B12: c1d9dac0db16, is_aligned_for_order()).
 */
import type { Invariant } from './types.js';
import { VMA_OBJECT_READS } from './reads.js';
import { violated } from './types.js';
import { allLeaves } from './leaves.js';
import { hex } from '../../kernel/events.js';
import { objectPfn } from './object-pfn.js';

export const leafMapsObjectPfn: Invariant = {
  name: 'leaf-maps-object-pfn',
  rule: 'Every page-table leaf lies inside a VMA and maps the PFN its object assigns to that address; a ' +
    'PMD/PUD leaf only where the whole block is inside the VMA and the PFN is aligned to the order ' +
    '(is_aligned_for_order(); B11 09dfc8a5f2ce, B12 c1d9dac0db16). The first and last page of a huge leaf ' +
    'are checked against the object.',
  reads: ['mms', ...VMA_OBJECT_READS],
  check({ k }) {
    for (const l of allLeaves(k)) {
      const where = `mm ${l.mm} ${l.leaf.level} leaf va=${hex(l.va)} pfn=${hex(l.leaf.pfn)}`;
      const vma = l.vma;
      if (vma === undefined) return violated(this, `${where} lies in no VMA (a stale mapping after unmap)`);
      if (l.va < vma.vm_start || l.va + l.size > vma.vm_end) {
        return violated(this, `${where} spans past vma ${vma.id} [${hex(vma.vm_start)}, ${hex(vma.vm_end)})`);
      }
      const pages = l.size / 4096;
      if (l.leaf.pfn % pages !== 0) return violated(this, `${where}: pfn not aligned to the ${l.leaf.level} size`);
      const first = objectPfn(k, vma, l.va);
      if (first === undefined) continue;
      const last = objectPfn(k, vma, l.va + l.size - 4096) ?? null;
      if (first !== l.leaf.pfn || last !== l.leaf.pfn + pages - 1) {
        // Both sides: what the leaf maps against what the VMA's object assigns, first and last page.
        return violated(this, `${where}: the leaf maps pfn ${hex(l.leaf.pfn)}..${hex(l.leaf.pfn + pages - 1)} but vma ${vma.id} ` +
          `assigns pfn ${first === null ? 'none' : hex(first)}..${last === null ? 'none' : hex(last)}`);
      }
    }
    return null;
  },
};
