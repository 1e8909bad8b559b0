/**
 * The GUP-fast walker (mm/gup.c gup_fast() and gup_fast_{pud,pmd}_leaf,
 * gup_fast_pte_range, v6.19, CONFIG_HAVE_GUP_FAST): a lockless page-table
 * walk with interrupts off, modelled as one atomic step.
 *
 * Page by page from `start`: a missing entry, a leaf that does not permit
 * the access, or a leaf with the special bit stops the walk (the slow path
 * takes over for the rest). A leaf without the special bit is trusted to
 * have a struct page: if the pfn has none (BAR memory without ZONE_DEVICE
 * pages) the kernel would dereference a bogus struct page — reported as a
 * 'warn' and the walk stops; a P2PDMA page without FOLL_PCI_P2PDMA is
 * refused by try_grab_folio_fast(). Otherwise the page gets a reference
 * (FOLL_GET: +1; FOLL_PIN: +GUP_PIN_COUNTING_BIAS) in the `pagerefs` table.
 * Not modelled: gup_fast_folio_allowed()'s CONFIG_SECRETMEM check of the
 * folio mapping (which on v6.19 makes order-0 folios with a NULL mapping,
 * such as P2PDMA pages, fall back) — the hazard profiles stand for kernels
 * without it — and the re-check of the entry after the grab (atomic here).
 */
import type { Kernel } from '../kernel/kernel.js';
import { pfnHasStructPage, pfnToBar } from '../pci/memory.js';
import { walk } from './pgtable.js';
import { gupMustUnshare } from './anon.js';

export const FOLL_WRITE = 0x01;
export const FOLL_GET = 0x04;
export const FOLL_PIN = 0x40000;
export const FOLL_PCI_P2PDMA = 0x100000;
/** GUP_PIN_COUNTING_BIAS: what a pin adds to an order-0 folio's refcount. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/** A reference GUP holds: pfn and how much it added to the page's count. */
export interface PageRef {
  readonly pfn: number;
  readonly refs: number;
}

export interface GupFastResult {
  readonly refs: readonly PageRef[];
  /** Why the walk stopped before nrPages ('' when it got them all). */
  readonly stop: string;
  /** The level of the last leaf looked at. */
  readonly level: string;
}

/** Add `n` to a page's reference count in the pagerefs table. */
export function addPageRef(k: Kernel, pfn: number, n: number): void {
  const cur = k.find('pagerefs', pfn) ?? 0;
  if (cur + n === 0) {
    k.remove('pagerefs', pfn);
    // The last reference on an anonymous folio no PTE maps any more frees it (src/mm/anon.ts).
    const anon = k.find('anon_pages', pfn);
    if (anon !== undefined && anon.mapcount <= 0) k.remove('anon_pages', pfn);
  } else k.set('pagerefs', pfn, cur + n);
}

/** gup_fast() over [start, start + nrPages pages) of an mm. */
export function gupFastWalk(k: Kernel, mm: number, start: number, nrPages: number, flags: number): GupFastResult {
  const refs: PageRef[] = [];
  const pgd = k.get('mms', mm).pgd;
  let level = '';
  for (let i = 0; i < nrPages; i++) {
    const va = start + i * 4096;
    const w = walk(k.arch, pgd, va);
    if (w.kind === 'none') return { refs, stop: `${w.level} none`, level: w.level };
    const leaf = w.leaf;
    level = leaf.level;
    if ((flags & FOLL_WRITE) && !leaf.write) return { refs, stop: `${leaf.level} not writable`, level };
    if (leaf.special) return { refs, stop: `${leaf.level}_special`, level };
    const pfn = leaf.pfn + Math.floor((va - w.base) / 4096);
    if (!pfnHasStructPage(k, pfn)) return { refs, stop: 'no struct page', level };
    if (gupMustUnshare(k, pfn, (flags & FOLL_PIN) !== 0)) return { refs, stop: 'gup_must_unshare', level };
    const p2p = pfnToBar(k, pfn) !== null;
    if (p2p && !(flags & FOLL_PCI_P2PDMA)) return { refs, stop: 'P2PDMA page without FOLL_PCI_P2PDMA', level };
    const n = flags & FOLL_PIN ? GUP_PIN_COUNTING_BIAS : 1;
    addPageRef(k, pfn, n);
    refs.push({ pfn, refs: n });
  }
  return { refs, stop: '', level };
}
