/**
 * GUP-fast never succeeds where GUP refuses: the slow path refuses
 * VM_IO|VM_PFNMAP VMAs (check_vma_flags()), so a page reference on a BAR page
 * can only come from a lockless walk that took a PFN-map leaf for a normal
 * page — the x86 hazard of the seed thread (no special bit above the PTE
 * level, BAR pages with struct pages; B4, 0d979509539e).
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';
import { barOverlapping } from './leaves.js';
import { hex } from '../../kernel/events.js';

export const gupFastAgreesWithGup: Invariant = {
  name: 'gup-fast-agrees-with-gup',
  rule: 'GUP-fast never takes a page where get_user_pages() would refuse: BAR memory is only mapped by ' +
    'VM_IO|VM_PFNMAP VMAs, which check_vma_flags() refuses with -EFAULT, so no reference on a BAR page ' +
    'may exist. Without pmd_special()/pud_special() (x86 before v6.12, the seed thread\'s warning; B4 ' +
    '0d979509539e) the lockless walk takes a huge PFN leaf for a THP and grabs its struct pages.',
  reads: ['pagerefs', 'pci', 'events'],
  check({ k, events }) {
    for (const key of k.ids('pagerefs')) {
      const refs = k.get('pagerefs', key);
      const hit = barOverlapping(k, key * 4096, key * 4096 + 4096);
      if (refs > 0 && hit) {
        return violated(this, `page pfn=${hex(key)} of BAR${hit.bar} of ${hit.dev.bdf} has ${refs} references ` +
          'taken by GUP-fast through a VM_PFNMAP mapping that GUP refuses');
      }
    }
    for (const e of events) {
      if (e.kind === 'warn' && e.fn === 'gup_fast') {
        return violated(this, `gup_fast: ${String(e.args['report'] ?? 'treated a PFN-map leaf as a normal page')}`);
      }
    }
    return null;
  },
};
