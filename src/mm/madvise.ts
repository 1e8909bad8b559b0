/**
 * madvise(2): do_madvise() → madvise_lock() → madvise_walk_vmas() →
 * madvise_vma_behavior() (mm/madvise.c, v6.19).
 *
 * Path `do_madvise` with locals {addr, length, advice}. The checks of
 * madvise_should_skip() come first (unknown advice, unaligned start, a
 * length that wraps: -EINVAL; an empty range: 0). The lock is the one
 * get_lock_mode() picks: mmap_lock for write for the advice that changes
 * vm_flags, for read otherwise (MADV_DONTNEED/_LOCKED and MADV_FREE take
 * the per-VMA lock, which the model, without per-VMA locks, takes as
 * mmap_lock read as lock_vma_under_rcu() falls back to). The walk visits
 * every VMA in the range, one step each; a hole gives -ENOMEM at the end
 * (the walk goes on), no VMA at all -ENOMEM at once, and the first error of
 * a VMA ends the walk.
 *
 * Per VMA, what v6.19 does with a BAR mapping (VM_IO|VM_PFNMAP|
 * VM_DONTEXPAND|VM_DONTDUMP, vfio_pci_core_mmap()):
 * - MADV_DONTNEED/_LOCKED, MADV_FREE: madvise_dontneed_free_valid_vma()
 *   forbids VM_PFNMAP: -EINVAL, nothing is zapped. On an anonymous VMA
 *   DONTNEED zaps the range (zap_page_range_single_batched()) and MADV_FREE
 *   is taken as the same (lazy free is not modelled).
 * - MADV_COLD, MADV_PAGEOUT: can_madv_lru_vma() forbids VM_PFNMAP: -EINVAL.
 * - MADV_DONTFORK sets VM_DONTCOPY (dup_mmap() then skips the VMA);
 *   MADV_DOFORK on a VM_IO VMA is -EINVAL, so a BAR mapping cannot be
 *   given back to fork once DONTFORK'd.
 * - MADV_DONTDUMP sets VM_DONTDUMP; MADV_DODUMP on VM_SPECIAL is -EINVAL.
 * - MADV_WIPEONFORK on a file or shared VMA is -EINVAL; MADV_KEEPONFORK
 *   clears VM_WIPEONFORK.
 * - MADV_HUGEPAGE/NOHUGEPAGE (hugepage_madvise()) set VM_HUGEPAGE or
 *   VM_NOHUGEPAGE and clear the other; with THP `madvise` that decides
 *   whether a BAR fault may go huge (src/mm/thp.ts).
 * - MADV_NORMAL/RANDOM/SEQUENTIAL set the read-ahead bits.
 * - MADV_MERGEABLE/UNMERGEABLE: ksm_madvise() leaves a VM_SPECIAL VMA
 *   alone (vma_ksm_compatible()) and returns 0.
 * - MADV_COLLAPSE, MADV_GUARD_INSTALL/REMOVE on VM_SPECIAL: -EINVAL
 *   (VM_NO_KHUGEPAGED, is_valid_guard_vma()).
 * - MADV_POPULATE_READ/WRITE: faultin_page_range() → __get_user_pages()
 *   → check_vma_flags() refuses VM_IO|VM_PFNMAP with -EFAULT.
 * A vm_flags change on part of a VMA splits it first (madvise_update_vma()
 * → vma_modify_flags(): __split_vma() at the start, new VMA below, and at
 * the end, new VMA above, so the VMA keeps its id for the advised part);
 * a change that leaves vm_flags as they are does nothing. VMA merging is
 * not modelled.
 * Not modelled: MADV_WILLNEED and MADV_REMOVE (file readahead and hole
 * punching), MADV_HWPOISON/SOFT_OFFLINE (CAP_SYS_ADMIN memory-failure
 * injection), mseal (-EPERM), VM_LOCKED and userfaultfd: the walk emits a
 * 'warn' and returns -EINVAL for them.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import type { Cx } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { EFAULT, EINVAL, ENOMEM } from '../uapi/errno.js';
import * as mman from '../uapi/mman.js';
import type { Vma } from './types.js';
import {
  VM_DONTCOPY, VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_MIXEDMAP, VM_PFNMAP, VM_SHARED, vmFlagsHas, vmFlagsSet,
} from './types.js';
import { findVma, getVma } from './mm.js';
import { pageAlign } from './munmap.js';
import { PAGE_SIZE, zapRange } from './vma.js';
import { VM_HUGEPAGE, VM_NOHUGEPAGE, vmaIsAnonymous } from './thp.js';

/** VM_SEQ_READ (bit 15), VM_RAND_READ (bit 16), VM_WIPEONFORK (bit 25). */
export const VM_SEQ_READ = 2 ** 15;
export const VM_RAND_READ = 2 ** 16;
export const VM_WIPEONFORK = 2 ** 25;
/** VM_SPECIAL: VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP. */
export const VM_SPECIAL = VM_IO + VM_DONTEXPAND + VM_PFNMAP + VM_MIXEDMAP;

