/**
 * VMA helpers and __split_vma() (mm/vma.c, v6.19).
 *
 * vm_operations paths (open, close, may_split) are called with the VMA's
 * fields as locals, {@link vmaOpLocals}, since the VMA may not be linked
 * into mm.vmas at that moment (open of a split-off or forked VMA, close of
 * an unmapped one), plus `addr` for may_split.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Locals, Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { getFile } from '../fs/file-table.js';
import { iMmapInsert, iMmapLock } from '../fs/address-space.js';
import type { Vma } from './types.js';
import { VM_PFNMAP, VM_MIXEDMAP, vmFlagsHas } from './types.js';
import { getVma, setVmas } from './mm.js';
import { clearRange, levelSize } from './pgtable.js';
import { anonMapcount, isRamPfn } from './anon.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

/** A VMA as frame data. */
export function vmaValue(v: Vma): Value {
  return v as unknown as Value;
}

/** A VMA back from frame data. */
export function vmaOf(v: Value | undefined): Vma {
  return v as unknown as Vma;
}

/** The locals a vm_operations path gets: the VMA's identity and fields. */
export function vmaOpLocals(v: Vma): Locals {
  return {
    mm: v.vm_mm, vma: v.id, vm_start: v.vm_start, vm_end: v.vm_end, vm_pgoff: v.vm_pgoff,
    vm_flags: v.vm_flags, vm_file: v.vm_file, vm_private_data: v.vm_private_data,
  };
}

/** The inode whose i_mmap a file-backed VMA lives in (file->f_mapping), 0 for none. */
export function vmaMappingInode(k: Kernel, v: Vma): number {
  if (v.vm_file === 0) return 0;
  return k.get('files', v.vm_file).f_mapping;
}

/** vma_is_special_huge(): a file VMA with VM_PFNMAP or VM_MIXEDMAP. */
export function vmaIsSpecialHuge(v: Vma): boolean {
  return v.vm_file !== 0 && (vmFlagsHas(v.vm_flags, VM_PFNMAP) || vmFlagsHas(v.vm_flags, VM_MIXEDMAP));
}

/** linear_page_index(): the file page offset of a user address in a VMA. */
export function linearPageIndex(v: Vma, addr: number): number {
  return Math.floor((addr - v.vm_start) / PAGE_SIZE) + v.vm_pgoff;
}

/** The vm_operations_struct of a VMA in the running design, if any. */
export function vmOps(k: Kernel, v: Vma) {
  return v.vm_ops === '' ? undefined : k.design.vmOps[v.vm_ops];
}

/** Zap the page tables of [start, end) in an mm (the caller holds its page_table_lock). */
export function zapRange(k: Kernel, mm: number, start: number, end: number, freeTables: boolean): number {
  const m = k.get('mms', mm);
  const { pgd, removed } = clearRange(k.arch, m.pgd, start, end, freeTables);
  if (pgd !== m.pgd) k.mut('mms', mm).pgd = pgd;
  // zap_present_ptes(): an anonymous folio loses a mapping (folio_remove_rmap_ptes) and is freed with its last.
  for (const p of removed) if (isRamPfn(p.leaf.pfn)) anonMapcount(k, p.leaf.pfn, -1);
  return removed.length;
}

interface SplitLocals {
  readonly [key: string]: Value;
  mm: number;
  vma: number;
  addr: number;
  newBelow: boolean;
  newVma: Value;
  lock: number;
  r: number;
}

/**
 * __split_vma(vma, addr, new_below): ->may_split, a copy of the VMA with a
 * fresh id takes the part below addr (new_below) or from addr on; it takes a
 * reference on vm_file and gets ->open. Under i_mmap_rwsem (write) the two
 * VMAs replace the old one in mm.vmas and the new one enters i_mmap; under
 * the page table lock a huge leaf straddling addr is cleared
 * (vma_adjust_trans_huge → split_huge_pmd on a special VMA).
 * The caller holds mmap_lock for write. Returns 0 or -errno.
 */
export const splitVmaPath = path<SplitLocals>()('__split_vma', 'start', {
  start: (cx) => {
    const v = getVma(cx.k, cx.l.mm, cx.l.vma);
    const maySplit = vmOps(cx.k, v)?.may_split;
    cx.l.r = 0;
    if (maySplit) return cx.call(maySplit, { ...vmaOpLocals(v), addr: cx.l.addr }, 'r', 'dup');
    cx.goto('dup');
  },
  dup: (cx) => {
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const v = getVma(cx.k, cx.l.mm, cx.l.vma);
    const id = cx.k.allocId();
    const nv: Vma = cx.l.newBelow
      ? { ...v, id, vm_end: cx.l.addr }
      : { ...v, id, vm_start: cx.l.addr, vm_pgoff: v.vm_pgoff + (cx.l.addr - v.vm_start) / PAGE_SIZE };
    cx.l.newVma = vmaValue(nv);
    if (nv.vm_file !== 0) getFile(cx.k, nv.vm_file, cx.tid);
    const open = vmOps(cx.k, nv)?.open;
    if (open) return cx.call(open, vmaOpLocals(nv), 'r', 'link');
    cx.goto('link');
  },
  link: (cx) => {
    const nv = vmaOf(cx.l.newVma);
    const inode = vmaMappingInode(cx.k, nv);
    cx.l.lock = inode === 0 ? 0 : iMmapLock(cx.k, inode);
    if (cx.l.lock !== 0 && !cx.lock(cx.l.lock, 'write')) return;
    const v = getVma(cx.k, cx.l.mm, cx.l.vma);
    const old: Vma = cx.l.newBelow
      ? { ...v, vm_start: cx.l.addr, vm_pgoff: v.vm_pgoff + (cx.l.addr - v.vm_start) / PAGE_SIZE }
      : { ...v, vm_end: cx.l.addr };
    const m = cx.k.get('mms', cx.l.mm);
    setVmas(cx.k, cx.l.mm, [...m.vmas.filter((x) => x.id !== v.id), old, nv]);
    if (inode !== 0) iMmapInsert(cx.k, inode, { mm: cx.l.mm, vma: nv.id });
    cx.goto('split_huge');
  },
  split_huge: (cx) => {
    const m = cx.k.get('mms', cx.l.mm);
    if (!cx.lock(m.page_table_lock, 'write')) return;
    const a = cx.l.addr;
    let removed = 0;
    for (const level of ['pmd', 'pud'] as const) {
      const size = levelSize(cx.k.arch, level);
      if (a % size === 0) continue;
      const base = Math.floor(a / size) * size;
      removed += zapHugeAt(cx.k, cx.l.mm, base, size, level);
    }
    if (removed > 0) cx.emit('zap', 'vma_adjust_trans_huge', { mm: cx.l.mm, addr: a, leaves: removed });
    cx.unlock(m.page_table_lock);
    if (cx.l.lock !== 0) cx.unlock(cx.l.lock);
    cx.ret(0);
  },
});

/** Clear a huge leaf of `level` at base if one is there; returns 1 or 0. */
function zapHugeAt(k: Kernel, mm: number, base: number, size: number, level: 'pmd' | 'pud'): number {
  const m = k.get('mms', mm);
  const { pgd, removed } = clearRange(k.arch, m.pgd, base, base + size, false);
  if (removed.length !== 1 || removed[0]!.leaf.level !== level) return 0;
  k.mut('mms', mm).pgd = pgd;
  return 1;
}
