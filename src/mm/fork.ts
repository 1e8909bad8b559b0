/**
 * fork(): kernel_clone() → copy_process() → copy_files() + copy_mm() →
 * dup_mmap() → copy_page_range() (kernel/fork.c, mm/mmap.c, mm/memory.c,
 * mm/huge_memory.c, v6.19).
 *
 * Path `kernel_clone` with locals {child} (the new thread's scenario name).
 * The child process gets a copy of the fd table (get_file on each file),
 * of the user variables, and of the address space: under the parent's
 * mmap_lock (write) and then the child's, each VMA not VM_DONTCOPY is
 * copied with a fresh id (vm_mm = child), linked into the child's mm,
 * ->open'ed, its vm_file referenced and the copy inserted in the file
 * mapping's i_mmap (under i_mmap_rwsem write) — from then on
 * unmap_mapping_range() reaches the child — and then copy_page_range()
 * runs for it under the child's and the parent's page_table_lock.
 * v6.19 copies page tables of VM_PFNMAP/VM_MIXEDMAP VMAs (VM_COPY_ON_FORK;
 * other file VMAs refault): PTE leaves are copied as they are;
 * copy_huge_pmd() copies a special PMD leaf but skips a PMD leaf without
 * the special bit (`!vma_is_anonymous(dst_vma)`: "can be re-filled on
 * fault"); copy_huge_pud() copies PUD leaves. Anonymous VMAs are copied too:
 * their PTEs are shared and write-protected for COW, or, for a page that
 * may be pinned for DMA, copied at once (copyAnonPte, src/mm/anon.ts);
 * COW of private PFN maps is not modelled (B8). The parent gets the child's pid.
 *
 * The child cannot run before wake_up_new_task(): sched_fork() leaves it
 * TASK_NEW, which no CPU picks, and kernel_clone() wakes it only after
 * copy_process() has returned, so after dup_mmap() dropped both mmap_locks.
 * Nothing in the model observes a task but the scheduler (the checker runs
 * any live task), so the child's task row is created at the
 * `wake_up_new_task` step, in user space with lastRet 0, and not in
 * copy_process: until then there is no task the checker could schedule.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { getFile } from '../fs/file-table.js';
import { newFdTable } from '../fs/fd.js';
import { iMmapInsert, iMmapLock } from '../fs/address-space.js';
import { newTask } from '../kernel/sched/process.js';
import type { Vma } from './types.js';
import { VM_DONTCOPY, VM_MIXEDMAP, VM_PFNMAP, vmFlagsHas } from './types.js';
import { newMm, setVmas } from './mm.js';
import { listLeaves, levelSize, replaceLeaf, setLeaf, slotAt } from './pgtable.js';
import type { PgLeaf } from './types.js';
import { VM_MAYWRITE, VM_SHARED, VM_WRITE } from './types.js';
import type { Kernel } from '../kernel/kernel.js';
import { ZERO_PFN, anonAlloc, anonData, anonMapcount, anonMaybeDmaPinned, isRamPfn } from './anon.js';
import { vmaIsAnonymous } from './thp.js';
import { VM_WIPEONFORK } from './madvise.js';
import { vmaMappingInode, vmaOf, vmaOpLocals, vmaValue, vmOps } from './vma.js';

interface ForkLocals {
  readonly [key: string]: Value;
  child: string;
  cpid: number;
  pmm: number;
  cmm: number;
  todo: readonly number[];
  i: number;
  cur: Value;
  r: number;
}

export const kernelClonePath = path<ForkLocals>()('kernel_clone', 'copy_process', {
  copy_process: (cx) => {
    const k = cx.k;
    const parent = k.get('processes', cx.pid);
    const cpid = k.allocId();
    const cmm = newMm(k, cpid);
    const fdt = newFdTable(k);
    // copy_files(): dup_fd() takes a reference on every open file.
    const fds = parent.fdtable === 0 ? [] : k.get('fdtables', parent.fdtable).fds;
    for (const e of fds) if (e !== null) getFile(k, e.file, cx.tid);
    k.mut('fdtables', fdt).fds = fds;
    k.set('processes', cpid, {
      pid: cpid, name: `${parent.name}/${cx.l.child}`, parent: cx.pid, mm: cmm, fdtable: fdt, vars: parent.vars, exited: false,
    });
    cx.l.cpid = cpid;
    cx.l.pmm = parent.mm;
    cx.l.cmm = cmm;
    cx.goto('lock_oldmm');
  },
  lock_oldmm: (cx) => {
    if (!cx.lock(cx.k.get('mms', cx.l.pmm).mmap_lock, 'write')) return;
    cx.goto('lock_mm');
  },
  lock_mm: (cx) => {
    if (!cx.lock(cx.k.get('mms', cx.l.cmm).mmap_lock, 'write')) return;
    cx.l.todo = cx.k.get('mms', cx.l.pmm).vmas.map((v) => v.id);
    cx.l.i = 0;
    cx.goto('dup_vma');
  },
  dup_vma: (cx) => {
    const id = cx.l.todo[cx.l.i];
    if (id === undefined) return cx.goto('unlock');
    const src = cx.k.get('mms', cx.l.pmm).vmas.find((v) => v.id === id);
    if (src === undefined || vmFlagsHas(src.vm_flags, VM_DONTCOPY)) {
      cx.l.i += 1;
      return cx.goto('dup_vma');
    }
    const tmp: Vma = { ...src, id: cx.k.allocId(), vm_mm: cx.l.cmm };
    setVmas(cx.k, cx.l.cmm, [...cx.k.get('mms', cx.l.cmm).vmas, tmp]); // vma_iter_bulk_store
    cx.l.cur = vmaValue(tmp);
    const open = vmOps(cx.k, tmp)?.open;
    if (open) return cx.call(open, vmaOpLocals(tmp), 'r', 'link_file');
    cx.goto('link_file');
  },
  link_file: (cx) => {
    const tmp = vmaOf(cx.l.cur);
    const inode = vmaMappingInode(cx.k, tmp);
    if (inode !== 0) {
      const lock = iMmapLock(cx.k, inode);
      if (!cx.lock(lock, 'write')) return;
      getFile(cx.k, tmp.vm_file, cx.tid);
      iMmapInsert(cx.k, inode, { mm: cx.l.cmm, vma: tmp.id });
      cx.unlock(lock);
    }
    // vma_needs_copy(): PFN maps, and anonymous VMAs (which have an anon_vma once faulted).
    // dup_mmap() copies no page table of a VM_WIPEONFORK VMA: the child refaults it zeroed.
    const needsCopy = (vmFlagsHas(tmp.vm_flags, VM_PFNMAP) || vmFlagsHas(tmp.vm_flags, VM_MIXEDMAP) || vmaIsAnonymous(tmp)) &&
      !vmFlagsHas(tmp.vm_flags, VM_WIPEONFORK);
    if (!needsCopy) {
      cx.l.i += 1;
      return cx.goto('dup_vma');
    }
    cx.goto('copy_lock_dst');
  },
  copy_lock_dst: (cx) => {
    if (!cx.lock(cx.k.get('mms', cx.l.cmm).page_table_lock, 'write')) return;
    cx.goto('copy_page_range');
  },
  copy_page_range: (cx) => {
    const k = cx.k;
    const src = k.get('mms', cx.l.pmm);
    if (!cx.lock(src.page_table_lock, 'write')) return;
    const tmp = vmaOf(cx.l.cur);
    let pgd = k.get('mms', cx.l.cmm).pgd;
    let parentPgd = src.pgd;
    let copied = 0;
    let skipped = 0;
    for (const p of listLeaves(k.arch, src.pgd)) {
      if (p.va < tmp.vm_start || p.va + levelSize(k.arch, p.leaf.level) > tmp.vm_end) {
        if (!(p.va >= tmp.vm_end || p.va + levelSize(k.arch, p.leaf.level) <= tmp.vm_start)) skipped += 1;
        continue;
      }
      if (p.leaf.level === 'pmd' && !p.leaf.special) {
        skipped += 1; // copy_huge_pmd(): non-special huge PMD in a file VMA refaults in the child
        continue;
      }
      if (slotAt(k.arch, pgd, p.va, p.leaf.level) !== 'none') continue;
      let leaf = p.leaf;
      if (isRamPfn(leaf.pfn) && leaf.pfn !== ZERO_PFN) {
        const anon = copyAnonPte(k, tmp, p.leaf);
        leaf = anon.child;
        if (anon.parent !== p.leaf) parentPgd = replaceLeaf(k.arch, parentPgd, p.va, anon.parent);
      }
      pgd = setLeaf(k.arch, pgd, p.va, leaf);
      copied += 1;
    }
    k.mut('mms', cx.l.cmm).pgd = pgd;
    if (parentPgd !== src.pgd) k.mut('mms', cx.l.pmm).pgd = parentPgd;
    cx.emit('insert', 'copy_page_range', { vma: tmp.id, from_mm: cx.l.pmm, to_mm: cx.l.cmm, copied, skipped });
    cx.unlock(src.page_table_lock);
    cx.unlock(k.get('mms', cx.l.cmm).page_table_lock);
    cx.l.i += 1;
    cx.goto('dup_vma');
  },
  unlock: (cx) => {
    cx.unlock(cx.k.get('mms', cx.l.cmm).mmap_lock);
    cx.unlock(cx.k.get('mms', cx.l.pmm).mmap_lock);
    cx.goto('wake_up_new_task');
  },
  /**
   * models wake_up_new_task() in kernel_clone(): the publication point of
   * the child; from here on it may run, back in user space with fork's 0.
   */
  wake_up_new_task: (cx) => {
    const ctid = newTask(cx.k, cx.l.cpid, cx.l.child);
    cx.k.mut('tasks', ctid).lastRet = 0;
    cx.ret(cx.l.cpid);
  },
});

/**
 * copy_present_pte() for an anonymous page: a folio that may be pinned for
 * DMA is copied for the child at once (page_needs_cow_for_dma() →
 * copy_present_page(); the parent keeps its page and its pin); any other
 * is shared, one more mapping (folio_try_dup_anon_rmap_pte()), and in a
 * COW mapping write-protected in both parent and child
 * (ptep_set_wrprotect()).
 */
function copyAnonPte(k: Kernel, vma: Vma, leaf: PgLeaf): { parent: PgLeaf; child: PgLeaf } {
  const cow = !vmFlagsHas(vma.vm_flags, VM_SHARED) && vmFlagsHas(vma.vm_flags, VM_MAYWRITE);
  if (cow && anonMaybeDmaPinned(k, leaf.pfn)) {
    const pfn = anonAlloc(k, anonData(k, leaf.pfn));
    return { parent: leaf, child: { ...leaf, pfn, write: vmFlagsHas(vma.vm_flags, VM_WRITE) } };
  }
  anonMapcount(k, leaf.pfn, 1);
  if (!cow || !leaf.write) return { parent: leaf, child: leaf };
  const ro = { ...leaf, write: false };
  return { parent: ro, child: ro };
}