const { MADV_NAMES } = mman;

/** madvise_behavior_valid(). */
export function madviseBehaviorValid(advice: number): boolean {
  return Object.values(MADV_NAMES).includes(advice);
}

/** The advice's name for traces ("MADV_DONTNEED", or the number). */
export function madviseName(advice: number): string {
  return Object.entries(MADV_NAMES).find(([, v]) => v === advice)?.[0] ?? String(advice);
}

/** get_lock_mode(): the advice that only walk page tables take mmap_lock for read. */
function readLocked(advice: number): boolean {
  return [
    mman.MADV_REMOVE, mman.MADV_WILLNEED, mman.MADV_COLD, mman.MADV_PAGEOUT, mman.MADV_POPULATE_READ,
    mman.MADV_POPULATE_WRITE, mman.MADV_COLLAPSE, mman.MADV_GUARD_INSTALL, mman.MADV_GUARD_REMOVE,
    mman.MADV_DONTNEED, mman.MADV_DONTNEED_LOCKED, mman.MADV_FREE,
  ].includes(advice);
}

function clearFlag(flags: number, flag: number): number {
  return vmFlagsHas(flags, flag) ? flags - flag : flags;
}

/** What madvise_vma_behavior() does to one VMA: fail, zap, change vm_flags or nothing. */
export type MadviseAct =
  | { readonly kind: 'error'; readonly err: number; readonly why: string }
  | { readonly kind: 'zap' }
  | { readonly kind: 'flags'; readonly flags: number }
  | { readonly kind: 'none' };

