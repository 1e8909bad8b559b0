/**
 * Anonymous memory (mm/memory.c do_anonymous_page(), do_wp_page(),
 * wp_page_copy(), copy_present_pte(); mm/rmap.c; v6.19), at PTE level.
 *
 * RAM page frames live above every BAR the scenarios place, from
 * RAM_BASE_PFN; each allocation is a new folio of one page whose bytes are
 * kept in the `anon_pages` table by pfn, with its mapcount (how many PTEs
 * map it). The shared zero page (ZERO_PFN) reads 0 and is mapped read-only
 * with the special bit, as do_anonymous_page() maps it for a read fault
 * (my_zero_pfn(), pte_mkspecial()). A folio is exclusive to one mm
 * (PageAnonExclusive) while its mapcount is 1 and no GUP reference is
 * held: do_wp_page() then reuses it (wp_can_reuse_anon_folio()), else
 * wp_page_copy() gives the writer a copy. fork write-protects shared
 * anonymous PTEs in parent and child (copy_present_pte() →
 * folio_try_dup_anon_rmap_pte() and ptep_set_wrprotect()), except a folio
 * that may be pinned for DMA (page_needs_cow_for_dma():
 * folio_maybe_dma_pinned(), a reference count of GUP_PIN_COUNTING_BIAS or
 * more) is copied for the child at once (copy_present_page()), so the
 * parent's pin keeps pointing at the parent's page.
 * Not modelled: large folios and THP for anonymous memory (a fault where
 * THP would allow a PMD folio emits a 'warn' and maps a PTE), the huge
 * zero page, swap, reclaim, page migration, KSM, MADV_FREE's lazy free,
 * shared anonymous memory (shmem), mm_forbids_zeropage(), userfaultfd.
 */
import type { Kernel } from '../kernel/kernel.js';
import { loadBytes, physAccess, storeBytes } from '../pci/memory.js';
import type { PhysResult } from '../pci/memory.js';
import { GUP_PIN_COUNTING_BIAS } from './gup-fast.js';

/** First pfn of RAM in the model (physical 32 TiB: above any BAR a scenario places). */
export const RAM_BASE_PFN = 2 ** 33;
/** The shared zero page. */
export const ZERO_PFN = RAM_BASE_PFN;

/** One anonymous folio (order 0): its mapcount and its bytes (offset in page → byte, 0 left out). */
export interface AnonPage {
  readonly mapcount: number;
  readonly data: { readonly [offset: number]: number };
}

/** Whether a pfn is RAM (the zero page or an anonymous page) rather than a BAR. */
export function isRamPfn(pfn: number): boolean {
  return pfn >= RAM_BASE_PFN;
}

/** alloc_anon_folio() → a zeroed page mapped once (`data`: the bytes of a page it copies). */
export function anonAlloc(k: Kernel, data: AnonPage['data'] = {}): number {
  const pfn = RAM_BASE_PFN + k.allocId();
  k.set('anon_pages', pfn, { mapcount: 1, data });
  return pfn;
}

/** The bytes of a RAM page (the zero page's are none). */
export function anonData(k: Kernel, pfn: number): AnonPage['data'] {
  return k.find('anon_pages', pfn)?.data ?? {};
}

/** Change a folio's mapcount; an unmapped folio nobody references is freed. */
export function anonMapcount(k: Kernel, pfn: number, delta: number): void {
  const p = k.find('anon_pages', pfn);
  if (p === undefined) return; // the zero page is not counted
  const mapcount = p.mapcount + delta;
  if (mapcount <= 0 && (k.find('pagerefs', pfn) ?? 0) === 0) k.remove('anon_pages', pfn);
  else k.set('anon_pages', pfn, { ...p, mapcount });
}

/**
 * PageAnonExclusive as the model keeps it: mapped by one PTE and no GUP
 * reference. The zero page never is.
 */
export function anonExclusive(k: Kernel, pfn: number): boolean {
  const p = k.find('anon_pages', pfn);
  return p !== undefined && p.mapcount === 1 && (k.find('pagerefs', pfn) ?? 0) === 0;
}

/** page_needs_cow_for_dma(): folio_maybe_dma_pinned() of an anonymous folio. */
export function anonMaybeDmaPinned(k: Kernel, pfn: number): boolean {
  return k.find('anon_pages', pfn) !== undefined && (k.find('pagerefs', pfn) ?? 0) >= GUP_PIN_COUNTING_BIAS;
}

/**
 * gup_must_unshare() for a FOLL_PIN of an anonymous page: a pinned page must be
 * exclusive, so a shared one is unshared (copied) by a fault first.
 */
export function gupMustUnshare(k: Kernel, pfn: number, pin: boolean): boolean {
  if (!pin || !isRamPfn(pfn) || pfn === ZERO_PFN) return false;
  const p = k.find('anon_pages', pfn);
  return p !== undefined && p.mapcount > 1;
}

/**
 * A CPU or DMA access at a physical address: RAM pages hold their bytes
 * (the zero page reads 0), anything else goes to the PCI side (physAccess).
 */
export function memAccess(k: Kernel, phys: number, size: number, write: boolean, value: number): PhysResult {
  const pfn = Math.floor(phys / 4096);
  if (!isRamPfn(pfn)) return physAccess(k, phys, size, write, value);
  const off = phys % 4096;
  const p = k.find('anon_pages', pfn);
  if (write) {
    if (p === undefined) return { value, outcome: 'ok' }; // the zero page is never mapped writable
    k.set('anon_pages', pfn, { ...p, data: storeBytes(p.data, off, size, value) });
    return { value, outcome: 'ok' };
  }
  return { value: p === undefined ? 0 : loadBytes(p.data, off, size), outcome: 'ok' };
}
