/**
 * get_user_pages and friends (mm/gup.c, v6.19) as two user actions.
 *
 * `gup_action` {addr, nrPages, write, fast}: a driver calling
 * get_user_pages_fast() (fast: GUP-fast, then the slow path for the rest)
 * or get_user_pages() (slow only) with FOLL_GET (|FOLL_WRITE); the pages are
 * released again with put_page() at the end.
 * `o_direct_rw` {rw, addr, length}: read(2)/write(2) on an O_DIRECT file
 * with the user buffer at addr: iov_iter_extract_pages() →
 * pin_user_pages_fast(FOLL_PIN | FOLL_PCI_P2PDMA, plus FOLL_WRITE for a
 * read, which writes the pages) — the block device is taken to support
 * P2PDMA; the device then DMAs one word per page (an 'access' event with
 * the outcome), and the pages are unpinned. It returns the bytes moved.
 *
 * The slow path (__get_user_pages under mmap_lock read) goes page by page:
 * it finds the VMA and check_vma_flags() refuses VM_IO|VM_PFNMAP (and a
 * write to a VMA without VM_WRITE, a read without VM_READ) with -EFAULT; an
 * anonymous page is faulted in (faultin_page(): handle_mm_fault with the
 * write or unshare flag) until follow_page_pte() can take it. As in
 * gup_fast_fallback() and __get_user_pages() (`i ? i : ret`), pages got
 * before a refusal count: a range that runs into a VM_PFNMAP VMA gives a
 * partial count. The references stay in `pagerefs` from the walk until
 * the release step, so an interleaved zap can be seen to race with them.
 * Each walker emits a 'gup' event saying what it got and why it stopped.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { EFAULT } from '../uapi/errno.js';
import { errnoName } from '../uapi/errno.js';
import { memAccess, gupMustUnshare, ZERO_PFN } from './anon.js';
import { vmaIsAnonymous } from './thp.js';
import { walk } from './pgtable.js';
import { VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, vmFaultName } from './fault-codes.js';
import type { Cx } from '../kernel/sched/path.js';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE, vmFlagsHas } from './types.js';
import { vmaLookup } from './mm.js';
import { TASK_SIZE } from './munmap.js';
import { FOLL_GET, FOLL_PCI_P2PDMA, FOLL_PIN, FOLL_WRITE, GUP_PIN_COUNTING_BIAS, addPageRef, gupFastWalk } from './gup-fast.js';
import type { PageRef } from './gup-fast.js';
import { PAGE_SIZE } from './vma.js';

interface GupLocals {
  readonly [key: string]: Value;
  addr: number;
  start: number;
  nr: number;
  flags: number;
  useFast: boolean;
  held: readonly Value[];
  got: number;
  mm: number;
  fault: number;
}

type GupKind = 'gup' | 'o_direct';

/** Data pattern an O_DIRECT read DMAs into each page. */
export const O_DIRECT_PATTERN = 0x5a5a5a5a;

