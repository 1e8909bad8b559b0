/**
 * munmap(2): __vm_munmap() → do_vmi_munmap() → do_vmi_align_munmap()
 * (mm/mmap.c, mm/vma.c, v6.19).
 *
 * do_vmi_munmap splits the VMAs straddling the range (__split_vma: the
 * split-off part that stays mapped is the new VMA), detaches the VMAs
 * inside it, zaps their page tables under page_table_lock and frees the
 * tables left empty (unmap_region/free_pgtables), unlinks each file VMA from
 * its i_mmap under i_mmap_rwsem (write) (unlink_file_vma_batch), then calls
 * vm_ops->close and fputs vm_file (remove_vma). mmap() with MAP_FIXED and
 * exit use the same path. The caller holds mmap_lock for write.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { EINVAL } from '../uapi/errno.js';
import { iMmapLock, iMmapRemove } from '../fs/address-space.js';
import type { Vma } from './types.js';
import { setVmas } from './mm.js';
import { PAGE_SIZE, vmaMappingInode, vmaOf, vmaOpLocals, vmaValue, vmOps, zapRange } from './vma.js';

/** TASK_SIZE on x86_64 with 4-level paging (and arm64 48-bit VA, rounded alike). */
export const TASK_SIZE = 2 ** 47 - PAGE_SIZE;

/** PAGE_ALIGN(). */
export function pageAlign(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

interface MunmapLocals {
  readonly [key: string]: Value;
  addr: number;
  length: number;
  mm: number;
  r: number;
}

/** munmap(addr, length): mmap_write_lock_killable, do_vmi_munmap, unlock. */
export const vmMunmapPath = path<MunmapLocals>()('__vm_munmap', 'lock', {
  lock: (cx) => {
    const p = cx.k.get('processes', cx.pid);
    cx.l.mm = p.mm;
    const m = cx.k.get('mms', p.mm);
    if (!cx.lock(m.mmap_lock, 'write')) return;
    const start = cx.l.addr;
    const len = cx.l.length;
    if (start % PAGE_SIZE !== 0 || start > TASK_SIZE || len > TASK_SIZE - start || len < 0) {
      cx.l.r = -EINVAL;
      return cx.goto('unlock');
    }
    const end = start + pageAlign(len);
    if (end === start) {
      cx.l.r = -EINVAL;
      return cx.goto('unlock');
    }
    cx.call('do_vmi_munmap', { mm: p.mm, start, end }, 'r', 'unlock');
  },
  unlock: (cx) => {
    cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
    cx.ret(cx.l.r);
  },
});

interface AlignMunmapLocals {
  readonly [key: string]: Value;
  mm: number;
  start: number;
  end: number;
  victims: readonly Value[];
  i: number;
  r: number;
}

/** do_vmi_munmap on a checked, page-aligned [start, end); mmap_lock held for write. */
export const doVmiMunmapPath = path<AlignMunmapLocals>()('do_vmi_munmap', 'split_start', {
  split_start: (cx) => {
    const m = cx.k.get('mms', cx.l.mm);
    const first = m.vmas.find((v) => v.vm_end > cx.l.start && v.vm_start < cx.l.end);
    cx.l.r = 0;
    if (first === undefined) return cx.ret(0);
    if (first.vm_start < cx.l.start) {
      return cx.call('__split_vma', { mm: cx.l.mm, vma: first.id, addr: cx.l.start, newBelow: true }, 'r', 'split_end');
    }
    cx.goto('split_end');
  },
  split_end: (cx) => {
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const m = cx.k.get('mms', cx.l.mm);
    const last = m.vmas.find((v) => v.vm_start < cx.l.end && v.vm_end > cx.l.end);
    if (last !== undefined) {
      return cx.call('__split_vma', { mm: cx.l.mm, vma: last.id, addr: cx.l.end, newBelow: false }, 'r', 'gather');
    }
    cx.goto('gather');
  },
  gather: (cx) => {
    // vms_gather_munmap_vmas: detach the VMAs from the mm's tree.
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const m = cx.k.get('mms', cx.l.mm);
    const inside = (v: Vma): boolean => v.vm_start >= cx.l.start && v.vm_end <= cx.l.end;
    const victims = m.vmas.filter(inside);
    cx.l.victims = victims.map(vmaValue);
    setVmas(cx.k, cx.l.mm, m.vmas.filter((v) => !inside(v)));
    cx.k.mut('mms', cx.l.mm).detached = [...(m.detached ?? []), ...victims];
    cx.goto('zap');
  },
  zap: (cx) => {
    // unmap_region(): unmap_vmas + free_pgtables under the page table lock.
    const m = cx.k.get('mms', cx.l.mm);
    if (!cx.lock(m.page_table_lock, 'write')) return;
    for (const val of cx.l.victims) {
      const v = vmaOf(val);
      const n = zapRange(cx.k, cx.l.mm, v.vm_start, v.vm_end, true);
      cx.emit('zap', 'unmap_vmas', { mm: cx.l.mm, vma: v.id, start: v.vm_start, end: v.vm_end, leaves: n });
    }
    cx.unlock(m.page_table_lock);
    cx.l.i = 0;
    cx.goto('unlink_file');
  },
  unlink_file: (cx) => {
    // free_pgtables → unlink_file_vma_batch: i_mmap_lock_write, remove, unlock.
    const val = cx.l.victims[cx.l.i];
    if (val === undefined) {
      cx.l.i = 0;
      return cx.goto('close');
    }
    const v = vmaOf(val);
    const inode = vmaMappingInode(cx.k, v);
    if (inode !== 0) {
      const lock = iMmapLock(cx.k, inode);
      if (!cx.lock(lock, 'write')) return;
      iMmapRemove(cx.k, inode, { mm: cx.l.mm, vma: v.id });
      cx.unlock(lock);
    }
    const m = cx.k.get('mms', cx.l.mm);
    cx.k.mut('mms', cx.l.mm).detached = (m.detached ?? []).filter((x) => x.id !== v.id);
    cx.l.i += 1;
    cx.goto('unlink_file');
  },
  close: (cx) => {
    // remove_vma(): vma_close, then fput(vm_file).
    const val = cx.l.victims[cx.l.i];
    if (val === undefined) return cx.ret(0);
    const v = vmaOf(val);
    const close = vmOps(cx.k, v)?.close;
    if (close) return cx.call(close, vmaOpLocals(v), 'r', 'fput');
    cx.goto('fput');
  },
  fput: (cx) => {
    const v = vmaOf(cx.l.victims[cx.l.i]);
    cx.l.i += 1;
    if (v.vm_file !== 0) return cx.call('fput', { file: v.vm_file }, 'r', 'close');
    cx.goto('close');
  },
});
