/**
 * PFN-map insertion for fault handlers: vmf_insert_pfn() (mm/memory.c) and
 * vmf_insert_pfn_pmd()/_pud() (mm/huge_memory.c), v6.19.
 *
 * Paths with locals {mm, vma, address, pfn, write}; they return a vm_fault_t.
 * Each takes the page table lock (mm->page_table_lock; split PTLs are not
 * modelled), looks at the slot and:
 *  - installs a leaf for `pfn` if the slot is none, with the special bit the
 *    arch profile has at that level (pte_mkspecial/pmd_mkspecial/pud_mkspecial;
 *    'x86_64-pte-special-only' has none above the PTE); the leaf is writable
 *    for a write fault or a shared writable VMA (vm_page_prot is PAGE_SHARED
 *    there: PFN maps never want write-notify);
 *  - leaves a present entry alone; on a write fault it makes a leaf with the
 *    same pfn writable, and WARNs (no change) when the pfn differs;
 *  - a huge insert over a pte table (pmd not none) does nothing, and a PTE
 *    insert under a huge leaf fails with VM_FAULT_OOM (get_locked_pte NULL);
 * and returns VM_FAULT_NOPAGE. The `insert` event's `write` is the argument
 * the caller passed (vmf_insert_pfn() itself passes false to insert_pfn());
 * `leaf_write` is whether the new leaf is writable. Huge inserts round the address down to the
 * level (vmf->address & PMD_MASK, the B2 fix) but use the pfn as given, so a
 * caller that computed the pfn from an unaligned address maps the wrong
 * range (B12). An address outside the VMA gives VM_FAULT_SIGBUS. The
 * BUG_ON()s (VMA not VM_PFNMAP/VM_MIXEDMAP, or a COW PFN map) are 'warn'
 * events returning VM_FAULT_SIGBUS. Levels the arch cannot map
 * (arch.hugePfnmap) return VM_FAULT_FALLBACK, as drivers compile them out.
 */
import type { Level } from '../arch/types.js';
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import type { Cx } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { VM_FAULT_FALLBACK, VM_FAULT_NOPAGE, VM_FAULT_OOM, VM_FAULT_SIGBUS, vmFaultName } from './fault-codes.js';
import type { PgLeaf, Vma } from './types.js';
import { VM_MAYWRITE, VM_MIXEDMAP, VM_PFNMAP, VM_SHARED, VM_WRITE, vmFlagsHas } from './types.js';
import { vmaById } from './mm.js';
import { alignDown, levelSize, replaceLeaf, setLeaf, slotAt } from './pgtable.js';

interface InsertLocals {
  readonly [key: string]: Value;
  mm: number;
  vma: number;
  address: number;
  pfn: number;
  write: boolean;
}

/** is_cow_mapping(): private and may be written. */
export function isCowMapping(flags: number): boolean {
  return !vmFlagsHas(flags, VM_SHARED) && vmFlagsHas(flags, VM_MAYWRITE);
}

/** Whether a new leaf in this VMA is writable (write fault, or PAGE_SHARED prot). */
export function leafWritable(v: Vma, write: boolean): boolean {
  return write || (vmFlagsHas(v.vm_flags, VM_WRITE) && vmFlagsHas(v.vm_flags, VM_SHARED));
}

const FN = { pte: 'vmf_insert_pfn', pmd: 'vmf_insert_pfn_pmd', pud: 'vmf_insert_pfn_pud' } as const;

function insertPath<V extends Level>(level: V) {
  const fn: (typeof FN)[V] = FN[level];
  return path<InsertLocals>()(fn, 'lock', {
    lock: (cx) => {
      const k = cx.k;
      const m = k.get('mms', cx.l.mm);
      if (level !== 'pte' && !k.arch.hugePfnmap[level as 'pmd' | 'pud']) return cx.ret(VM_FAULT_FALLBACK);
      const v = vmaById(k, cx.l.mm, cx.l.vma);
      if (v === undefined) {
        cx.emit('warn', fn, { report: 'vma not in mm (use after unmap)', vma: cx.l.vma });
        return cx.ret(VM_FAULT_SIGBUS);
      }
      const pfnmap = vmFlagsHas(v.vm_flags, VM_PFNMAP);
      if (pfnmap === vmFlagsHas(v.vm_flags, VM_MIXEDMAP) || (pfnmap && isCowMapping(v.vm_flags))) {
        cx.emit('warn', fn, { report: 'BUG_ON: not a shared VM_PFNMAP/VM_MIXEDMAP vma', vma: v.id });
        return cx.ret(VM_FAULT_SIGBUS);
      }
      const addr = level === 'pte' ? cx.l.address : alignDown(cx.l.address, k.arch.shift[level]);
      if (addr < v.vm_start || addr >= v.vm_end) return cx.ret(VM_FAULT_SIGBUS);
      if (!cx.lock(m.page_table_lock, 'write')) return;
      const ret = installLeaf(cx, v, level, addr);
      cx.unlock(m.page_table_lock);
      cx.ret(ret);
    },
  });

  function installLeaf(
    cx: Cx<InsertLocals, 'lock'>, v: Vma, lvl: Level, addr: number,
  ): number {
    const k = cx.k;
    const m = k.get('mms', cx.l.mm);
    const slot = slotAt(k.arch, m.pgd, addr, lvl);
    const args = { va: hex(addr), level: lvl, pfn: hex(cx.l.pfn) };
    if (slot === 'covered') {
      const r = lvl === 'pte' ? VM_FAULT_OOM : VM_FAULT_NOPAGE;
      cx.emit('insert', fn, { ...args, result: vmFaultName(r), note: 'a larger leaf maps the address' });
      return r;
    }
    if (slot === 'table') {
      cx.emit('insert', fn, { ...args, result: 'VM_FAULT_NOPAGE', note: 'entry not none (page table present)' });
      return VM_FAULT_NOPAGE;
    }
    if (slot !== 'none') {
      if (cx.l.write) {
        if (slot.pfn !== cx.l.pfn) {
          cx.emit('warn', fn, { report: 'WARN_ON_ONCE: present entry maps another pfn', old: hex(slot.pfn), pfn: hex(cx.l.pfn) });
        } else if (!slot.write) {
          k.mut('mms', cx.l.mm).pgd = replaceLeaf(k.arch, m.pgd, addr, { ...slot, write: true });
        }
      }
      cx.emit('insert', fn, { ...args, result: 'VM_FAULT_NOPAGE', note: 'entry present' });
      return VM_FAULT_NOPAGE;
    }
    const leaf: PgLeaf = {
      kind: 'leaf', level: lvl, pfn: cx.l.pfn, write: leafWritable(v, cx.l.write), special: k.arch.special[lvl],
    };
    k.mut('mms', cx.l.mm).pgd = setLeaf(k.arch, m.pgd, addr, leaf);
    // The event shows the caller's argument (vfio_pci_vmf_insert_pfn() passes write=false) and, apart, the
    // leaf's writability, which comes from vm_page_prot (insert_pfn(), insert_pmd(), insert_pud()).
    cx.emit('insert', fn, {
      ...args, size: hex(levelSize(k.arch, lvl)), special: leaf.special, write: cx.l.write, leaf_write: leaf.write,
      result: 'VM_FAULT_NOPAGE',
    });
    return VM_FAULT_NOPAGE;
  }
}

export const vmfInsertPfnPath = insertPath('pte');
export const vmfInsertPfnPmdPath = insertPath('pmd');
export const vmfInsertPfnPudPath = insertPath('pud');