function gupPath<N extends string>(name: N, kind: GupKind) {
  return path<GupLocals>()(name, 'start', {
    start: (cx) => {
      const l = cx.l as GupLocals & Record<string, Value>;
      cx.l.mm = cx.k.get('processes', cx.pid).mm;
      cx.l.start = Math.floor(cx.l.addr / PAGE_SIZE) * PAGE_SIZE;
      if (kind === 'gup') {
        cx.l.nr = Number(l['nrPages'] ?? 0);
        cx.l.flags = FOLL_GET | (l['write'] === true ? FOLL_WRITE : 0);
        cx.l.useFast = l['fast'] === true && cx.k.arch.gupFast;
      } else {
        const length = Number(l['length'] ?? 0);
        cx.l.nr = Math.ceil((cx.l.addr - cx.l.start + length) / PAGE_SIZE);
        cx.l.flags = FOLL_PIN | FOLL_PCI_P2PDMA | (l['rw'] === 'read' ? FOLL_WRITE : 0);
        cx.l.useFast = cx.k.arch.gupFast;
      }
      cx.l.held = [];
      cx.l.got = 0;
      if (cx.l.nr <= 0) return cx.ret(0);
      if (cx.l.start + cx.l.nr * PAGE_SIZE > TASK_SIZE) return cx.ret(-EFAULT);
      cx.goto(cx.l.useFast ? 'gup_fast' : 'slow');
    },
    gup_fast: (cx) => {
      const r = gupFastWalk(cx.k, cx.l.mm, cx.l.start, cx.l.nr, cx.l.flags);
      cx.l.held = r.refs.map((p) => p as unknown as Value);
      cx.l.got = r.refs.length;
      cx.emit('gup', 'gup_fast', {
        start: hex(cx.l.start), pages: r.refs.length, of: cx.l.nr, pin: (cx.l.flags & FOLL_PIN) !== 0,
        result: r.stop === '' ? 'ok' : 'gave up', why: r.stop,
      });
      if (r.stop === 'no struct page') {
        cx.emit('warn', 'gup_fast', {
          report: 'huge PFN leaf without special bit: struct page of a pfn without memmap dereferenced',
          level: r.level,
        });
      }
      cx.goto(cx.l.got === cx.l.nr ? 'got' : 'slow');
    },
    slow: (cx) => {
      if (!cx.lock(cx.k.get('mms', cx.l.mm).mmap_lock, 'read')) return;
      cx.goto('slow_page');
    },
    slow_page: (cx) => {
      // __get_user_pages(): one page per step, faulting it in (faultin_page) until follow_page_pte() gets it.
      if (cx.l.got === cx.l.nr) return slowDone(cx, '', '');
      const addr = cx.l.start + cx.l.got * PAGE_SIZE;
      const v = vmaLookup(cx.k.get('mms', cx.l.mm), addr);
      const write = (cx.l.flags & FOLL_WRITE) !== 0;
      if (v === undefined) return slowDone(cx, 'no vma', hex(addr));
      if (vmFlagsHas(v.vm_flags, VM_IO) || vmFlagsHas(v.vm_flags, VM_PFNMAP)) return slowDone(cx, 'check_vma_flags: VM_IO|VM_PFNMAP', hex(addr));
      if (write ? !vmFlagsHas(v.vm_flags, VM_WRITE) : !vmFlagsHas(v.vm_flags, VM_READ)) return slowDone(cx, 'check_vma_flags: access', hex(addr));
      if (!vmaIsAnonymous(v)) {
        cx.emit('warn', '__get_user_pages', { report: 'file memory other than PFN maps is not modelled', addr: hex(addr) });
        return slowDone(cx, 'not modelled', hex(addr));
      }
      const w = walk(cx.k.arch, cx.k.get('mms', cx.l.mm).pgd, addr);
      const pin = (cx.l.flags & FOLL_PIN) !== 0;
      const unshare = w.kind === 'leaf' && gupMustUnshare(cx.k, w.leaf.pfn, pin);
      if (w.kind === 'leaf' && (!write || w.leaf.write) && !unshare) {
        // follow_page_pte() → try_grab_folio(): a pin of the zero page takes no reference.
        const pfn = w.leaf.pfn;
        const n = pin ? (pfn === ZERO_PFN ? 0 : GUP_PIN_COUNTING_BIAS) : 1;
        if (n > 0) addPageRef(cx.k, pfn, n);
        cx.l.held = [...cx.l.held, { pfn, refs: n } as unknown as Value];
        cx.l.got += 1;
        return cx.goto('slow_page');
      }
      cx.l.fault = 0;
      cx.call('handle_mm_fault', { mm: cx.l.mm, vma: v.id, address: addr, write, unshare }, 'fault', 'faultin');
    },
    faultin: (cx) => {
      // faultin_page(): VM_FAULT_ERROR ends the walk with what it has.
      if (cx.l.fault & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_OOM)) return slowDone(cx, vmFaultName(cx.l.fault), hex(cx.l.start + cx.l.got * PAGE_SIZE));
      cx.goto('slow_page');
    },
    got: (cx) => {
      // The pages are held here; the caller uses them before releasing.
      cx.goto(kind === 'o_direct' && cx.l.got > 0 ? 'transfer' : 'release');
    },
    transfer: (cx) => {
      const l = cx.l as GupLocals & Record<string, Value>;
      const toMemory = l['rw'] === 'read';
      for (const val of cx.l.held) {
        const p = val as unknown as PageRef;
        const phys = p.pfn * PAGE_SIZE;
        const res = memAccess(cx.k, phys, 4, toMemory, O_DIRECT_PATTERN);
        cx.emit('access', toMemory ? 'dma_write' : 'dma_read', { phys: hex(phys), size: 4, outcome: res.outcome });
      }
      cx.goto('release');
    },
    release: (cx) => {
      for (const val of cx.l.held) {
        const p = val as unknown as PageRef;
        if (p.refs !== 0) addPageRef(cx.k, p.pfn, -p.refs);
      }
      if (cx.l.held.length > 0) {
        cx.emit('gup', kind === 'o_direct' ? 'unpin_user_pages' : 'put_page', { pages: cx.l.held.length });
      }
      cx.l.held = [];
      const got = cx.l.got;
      if (kind === 'gup' || got <= 0) return cx.ret(got === 0 && kind === 'o_direct' ? -EFAULT : got);
      const l = cx.l as GupLocals & Record<string, Value>;
      const length = Number(l['length'] ?? 0);
      cx.ret(Math.min(length, got * PAGE_SIZE - (cx.l.addr - cx.l.start)));
    },
  });
}

/**
 * The end of the slow path: mmap_lock dropped; on a refusal a 'gup' event
 * says why. As __get_user_pages() returns `i ? i : ret`, the pages got so
 * far stand (a range that runs into a VM_PFNMAP VMA gives a partial count)
 * and nothing got is -EFAULT.
 */
function slowDone(cx: Cx<GupLocals>, why: string, addr: string): void {
  cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
  if (why !== '') {
    cx.emit('gup', '__get_user_pages', { addr, pages: cx.l.got, of: cx.l.nr, result: cx.l.got > 0 ? 'partial' : errnoName(-EFAULT), why });
    if (cx.l.got === 0) cx.l.got = -EFAULT;
  }
  cx.goto('got');
}

/** In-kernel GUP on the caller's mm (a driver's get_user_pages[_fast]). */
export const gupActionPath = gupPath('gup_action', 'gup');
/** O_DIRECT read/write with the user buffer at addr. */
export const oDirectRwPath = gupPath('o_direct_rw', 'o_direct');
