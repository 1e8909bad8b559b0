/**
 * Arch profiles are data: what the page-table format of an architecture can
 * express, so that the x86 hazard the seed thread warns about is chosen by
 * picking a profile, not by editing code.
 */

/** Page-table levels that can hold a leaf, smallest first. */
export type Level = 'pte' | 'pmd' | 'pud';

export const LEVELS: readonly Level[] = ['pte', 'pmd', 'pud'];

export type ArchName = string;

export interface ArchProfile {
  readonly name: ArchName;
  readonly description: string;
  /** PAGE_SHIFT; the model fixes the base page at 4 KiB for every profile. */
  readonly pageShift: 12;
  /** log2 of the size one leaf maps at each level (PMD_SHIFT, PUD_SHIFT). */
  readonly shift: Readonly<Record<Level, number>>;
  /**
   * Levels at which a leaf carries a special bit: pte_special() always
   * (CONFIG_ARCH_HAS_PTE_SPECIAL), pmd_special()/pud_special() only where the
   * arch selects CONFIG_ARCH_SUPPORTS_PMD_PFNMAP / _PUD_PFNMAP (v6.12+).
   */
  readonly special: Readonly<Record<Level, boolean>>;
  /**
   * Levels at which vmf_insert_pfn_pmd()/_pud() may install a PFN-map leaf.
   * A level is listed here only when the arch selects
   * CONFIG_ARCH_SUPPORTS_{PMD,PUD}_PFNMAP (or, in the pre-v6.12 profile, when
   * a driver inserted huge PFN leaves anyway, as TTM did).
   */
  readonly hugePfnmap: Readonly<Record<'pmd' | 'pud', boolean>>;
  /** CONFIG_HAVE_GUP_FAST: a lockless walk is tried before the slow path. */
  readonly gupFast: boolean;
}
