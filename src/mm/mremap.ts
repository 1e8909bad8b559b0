/**
 * mremap(2): do_mremap() (mm/mremap.c, v6.19) for a range inside one VMA.
 *
 * Path `do_mremap` with locals {addr, old_len, new_len, flags, new_addr}:
 * - check_mremap_params(): unknown flags, an unaligned addr, new_len 0 or
 *   above TASK_SIZE are -EINVAL; with MREMAP_FIXED or MREMAP_DONTUNMAP (a
 *   new address) also a silly or unaligned new_addr, no MREMAP_MAYMOVE,
 *   DONTUNMAP with a resize, and overlapping ranges.
 * - mmap_lock for write for the rest, so no fault, GUP slow path or other
 *   mmap/munmap runs meanwhile; unmap_mapping_range() and GUP-fast can.
 * - check_prep_vma(): no VMA at addr is -EFAULT; only when the call maps
 *   new address space (it grows or moves): MREMAP_DONTUNMAP on
 *   VM_DONTEXPAND|VM_PFNMAP is -EINVAL, a range beyond the VMA's end
 *   -EFAULT, and growing a VM_DONTEXPAND|VM_PFNMAP VMA -EFAULT — which is
 *   what a BAR mapping gets (vfio_pci_core_mmap() sets both).
 * - Without a new address (mremap_at()): the same size returns addr; a
 *   shrink unmaps the tail (do_vmi_munmap()); a growth extends the VMA in
 *   place when the VMA ends at addr + old_len and nothing follows
 *   (vma_expandable()), else moves it with MREMAP_MAYMOVE or fails -ENOMEM.
 * - mremap_to(): MREMAP_FIXED first unmaps [new_addr, new_addr + new_len),
 *   a shrink unmaps the tail, then move_vma().
 * - move_vma(): copy_vma() makes a new VMA (fresh id, vm_pgoff following
 *   addr, a reference on vm_file, ->open) and links it into the mm and into
 *   the file's i_mmap after the old one (so an rmap walk, which the link
 *   waits for under i_mmap_rwsem, sees the old VMA first); then
 *   move_page_tables() moves every leaf under the page table lock: PTEs one
 *   by one, a huge leaf whole when it lies inside the range and lands
 *   aligned (move_huge_pmd()/move_huge_pud()), else it is cleared as
 *   split_huge_pmd() does on a special VMA and refaults at the new place;
 *   then, without MREMAP_DONTUNMAP, do_vmi_munmap() of the old range takes
 *   the old VMA out of the mm and of i_mmap, ->close and fput. A later zap
 *   of the file (vfio_pci_zap_bars(), a dma-buf revoke) therefore reaches
 *   the moved mapping through the new VMA in i_mmap.
 * Not modelled: a MREMAP_FIXED move of a range spanning several VMAs
 * (remap_move(); a 'warn' and -EFAULT), VMA merging at the destination
 * (vma_merge_copied_range()), vm_ops->mremap (no modelled
 * vm_operations_struct has one), accounting, mlock, userfaultfd, mseal,
 * hugetlb.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import type { Cx } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { getFile } from '../fs/file-table.js';
import { iMmapInsert, iMmapLock } from '../fs/address-space.js';
import { EFAULT, EINVAL, ENOMEM } from '../uapi/errno.js';
import { MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE } from '../uapi/mman.js';
import type { Vma } from './types.js';
import { VM_DONTEXPAND, VM_MAYSHARE, VM_PFNMAP, VM_SHARED, vmFlagsHas } from './types.js';
import { getVma, setVmas, vmaIntersects, vmaLookup } from './mm.js';
import { getUnmappedArea } from './mmap.js';
import { TASK_SIZE, pageAlign } from './munmap.js';
import { clearRange, levelSize, setLeaf, slotAt } from './pgtable.js';
import { PAGE_SIZE, vmaMappingInode, vmaOf, vmaOpLocals, vmaValue, vmOps } from './vma.js';

interface MremapLocals {
  readonly [key: string]: Value;
  addr: number;
  old_len: number;
  new_len: number;
  flags: number;
  new_addr: number;
  mm: number;
  vma: number;
  newVma: Value;
  r: number;
}

type MremapCx = Cx<MremapLocals>;

/** vrm_implies_new_addr(): MREMAP_FIXED or MREMAP_DONTUNMAP. */
function impliesNewAddr(flags: number): boolean {
  return (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0;
}

/** check_mremap_params(): 0 or -errno, before any lock. */
export function checkMremapParams(addr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
  if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) return -EINVAL;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  if (newLen === 0 || newLen > TASK_SIZE) return -EINVAL;
  if (!impliesNewAddr(flags)) return 0;
  if (newAddr > TASK_SIZE - newLen || newAddr % PAGE_SIZE !== 0) return -EINVAL;
  if (!(flags & MREMAP_MAYMOVE)) return -EINVAL;
  if (flags & MREMAP_DONTUNMAP && oldLen !== newLen) return -EINVAL;
  if (addr < newAddr + newLen && newAddr < addr + oldLen) return -EINVAL; // vrm_overlaps()
  return 0;
}

