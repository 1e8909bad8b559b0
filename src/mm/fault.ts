/**
 * Page-fault dispatch for file VMAs: handle_mm_fault() → __handle_mm_fault()
 * (mm/memory.c, v6.19), as it runs for VM_PFNMAP mappings.
 *
 * Path `handle_mm_fault` with locals {mm, vma, address, write}; the caller
 * holds mmap_lock for read. The vm_operations paths are called with the vmf
 * as locals {mm, vma, address, pgoff, write, order} (address page-aligned,
 * pgoff = linear_page_index) and return a vm_fault_t.
 *
 * - PUD: if the PUD entry is none and thp_vma_allowable_order(PUD_ORDER)
 *   holds, ->huge_fault(vmf, PUD_ORDER); anything but VM_FAULT_FALLBACK ends
 *   the fault. For a file VMA in a page fault v6.19 allows the order when the
 *   VMA is special-huge (a file VMA with VM_PFNMAP/VM_MIXEDMAP), has
 *   ->huge_fault, and the THP `enabled` setting allows it (src/mm/thp.ts:
 *   `never` never, `madvise` with VM_HUGEPAGE); the arch must map PUD PFN
 *   leaves (CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD, arch.hugePfnmap.pud).
 * - pmd_alloc(): the PUD slot now holds a pmd table (so after a fallback a
 *   later fault there no longer tries PUD order until the tables are freed).
 * - PMD: likewise with PMD_ORDER when the PMD entry is none.
 * - PTE: ->fault(vmf) (order 0) when the PTE is none; no ->fault is SIGBUS.
 * A present leaf hit by a write it does not allow gets the write-protect
 * handling of a shared PFN map (->huge_fault again at that order, else the
 * huge leaf is cleared and the fault falls back; a PTE is made writable,
 * wp_pfn_shared). Private (COW) PFN maps are not modelled: their faults
 * return VM_FAULT_SIGBUS with a 'warn' event. An anonymous VMA goes to
 * do_anonymous_page()/do_wp_page() at PTE level (src/mm/anon-fault.ts).
 * Each ->fault/->huge_fault call emits a 'fault' event with order and result.
 */
import type { Level } from '../arch/types.js';
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import type { Cx } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { VM_FAULT_FALLBACK, VM_FAULT_SIGBUS, vmFaultName } from './fault-codes.js';
import type { Vma } from './types.js';
import { VM_MAYSHARE, VM_SHARED, vmFlagsHas } from './types.js';
import { getVma } from './mm.js';
import { allocTable, alignDown, levelOrder, replaceLeaf, slotAt, clearRange } from './pgtable.js';
import { linearPageIndex, vmOps } from './vma.js';
import { thpVmaAllowable, vmaIsAnonymous } from './thp.js';
import { anonFaultStart, anonPteFault } from './anon-fault.js';
import type { Kernel } from '../kernel/kernel.js';

export { VM_NOHUGEPAGE } from './thp.js';

/** thp_vma_allowable_order(vma, TVA_PAGEFAULT, order) under the world's THP setting (src/mm/thp.ts). */
export function thpAllowable(k: Kernel, v: Vma, level: 'pmd' | 'pud'): boolean {
  return thpVmaAllowable(k, v, level);
}

export interface FaultLocals {
  readonly [key: string]: Value;
  mm: number;
  vma: number;
  address: number;
  write: boolean;
  /** FAULT_FLAG_UNSHARE: GUP asks for an exclusive copy of a shared anonymous page, not write access. */
  unshare: boolean;
  order: number;
  r: number;
}

function vmf(cx: { readonly l: FaultLocals }, v: Vma, order: number): Record<string, Value> {
  const address = alignDown(cx.l.address, 12);
  return { mm: cx.l.mm, vma: v.id, address, pgoff: linearPageIndex(v, address), write: cx.l.write, order };
}

function shared(v: Vma): boolean {
  return vmFlagsHas(v.vm_flags, VM_SHARED) || vmFlagsHas(v.vm_flags, VM_MAYSHARE);
}

