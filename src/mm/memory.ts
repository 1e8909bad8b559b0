/**
 * unmap_mapping_range() → unmap_mapping_pages() → unmap_mapping_range_tree()
 * → zap_page_range_single() (mm/memory.c, v6.19).
 *
 * Path `unmap_mapping_range` with locals {inode, holebegin, holelen,
 * even_cows}: under i_mmap_rwsem (read) of the inode's address_space, for
 * every VMA in its i_mmap whose file pages [vm_pgoff, vm_pgoff + pages)
 * overlap the hole's pages, zap the matching user range in that VMA's mm
 * under that mm's page_table_lock, one step per VMA. holelen 0 means "to the
 * end of the file". Returns the number of leaves removed; emits one 'zap'
 * event per VMA. It never takes mmap_lock (B7): VMAs that an in-flight
 * munmap has detached but not yet unlinked (mm.detached) are still reached.
 * even_cows only matters for anonymous COW pages, which are not modelled.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Vma } from './types.js';
import { PAGE_SIZE, zapRange } from './vma.js';

/** Note on the task that it walked `inode`'s i_mmap (Task.zapped). */
function recordZapWalk(k: Kernel, tid: number, inode: number): void {
  const walked = k.get('tasks', tid).zapped ?? [];
  if (!walked.includes(inode)) k.mut('tasks', tid).zapped = [...walked, inode];
}

/** A VMA reached through i_mmap, wherever its mm keeps it now. */
export function rmapVma(k: Kernel, mm: number, id: number): Vma | undefined {
  const m = k.find('mms', mm);
  if (m === undefined) return undefined;
  return m.vmas.find((v) => v.id === id) ?? m.detached?.find((v) => v.id === id);
}

interface UmrLocals {
  readonly [key: string]: Value;
  inode: number;
  holebegin: number;
  holelen: number;
  even_cows: boolean;
  first: number;
  last: number;
  todo: readonly { readonly mm: number; readonly vma: number }[];
  i: number;
  total: number;
}

export const unmapMappingRangePath = path<UmrLocals>()('unmap_mapping_range', 'lock', {
  lock: (cx) => {
    const ino = cx.k.get('inodes', cx.l.inode);
    if (!cx.lock(ino.i_mapping.i_mmap_rwsem, 'read')) return;
    const first = Math.floor(cx.l.holebegin / PAGE_SIZE);
    const nr = Math.ceil(cx.l.holelen / PAGE_SIZE);
    cx.l.first = first;
    cx.l.last = nr === 0 ? Number.MAX_SAFE_INTEGER : first + nr - 1;
    cx.l.todo = cx.k.get('inodes', cx.l.inode).i_mapping.i_mmap.map((r) => ({ mm: r.mm, vma: r.vma }));
    cx.l.i = 0;
    cx.l.total = 0;
    recordZapWalk(cx.k, cx.tid, cx.l.inode);
    cx.goto('zap_vma');
  },
  zap_vma: (cx) => {
    const ref = cx.l.todo[cx.l.i];
    if (ref === undefined) {
      cx.emit('zap', 'unmap_mapping_range', { inode: cx.l.inode, vmas: cx.l.todo.length, leaves: cx.l.total });
      cx.unlock(cx.k.get('inodes', cx.l.inode).i_mapping.i_mmap_rwsem);
      return cx.ret(cx.l.total);
    }
    const v = rmapVma(cx.k, ref.mm, ref.vma);
    const vba = v === undefined ? 0 : v.vm_pgoff;
    const vea = v === undefined ? -1 : vba + (v.vm_end - v.vm_start) / PAGE_SIZE - 1;
    if (v === undefined || vea < cx.l.first || vba > cx.l.last) {
      cx.l.i += 1;
      return cx.goto('zap_vma');
    }
    const ptl = cx.k.get('mms', ref.mm).page_table_lock;
    if (!cx.lock(ptl, 'write')) return;
    const zba = Math.max(cx.l.first, vba);
    const zea = Math.min(cx.l.last, vea);
    const start = (zba - vba) * PAGE_SIZE + v.vm_start;
    const end = (zea - vba + 1) * PAGE_SIZE + v.vm_start;
    const n = zapRange(cx.k, ref.mm, start, end, false);
    cx.emit('zap', 'unmap_mapping_range', { mm: ref.mm, vma: v.id, start: hex(start), end: hex(end), leaves: n });
    cx.unlock(ptl);
    cx.l.total += n;
    cx.l.i += 1;
    cx.goto('zap_vma');
  },
});