/** check_prep_vma() for the VMA at addr: 0 or -errno. */
export function checkPrepVma(v: Vma | undefined, addr: number, oldLen: number, newLen: number, flags: number): number {
  if (v === undefined) return -EFAULT;
  const special = vmFlagsHas(v.vm_flags, VM_DONTEXPAND) || vmFlagsHas(v.vm_flags, VM_PFNMAP);
  if (newLen <= oldLen && !impliesNewAddr(flags)) return 0; // !vrm_will_map_new()
  if (oldLen === 0 && !vmFlagsHas(v.vm_flags, VM_SHARED) && !vmFlagsHas(v.vm_flags, VM_MAYSHARE)) return -EINVAL;
  if (flags & MREMAP_DONTUNMAP && special) return -EINVAL;
  const len = newLen < oldLen ? newLen : oldLen; // a shrink may cross the VMA's end
  if (len > v.vm_end - addr) return -EFAULT;
  if (newLen === oldLen) return 0;
  if (newLen > oldLen && special) return -EFAULT;
  return 0;
}

export const doMremapPath = path<MremapLocals>()('do_mremap', 'start', {
  start: (cx) => {
    cx.l.old_len = pageAlign(cx.l.old_len);
    cx.l.new_len = pageAlign(cx.l.new_len);
    const r = checkMremapParams(cx.l.addr, cx.l.old_len, cx.l.new_len, cx.l.flags, cx.l.new_addr);
    if (r !== 0) return cx.ret(r);
    cx.l.mm = cx.k.get('processes', cx.pid).mm;
    cx.goto('lock');
  },
  lock: (cx) => {
    const m = cx.k.get('mms', cx.l.mm);
    if (!cx.lock(m.mmap_lock, 'write')) return;
    const v = vmaLookup(m, cx.l.addr);
    const moveOnly = (cx.l.flags & MREMAP_FIXED) !== 0 && cx.l.old_len === cx.l.new_len;
    if (moveOnly && v !== undefined && cx.l.addr + cx.l.old_len > v.vm_end) {
      // remap_move(): moves every VMA of the range; the model moves one.
      if (vmaIntersects(m, v.vm_end, cx.l.addr + cx.l.old_len)) {
        cx.emit('warn', 'remap_move', { report: 'a move of several VMAs is not modelled', addr: hex(cx.l.addr) });
        return done(cx, -EFAULT);
      }
      cx.l.old_len = cx.l.new_len = v.vm_end - cx.l.addr;
    }
    const err = checkPrepVma(v, cx.l.addr, cx.l.old_len, cx.l.new_len, cx.l.flags);
    if (err !== 0) return done(cx, err);
    cx.l.vma = v!.id;
    if (impliesNewAddr(cx.l.flags)) {
      // mremap_to(): MREMAP_FIXED unmaps the destination first.
      if (cx.l.flags & MREMAP_FIXED) {
        return cx.call('do_vmi_munmap', { mm: cx.l.mm, start: cx.l.new_addr, end: cx.l.new_addr + cx.l.new_len }, 'r', 'to_shrink');
      }
      cx.l.r = 0;
      return cx.goto('to_shrink');
    }
    // mremap_at()
    if (cx.l.new_len === cx.l.old_len) return done(cx, cx.l.addr);
    if (cx.l.new_len < cx.l.old_len) {
      return cx.call('do_vmi_munmap', { mm: cx.l.mm, start: cx.l.addr + cx.l.new_len, end: cx.l.addr + cx.l.old_len }, 'r', 'shrunk');
    }
    cx.goto('expand');
  },
  shrunk: (cx) => done(cx, cx.l.r < 0 ? cx.l.r : cx.l.addr),
  expand: (cx) => {
    // expand_vma(): in place when [addr, addr + old_len) ends the VMA and nothing follows it.
    const m = cx.k.get('mms', cx.l.mm);
    const v = getVma(cx.k, cx.l.mm, cx.l.vma);
    const delta = cx.l.new_len - cx.l.old_len;
    if (v.vm_end - cx.l.addr === cx.l.old_len && v.vm_end + delta <= TASK_SIZE && !vmaIntersects(m, v.vm_end, v.vm_end + delta)) {
      setVmas(cx.k, cx.l.mm, m.vmas.map((x) => (x.id === v.id ? { ...x, vm_end: x.vm_end + delta } : x)));
      cx.emit('vma', 'expand_vma_in_place', { vma: v.id, start: hex(v.vm_start), end: hex(v.vm_end + delta) });
      return done(cx, cx.l.addr);
    }
    if (!(cx.l.flags & MREMAP_MAYMOVE)) return done(cx, -ENOMEM);
    cx.goto('set_new_addr');
  },
  to_shrink: (cx) => {
    if (cx.l.r < 0) return done(cx, cx.l.r);
    const v = vmaLookup(cx.k.get('mms', cx.l.mm), cx.l.addr);
    if (v === undefined) return done(cx, -EFAULT);
    cx.l.vma = v.id;
    if (cx.l.new_len < cx.l.old_len) {
      return cx.call('do_vmi_munmap', { mm: cx.l.mm, start: cx.l.addr + cx.l.new_len, end: cx.l.addr + cx.l.old_len }, 'r', 'to_shrunk');
    }
    cx.goto('set_new_addr');
  },
  to_shrunk: (cx) => {
    if (cx.l.r < 0) return done(cx, cx.l.r);
    cx.l.old_len = cx.l.new_len;
    const v = vmaLookup(cx.k.get('mms', cx.l.mm), cx.l.addr);
    if (v === undefined) return done(cx, -EFAULT);
    cx.l.vma = v.id;
    cx.goto('set_new_addr');
  },
  set_new_addr: (cx) => {
    // vrm_set_new_addr(): MREMAP_FIXED keeps new_addr, else get_unmapped_area() with addr as the hint.
    if (!(cx.l.flags & MREMAP_FIXED)) {
      const a = getUnmappedArea(cx.k.get('mms', cx.l.mm), cx.l.addr, cx.l.new_len, 0);
      if (a < 0) return done(cx, a);
      cx.l.new_addr = a;
    }
    cx.goto('copy_vma');
  },
  copy_vma: (cx) => {
    // copy_vma(): vm_area_dup, vma_set_range, get_file, ->open.
    const v = getVma(cx.k, cx.l.mm, cx.l.vma);
    const nv: Vma = {
      ...v, id: cx.k.allocId(), vm_start: cx.l.new_addr, vm_end: cx.l.new_addr + cx.l.new_len,
      vm_pgoff: v.vm_pgoff + (cx.l.addr - v.vm_start) / PAGE_SIZE,
    };
    cx.l.newVma = vmaValue(nv);
    if (nv.vm_file !== 0) getFile(cx.k, nv.vm_file, cx.tid);
    const open = vmOps(cx.k, nv)?.open;
    if (open) return cx.call(open, vmaOpLocals(nv), 'r', 'vma_link');
    cx.goto('vma_link');
  },
  vma_link: (cx) => {
    // vma_link(): into the mm's tree and, under i_mmap_rwsem, the file's i_mmap (after the old VMA).
    const nv = vmaOf(cx.l.newVma);
    const inode = vmaMappingInode(cx.k, nv);
    const lock = inode === 0 ? 0 : iMmapLock(cx.k, inode);
    if (lock !== 0 && !cx.lock(lock, 'write')) return;
    setVmas(cx.k, cx.l.mm, [...cx.k.get('mms', cx.l.mm).vmas, nv]);
    if (inode !== 0) {
      iMmapInsert(cx.k, inode, { mm: cx.l.mm, vma: nv.id });
      cx.unlock(lock);
    }
    cx.goto('move_page_tables');
  },
  move_page_tables: (cx) => {
    const m = cx.k.get('mms', cx.l.mm);
    if (!cx.lock(m.page_table_lock, 'write')) return;
    const { moved, dropped } = movePageTables(cx, cx.l.addr, cx.l.new_addr, cx.l.old_len);
    const nv = vmaOf(cx.l.newVma);
    cx.emit('vma', 'move_vma', {
      vma: cx.l.vma, new_vma: nv.id, from: hex(cx.l.addr), to: hex(cx.l.new_addr), len: hex(cx.l.old_len), moved, dropped,
    });
    cx.unlock(m.page_table_lock);
    cx.l.newVma = null;
    if (cx.l.flags & MREMAP_DONTUNMAP) return done(cx, cx.l.new_addr);
    // unmap_source_vma()
    cx.call('do_vmi_munmap', { mm: cx.l.mm, start: cx.l.addr, end: cx.l.addr + cx.l.old_len }, 'r', 'moved');
  },
  moved: (cx) => done(cx, cx.l.new_addr),
});