export const handleMmFaultPath = path<FaultLocals>()('handle_mm_fault', 'pud', {
  pud: (cx) => {
    const k = cx.k;
    const v = getVma(k, cx.l.mm, cx.l.vma);
    if (vmaIsAnonymous(v)) return cx.goto(anonFaultStart(cx, v));
    if (v.vm_file === 0 || v.vm_ops === '') {
      cx.emit('warn', 'handle_mm_fault', { report: 'a file VMA without vm_ops is not modelled', address: hex(cx.l.address) });
      return cx.ret(VM_FAULT_SIGBUS);
    }
    const slot = slotAt(k.arch, k.get('mms', cx.l.mm).pgd, cx.l.address, 'pud');
    const huge = vmOps(k, v)?.huge_fault;
    if (slot === 'none' && thpAllowable(k, v, 'pud')) {
      cx.l.order = levelOrder(k.arch, 'pud');
      return cx.call(huge!, vmf(cx, v, cx.l.order), 'r', 'after_pud');
    }
    if (typeof slot === 'object') return cx.goto(wpOrDone(cx, slot.write, 'pud'));
    cx.goto('pmd');
  },
  after_pud: (cx) => {
    cx.emit('fault', 'create_huge_pud', { address: hex(cx.l.address), order: cx.l.order, ret: vmFaultName(cx.l.r) });
    if (!(cx.l.r & VM_FAULT_FALLBACK)) return cx.ret(cx.l.r);
    cx.goto('pmd');
  },
  wp_pud: (cx) => wpHuge(cx, 'pud'),
  after_wp_pud: (cx) => afterWpHuge(cx, 'pud'),
  pmd: (cx) => {
    const k = cx.k;
    const v = getVma(k, cx.l.mm, cx.l.vma);
    const m = k.get('mms', cx.l.mm);
    let slot = slotAt(k.arch, m.pgd, cx.l.address, 'pmd');
    if (slot === 'covered') return cx.goto('pud'); // a PUD leaf raced in: retry_pud
    if (slotAt(k.arch, m.pgd, cx.l.address, 'pud') === 'none') {
      k.mut('mms', cx.l.mm).pgd = allocTable(k.arch, m.pgd, cx.l.address, 'pmd'); // pmd_alloc()
      slot = 'none';
    }
    const huge = vmOps(k, v)?.huge_fault;
    if (slot === 'none' && thpAllowable(k, v, 'pmd')) {
      cx.l.order = levelOrder(k.arch, 'pmd');
      return cx.call(huge!, vmf(cx, v, cx.l.order), 'r', 'after_pmd');
    }
    if (typeof slot === 'object') return cx.goto(wpOrDone(cx, slot.write, 'pmd'));
    cx.goto('pte');
  },
  after_pmd: (cx) => {
    cx.emit('fault', 'create_huge_pmd', { address: hex(cx.l.address), order: cx.l.order, ret: vmFaultName(cx.l.r) });
    if (!(cx.l.r & VM_FAULT_FALLBACK)) return cx.ret(cx.l.r);
    cx.goto('pte');
  },
  wp_pmd: (cx) => wpHuge(cx, 'pmd'),
  after_wp_pmd: (cx) => afterWpHuge(cx, 'pmd'),
  pte: (cx) => {
    // handle_pte_fault()
    const k = cx.k;
    const v = getVma(k, cx.l.mm, cx.l.vma);
    const m = k.get('mms', cx.l.mm);
    const slot = slotAt(k.arch, m.pgd, cx.l.address, 'pte');
    if (slot === 'covered') return cx.ret(0); // a huge leaf raced in: retry the access
    if (slot === 'none') {
      const fault = vmOps(k, v)?.fault;
      if (!fault) {
        cx.emit('fault', 'do_fault', { address: hex(cx.l.address), order: 0, ret: 'VM_FAULT_SIGBUS', note: 'no ->fault' });
        return cx.ret(VM_FAULT_SIGBUS);
      }
      cx.l.order = 0;
      return cx.call(fault, vmf(cx, v, 0), 'r', 'after_pte');
    }
    if (slot === 'table') return cx.ret(0);
    if (!cx.l.write || slot.write) return cx.ret(0); // spurious: another thread mapped it
    cx.goto('wp_pte');
  },
  wp_pte: (cx) => {
    // do_wp_page() on a PFN map: wp_pfn_shared() → finish_mkwrite_fault() under the PTL.
    const k = cx.k;
    const v = getVma(k, cx.l.mm, cx.l.vma);
    if (!shared(v)) {
      cx.emit('warn', 'do_wp_page', { report: 'COW of a private PFN map is not modelled', address: hex(cx.l.address) });
      return cx.ret(VM_FAULT_SIGBUS);
    }
    const m = k.get('mms', cx.l.mm);
    if (!cx.lock(m.page_table_lock, 'write')) return;
    const slot = slotAt(k.arch, k.get('mms', cx.l.mm).pgd, cx.l.address, 'pte');
    if (typeof slot === 'object' && !slot.write) {
      const base = alignDown(cx.l.address, 12);
      k.mut('mms', cx.l.mm).pgd = replaceLeaf(k.arch, k.get('mms', cx.l.mm).pgd, base, { ...slot, write: true });
    }
    cx.unlock(m.page_table_lock);
    cx.ret(0);
  },
  after_pte: (cx) => {
    cx.emit('fault', 'do_fault', { address: hex(cx.l.address), order: 0, ret: vmFaultName(cx.l.r) });
    cx.ret(cx.l.r);
  },
  anon: (cx) => anonPteFault(cx),
  split_pud: (cx) => splitHuge(cx, 'pud', 'pmd'),
  split_pmd: (cx) => splitHuge(cx, 'pmd', 'pte'),
  done: (cx) => cx.ret(cx.l.r),
});