/** madvise_vma_behavior() for one VMA, decided (the acting is the path's). */
export function madviseVmaBehavior(v: Vma, advice: number): MadviseAct {
  const f = v.vm_flags;
  const has = (x: number): boolean => vmFlagsHas(f, x);
  const special = has(VM_IO) || has(VM_DONTEXPAND) || has(VM_PFNMAP) || has(VM_MIXEDMAP);
  const err = (e: number, why: string): MadviseAct => ({ kind: 'error', err: e, why });
  const set = (flags: number): MadviseAct => ({ kind: 'flags', flags });
  switch (advice) {
    case mman.MADV_DONTNEED:
    case mman.MADV_DONTNEED_LOCKED:
    case mman.MADV_FREE:
      if (has(VM_PFNMAP)) return err(-EINVAL, 'madvise_dontneed_free_valid_vma: VM_PFNMAP');
      if (advice === mman.MADV_FREE && !vmaIsAnonymous(v)) return err(-EINVAL, 'madvise_free_single_vma: not anonymous');
      return { kind: 'zap' };
    case mman.MADV_COLD:
    case mman.MADV_PAGEOUT:
      if (has(VM_PFNMAP)) return err(-EINVAL, 'can_madv_lru_vma: VM_PFNMAP');
      return { kind: 'none' };
    case mman.MADV_POPULATE_READ:
    case mman.MADV_POPULATE_WRITE:
      if (has(VM_IO) || has(VM_PFNMAP)) return err(-EFAULT, 'check_vma_flags: VM_IO|VM_PFNMAP');
      return err(-EINVAL, 'not modelled');
    case mman.MADV_COLLAPSE:
    case mman.MADV_GUARD_INSTALL:
    case mman.MADV_GUARD_REMOVE:
      if (special) return err(-EINVAL, advice === mman.MADV_COLLAPSE ? 'thp_vma_allowable_order: VM_NO_KHUGEPAGED' : 'is_valid_guard_vma: VM_SPECIAL');
      return err(-EINVAL, 'not modelled');
    case mman.MADV_NORMAL:
      return set(clearFlag(clearFlag(f, VM_RAND_READ), VM_SEQ_READ));
    case mman.MADV_SEQUENTIAL:
      return set(vmFlagsSet(clearFlag(f, VM_RAND_READ), VM_SEQ_READ));
    case mman.MADV_RANDOM:
      return set(vmFlagsSet(clearFlag(f, VM_SEQ_READ), VM_RAND_READ));
    case mman.MADV_DONTFORK:
      return set(vmFlagsSet(f, VM_DONTCOPY));
    case mman.MADV_DOFORK:
      if (has(VM_IO)) return err(-EINVAL, 'MADV_DOFORK: VM_IO');
      return set(clearFlag(f, VM_DONTCOPY));
    case mman.MADV_WIPEONFORK:
      if (v.vm_file !== 0 || has(VM_SHARED)) return err(-EINVAL, 'MADV_WIPEONFORK: file or shared VMA');
      return set(vmFlagsSet(f, VM_WIPEONFORK));
    case mman.MADV_KEEPONFORK:
      return set(clearFlag(f, VM_WIPEONFORK));
    case mman.MADV_DONTDUMP:
      return set(vmFlagsSet(f, VM_DONTDUMP));
    case mman.MADV_DODUMP:
      if (special) return err(-EINVAL, 'MADV_DODUMP: VM_SPECIAL');
      return set(clearFlag(f, VM_DONTDUMP));
    case mman.MADV_MERGEABLE:
    case mman.MADV_UNMERGEABLE:
      if (special) return { kind: 'none' }; // ksm_madvise(): !vma_ksm_compatible()
      return err(-EINVAL, 'not modelled');
    case mman.MADV_HUGEPAGE:
      return set(vmFlagsSet(clearFlag(f, VM_NOHUGEPAGE), VM_HUGEPAGE));
    case mman.MADV_NOHUGEPAGE:
      return set(vmFlagsSet(clearFlag(f, VM_HUGEPAGE), VM_NOHUGEPAGE));
    default:
      return err(-EINVAL, 'not modelled');
  }
}

interface MadviseLocals {
  readonly [key: string]: Value;
  addr: number;
  length: number;
  advice: number;
  mm: number;
  lock: number;
  mode: string;
  cur: number;
  last: number;
  unmapped: number;
  vma: number;
  end: number;
  flags: number;
  r: number;
}