/** mmap_write_unlock() and return. */
function done(cx: MremapCx, r: number): void {
  cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
  cx.ret(r);
}

/**
 * move_page_tables() of [from, from + len) to `to` (page table lock held):
 * PTEs move one by one; a huge leaf moves whole when it lies inside the
 * range and its new address is aligned to its size with the slot free,
 * else it is cleared (split_huge_pmd()/_pud() on a special VMA).
 */
function movePageTables(cx: MremapCx, from: number, to: number, len: number): { moved: number; dropped: number } {
  const arch = cx.k.arch;
  const { pgd: cleared, removed } = clearRange(arch, cx.k.get('mms', cx.l.mm).pgd, from, from + len, false);
  let pgd = cleared;
  let moved = 0;
  let dropped = 0;
  for (const p of removed) {
    const size = levelSize(arch, p.leaf.level);
    const dest = p.va - from + to;
    const whole = p.va >= from && p.va + size <= from + len && dest % size === 0;
    if (!whole || slotAt(arch, pgd, dest, p.leaf.level) !== 'none') {
      dropped += 1;
      continue;
    }
    pgd = setLeaf(arch, pgd, dest, p.leaf);
    moved += 1;
  }
  cx.k.mut('mms', cx.l.mm).pgd = pgd;
  return { moved, dropped };
}
