/**
 * Defect B6-whole-vma-remap: the fault handler of v5.8–v5.12, which mapped
 * the whole VMA with io_remap_pfn_range() on the first fault. Two threads
 * that fault the same unpopulated VMA both get here; the second finds the
 * first one's PTEs and remap_pte_range() hits BUG_ON(!pte_none(*pte)).
 * Fixed by "vfio/pci: Handle concurrent vma faults" (2021), and since v6.10
 * the handler inserts one pfn at a time with vmf_insert_pfn().
 */
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { VM_FAULT_NOPAGE, VM_FAULT_SIGBUS } from '../../mm/fault-codes.js';
import { getVma } from '../../mm/mm.js';
import { setLeaf, slotAt } from '../../mm/pgtable.js';
import { vmaToPfn } from './fault.js';

type RemapLocals = { mm: number; vma: number };

/** models io_remap_pfn_range(vma, vma->vm_start, pfn, vma size) as the old fault handler called it. */
export const io_remap_pfn_range = path<RemapLocals>()('io_remap_pfn_range', 'ptl', {
  ptl: (cx) => {
    const lock = cx.k.get('mms', cx.l.mm).page_table_lock;
    if (!cx.lock(lock, 'write')) return;
    const k = cx.k;
    const vma = getVma(k, cx.l.mm, cx.l.vma);
    const base = vmaToPfn(k, vma);
    let pgd = k.get('mms', cx.l.mm).pgd;
    for (let va = vma.vm_start; va < vma.vm_end; va += 4096) {
      if (slotAt(k.arch, pgd, va, 'pte') !== 'none') {
        cx.emit('warn', 'remap_pte_range', { report: 'BUG_ON(!pte_none(*pte))', va: hex(va) });
        cx.unlock(lock);
        return cx.ret(VM_FAULT_SIGBUS);
      }
      const pfn = base + (va - vma.vm_start) / 4096;
      pgd = setLeaf(k.arch, pgd, va, { kind: 'leaf', level: 'pte', pfn, write: true, special: k.arch.special.pte });
    }
    k.mut('mms', cx.l.mm).pgd = pgd;
    cx.emit('insert', 'io_remap_pfn_range', {
      start: hex(vma.vm_start), end: hex(vma.vm_end), pfn: hex(base), level: 'pte', result: 'VM_FAULT_NOPAGE',
    });
    cx.unlock(lock);
    cx.ret(VM_FAULT_NOPAGE);
  },
});