export type FaultCx = Cx<FaultLocals>;

/** A present huge/pte leaf: done unless it is a write to a read-only leaf. */
function wpOrDone(cx: FaultCx, leafWrite: boolean, level: 'pud' | 'pmd'): `wp_${'pud' | 'pmd'}` | 'done' {
  if (cx.l.write && !leafWrite) return `wp_${level}`;
  cx.l.r = 0;
  return 'done';
}

/** wp_huge_pud()/wp_huge_pmd(): a shared VMA asks ->huge_fault again; else split and fall back. */
function wpHuge(cx: FaultCx, level: 'pud' | 'pmd'): void {
  const v = getVma(cx.k, cx.l.mm, cx.l.vma);
  const huge = vmOps(cx.k, v)?.huge_fault;
  if (shared(v) && huge) {
    cx.l.order = levelOrder(cx.k.arch, level);
    return cx.call(huge, vmf(cx, v, cx.l.order), 'r', `after_wp_${level}`);
  }
  cx.goto(`split_${level}`);
}

function afterWpHuge(cx: FaultCx, level: 'pud' | 'pmd'): void {
  cx.emit('fault', `wp_huge_${level}`, { address: hex(cx.l.address), order: cx.l.order, ret: vmFaultName(cx.l.r) });
  if (!(cx.l.r & VM_FAULT_FALLBACK)) return cx.ret(cx.l.r);
  cx.goto(`split_${level}`);
}

/** __split_huge_pud/pmd on a special VMA: the leaf is just cleared; the fault falls back. */
function splitHuge(cx: FaultCx, level: Level, next: string): void {
  const m = cx.k.get('mms', cx.l.mm);
  if (!cx.lock(m.page_table_lock, 'write')) return;
  const size = 2 ** cx.k.arch.shift[level];
  const base = alignDown(cx.l.address, cx.k.arch.shift[level]);
  const slot = slotAt(cx.k.arch, m.pgd, cx.l.address, level);
  if (typeof slot === 'object') {
    cx.k.mut('mms', cx.l.mm).pgd = clearRange(cx.k.arch, m.pgd, base, base + size, false).pgd;
    cx.emit('zap', `__split_huge_${level}`, { mm: cx.l.mm, start: hex(base), end: hex(base + size), leaves: 1 });
  }
  cx.unlock(m.page_table_lock);
  cx.goto(next);
}
