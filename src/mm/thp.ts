/**
 * The transparent-hugepage `enabled` sysfs setting
 * (/sys/kernel/mm/transparent_hugepage/enabled) and the page-fault
 * question it answers: thp_vma_allowable_order(vma, vm_flags,
 * TVA_PAGEFAULT, order) → __thp_vma_allowable_orders() (include/linux/huge_mm.h,
 * mm/huge_memory.c, v6.19).
 *
 * The setting is a world option (`world.thp`), constant for a run and kept
 * in `KernelState.thp` (absent: `always`, the model's default before the
 * option existed and CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS=y).
 *
 * For a special-huge file VMA (VM_PFNMAP/VM_MIXEDMAP on a file: a BAR
 * mmap) the supported orders are THP_ORDERS_ALL_SPECIAL (PMD and, with
 * CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD, PUD); VM_NOHUGEPAGE refuses
 * (vma_thp_disabled()); then, not being anonymous, the fault needs
 * hugepage_global_enabled() and, unless the setting is `always`,
 * VM_HUGEPAGE (madvise(MADV_HUGEPAGE)); in a page fault ("in_pf") a VMA
 * with ->huge_fault is trusted: the handler checks alignment itself. So
 * `never` keeps every BAR fault at PTE level, `madvise` only after
 * MADV_HUGEPAGE on the VMA.
 *
 * For an anonymous VMA only PMD order is supported here (the model has no
 * mTHP sizes; THP_ORDERS_ALL_ANON has no PUD order): the per-size setting
 * of the PMD size is `inherit` (the kernel's default), so the order is
 * allowed when the global setting is `always`, or `madvise` with VM_HUGEPAGE
 * (thp_vma_allowable_orders()'s huge_anon_orders_inherit mask), and not with
 * VM_NOHUGEPAGE.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Vma } from './types.js';
import { vmFlagsHas } from './types.js';
import { vmaIsSpecialHuge, vmOps } from './vma.js';

/** The values of transparent_hugepage/enabled. */
export const THP_ENABLED = ['always', 'madvise', 'never'] as const;
export type ThpEnabled = (typeof THP_ENABLED)[number];

/** VM_HUGEPAGE (bit 29): madvise(MADV_HUGEPAGE). */
export const VM_HUGEPAGE = 2 ** 29;
/** VM_NOHUGEPAGE (bit 30): madvise(MADV_NOHUGEPAGE). */
export const VM_NOHUGEPAGE = 2 ** 30;

/** The running kernel's transparent_hugepage/enabled. */
export function thpEnabled(k: Kernel): ThpEnabled {
  return k.state.thp ?? 'always';
}

/** vma_is_anonymous(): no vm_ops (the model's anonymous VMAs have no file either). */
export function vmaIsAnonymous(v: Vma): boolean {
  return v.vm_file === 0 && v.vm_ops === '';
}

/** thp_vma_allowable_order(vma, vma->vm_flags, TVA_PAGEFAULT, order of `level`). */
export function thpVmaAllowable(k: Kernel, v: Vma, level: 'pmd' | 'pud'): boolean {
  const enabled = thpEnabled(k);
  const advised = vmFlagsHas(v.vm_flags, VM_HUGEPAGE);
  if (vmFlagsHas(v.vm_flags, VM_NOHUGEPAGE)) return false; // vma_thp_disabled()
  if (vmaIsAnonymous(v)) {
    // huge_anon_orders_inherit holds PMD_ORDER: always, or madvise with VM_HUGEPAGE.
    return level === 'pmd' && (enabled === 'always' || (enabled === 'madvise' && advised));
  }
  if (!vmaIsSpecialHuge(v) || !k.arch.hugePfnmap[level]) return false; // THP_ORDERS_ALL_SPECIAL
  if (enabled === 'never' || (enabled === 'madvise' && !advised)) return false;
  return vmOps(k, v)?.huge_fault !== undefined; // in_pf: trust ->huge_fault
}