export const doMadvisePath = path<MadviseLocals>()('do_madvise', 'start', {
  start: (cx) => {
    // madvise_should_skip() → is_valid_madvise()
    const len = pageAlign(cx.l.length);
    if (!madviseBehaviorValid(cx.l.advice) || cx.l.addr % PAGE_SIZE !== 0 || cx.l.length < 0) return cx.ret(-EINVAL);
    if (cx.l.addr + len > Number.MAX_SAFE_INTEGER) return cx.ret(-EINVAL);
    if (len === 0) return cx.ret(0);
    if (cx.l.advice === mman.MADV_HWPOISON || cx.l.advice === mman.MADV_SOFT_OFFLINE) return notModelled(cx, 'memory-failure injection');
    cx.l.mm = cx.k.get('processes', cx.pid).mm;
    cx.l.lock = cx.k.get('mms', cx.l.mm).mmap_lock;
    cx.l.mode = readLocked(cx.l.advice) ? 'read' : 'write';
    cx.l.cur = cx.l.addr;
    cx.l.last = cx.l.addr + len;
    cx.l.unmapped = 0;
    cx.goto('lock');
  },
  lock: (cx) => {
    if (!cx.lock(cx.l.lock, cx.l.mode === 'read' ? 'read' : 'write')) return;
    cx.goto('walk');
  },
  walk: (cx) => {
    // madvise_walk_vmas(): one VMA per step.
    const v = findVma(cx.k.get('mms', cx.l.mm), cx.l.cur);
    if (v === undefined) return finish(cx, -ENOMEM);
    if (cx.l.cur < v.vm_start) {
      cx.l.unmapped = -ENOMEM;
      cx.l.cur = v.vm_start;
      if (cx.l.cur >= cx.l.last) return finish(cx, cx.l.unmapped);
    }
    cx.l.vma = v.id;
    cx.l.end = Math.min(v.vm_end, cx.l.last);
    const act = madviseVmaBehavior(v, cx.l.advice);
    cx.emit('vma', 'madvise_vma_behavior', {
      vma: v.id, start: hex(cx.l.cur), end: hex(cx.l.end), advice: madviseName(cx.l.advice), result: act.kind,
      ...(act.kind === 'error' ? { err: act.err, why: act.why } : {}),
    });
    if (act.kind === 'error') {
      if (act.why === 'not modelled') return notModelled(cx, madviseName(cx.l.advice));
      return finish(cx, act.err);
    }
    if (act.kind === 'zap') return cx.goto('zap');
    if (act.kind === 'none' || act.flags === v.vm_flags) return cx.goto('next');
    cx.l.flags = act.flags;
    cx.l.r = 0;
    // vma_modify_flags(): split off what lies below the range, then above it.
    if (v.vm_start < cx.l.cur) return cx.call('__split_vma', { mm: cx.l.mm, vma: v.id, addr: cx.l.cur, newBelow: true }, 'r', 'split_end');
    cx.goto('split_end');
  },
  split_end: (cx) => {
    if (cx.l.r < 0) return finish(cx, cx.l.r);
    const v = getVma(cx.k, cx.l.mm, cx.l.vma);
    if (v.vm_end > cx.l.end) return cx.call('__split_vma', { mm: cx.l.mm, vma: v.id, addr: cx.l.end, newBelow: false }, 'r', 'update');
    cx.goto('update');
  },
  update: (cx) => {
    if (cx.l.r < 0) return finish(cx, cx.l.r);
    const m = cx.k.get('mms', cx.l.mm);
    cx.k.mut('mms', cx.l.mm).vmas = m.vmas.map((x) => (x.id === cx.l.vma ? { ...x, vm_flags: cx.l.flags } : x));
    cx.goto('next');
  },
  zap: (cx) => {
    // madvise_dontneed_single_vma() → zap_page_range_single_batched() under the PTL.
    const ptl = cx.k.get('mms', cx.l.mm).page_table_lock;
    if (!cx.lock(ptl, 'write')) return;
    const n = zapRange(cx.k, cx.l.mm, cx.l.cur, cx.l.end, false);
    cx.emit('zap', 'zap_page_range_single', { mm: cx.l.mm, vma: cx.l.vma, start: hex(cx.l.cur), end: hex(cx.l.end), leaves: n });
    cx.unlock(ptl);
    cx.goto('next');
  },
  next: (cx) => {
    cx.l.cur = cx.l.end;
    if (cx.l.cur >= cx.l.last) return finish(cx, cx.l.unmapped);
    cx.goto('walk');
  },
});

type MadviseCx = Cx<MadviseLocals>;

/** madvise_unlock() and return. */
function finish(cx: MadviseCx, r: number): void {
  cx.unlock(cx.l.lock);
  cx.ret(r);
}

/** Advice the model does not act on: say so and refuse, rather than pretend. */
function notModelled(cx: MadviseCx, what: string): void {
  cx.emit('warn', 'do_madvise', { report: `${what} is not modelled`, advice: madviseName(cx.l.advice) });
  if (cx.l.lock !== undefined && cx.l.lock !== 0 && cx.holds(cx.l.lock)) return finish(cx, -EINVAL);
  cx.ret(-EINVAL);
}
