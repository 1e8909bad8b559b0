/**
 * The page fault of an anonymous VMA (mm/memory.c v6.19): handle_pte_fault()
 * → do_anonymous_page() for a none PTE, do_wp_page() for a write (or a GUP
 * unshare) to a present read-only one; one step under the page table lock,
 * as the kernel does its work under the PTE lock.
 *
 * - A read maps the shared zero page read-only with the special bit; a
 *   write allocates a zeroed page and maps it writable (maybe_mkwrite()).
 * - do_wp_page(): the zero page or a shared folio is copied
 *   (wp_page_copy(): a new page with the old one's bytes, the old folio's
 *   mapcount drops), an exclusive folio is reused (the PTE made writable);
 *   an unshare (FAULT_FLAG_UNSHARE from GUP) copies but keeps the PTE
 *   read-only.
 * - Where THP would allow a PMD folio (src/mm/thp.ts: the setting, the
 *   VMA's MADV_(NO)HUGEPAGE, a 2M-aligned block inside the VMA —
 *   thp_vma_suitable_order()) v6.19 runs do_huge_pmd_anonymous_page(); the
 *   model does not model anonymous THP and says so with a 'warn' before
 *   mapping a PTE.
 * - Shared anonymous memory is shmem in the kernel (shmem_zero_setup()),
 *   which is not modelled: VM_FAULT_SIGBUS with a 'warn'.
 */
import { hex } from '../kernel/events.js';
import { VM_FAULT_SIGBUS } from './fault-codes.js';
import type { FaultCx } from './fault.js';
import type { Vma } from './types.js';
import { VM_SHARED, VM_WRITE, vmFlagsHas } from './types.js';
import { getVma } from './mm.js';
import { alignDown, levelSize, replaceLeaf, setLeaf, slotAt } from './pgtable.js';
import { thpVmaAllowable } from './thp.js';
import { ZERO_PFN, anonAlloc, anonData, anonExclusive, anonMapcount } from './anon.js';

/** The first label of an anonymous fault ('anon'), or 'done' after a refusal. */
export function anonFaultStart(cx: FaultCx, v: Vma): 'anon' | 'done' {
  if (vmFlagsHas(v.vm_flags, VM_SHARED)) {
    cx.emit('warn', 'handle_mm_fault', { report: 'shared anonymous memory (shmem) is not modelled', address: hex(cx.l.address) });
    cx.l.r = VM_FAULT_SIGBUS;
    return 'done';
  }
  const size = levelSize(cx.k.arch, 'pmd');
  const base = alignDown(cx.l.address, cx.k.arch.shift.pmd);
  const empty = slotAt(cx.k.arch, cx.k.get('mms', cx.l.mm).pgd, cx.l.address, 'pmd') === 'none';
  if (empty && thpVmaAllowable(cx.k, v, 'pmd') && base >= v.vm_start && base + size <= v.vm_end) {
    cx.emit('warn', 'do_huge_pmd_anonymous_page', { report: 'anonymous THP is not modelled: a PTE is mapped', address: hex(cx.l.address) });
  }
  return 'anon';
}

/** do_anonymous_page() / do_wp_page() under the page table lock. */
export function anonPteFault(cx: FaultCx): void {
  const k = cx.k;
  const m = k.get('mms', cx.l.mm);
  if (!cx.lock(m.page_table_lock, 'write')) return;
  const v = getVma(k, cx.l.mm, cx.l.vma);
  const va = alignDown(cx.l.address, k.arch.pageShift);
  const slot = slotAt(k.arch, m.pgd, va, 'pte');
  const unshare = cx.l.unshare === true;
  if (slot === 'none' || slot === 'table') {
    const write = cx.l.write;
    const pfn = write ? anonAlloc(k) : ZERO_PFN;
    k.mut('mms', cx.l.mm).pgd = setLeaf(k.arch, m.pgd, va, { kind: 'leaf', level: 'pte', pfn, write: write && vmFlagsHas(v.vm_flags, VM_WRITE), special: !write });
    cx.emit('insert', 'do_anonymous_page', { va: hex(va), level: 'pte', pfn: hex(pfn), zero_page: !write, write });
  } else if (typeof slot === 'object' && ((cx.l.write && !slot.write) || unshare)) {
    if (slot.pfn !== ZERO_PFN && anonExclusive(k, slot.pfn)) {
      if (!unshare) k.mut('mms', cx.l.mm).pgd = replaceLeaf(k.arch, m.pgd, va, { ...slot, write: true });
      cx.emit('fault', 'wp_page_reuse', { va: hex(va), pfn: hex(slot.pfn), unshare });
    } else {
      const pfn = anonAlloc(k, slot.pfn === ZERO_PFN ? {} : anonData(k, slot.pfn));
      k.mut('mms', cx.l.mm).pgd = replaceLeaf(k.arch, m.pgd, va, { kind: 'leaf', level: 'pte', pfn, write: !unshare, special: false });
      anonMapcount(k, slot.pfn, -1);
      cx.emit('fault', 'wp_page_copy', { va: hex(va), from: hex(slot.pfn), to: hex(pfn), unshare });
    }
  }
  cx.unlock(m.page_table_lock);
  cx.l.r = 0;
  cx.goto('done');
}
