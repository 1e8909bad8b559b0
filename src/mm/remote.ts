/**
 * Access to another process's memory by the kernel on a user's behalf:
 * ptrace(PTRACE_PEEKDATA/POKEDATA) (kernel/ptrace.c
 * generic_ptrace_peekdata()/_pokedata() → ptrace_access_vm()),
 * read/write of /proc/PID/mem (fs/proc/base.c mem_rw() →
 * access_remote_vm()), both through __access_remote_vm() (mm/memory.c),
 * and process_vm_readv/writev (mm/process_vm_access.c
 * process_vm_rw_single_vec() → pin_user_pages_remote()), v6.19.
 *
 * Path `remote_access` with locals {via, pid, addr, len, value}; pid 0 is
 * the caller's own process (/proc/self/mem). __access_remote_vm() takes the
 * target's mmap_lock for read and, page by page, asks GUP for the page
 * (get_user_page_vma_remote(), FOLL_FORCE for ptrace and /proc/PID/mem):
 * check_vma_flags() refuses VM_IO|VM_PFNMAP, so for a BAR mapping it falls
 * back to vma->vm_ops->access — and vfio_pci_mmap_ops has no .access in
 * v6.19 (only .fault and .huge_fault), nor has any design's table here, so
 * nothing is transferred and the BAR is never touched: PEEKDATA and
 * POKEDATA return -EIO (copied != sizeof(long)), /proc/PID/mem -EIO
 * (mem_rw(): nothing copied), process_vm_readv/writev -EFAULT
 * (pin_user_pages_remote() pinned nothing). A vm_ops with ->access is
 * called with locals {mm, vma, addr, len, write, value} and returns the
 * bytes it moved (generic_access_phys() would ioremap the pfn).
 * Anonymous memory is transferred: GUP faults the page in (a write breaks
 * its COW) and the bytes are copied; PEEKDATA returns the word read, as
 * glibc's ptrace() does (the raw syscall stores it at `data` and returns 0).
 * Not modelled: the ptrace attach and stop the tracee must be in, the
 * ptrace_may_access()/mm_access() permission checks, process_vm_*'s pin
 * of anonymous pages (the bytes are copied directly), and file memory
 * other than PFN maps (a 'warn', nothing transferred).
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import type { Cx } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { EFAULT, EIO, ESRCH } from '../uapi/errno.js';
import { VM_IO, VM_PFNMAP, vmFlagsHas } from './types.js';
import { vmaLookup } from './mm.js';
import { PAGE_SIZE, vmaOpLocals, vmOps } from './vma.js';
import { walk } from './pgtable.js';
import { vmaIsAnonymous } from './thp.js';
import { memAccess } from './anon.js';
import { VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV } from './fault-codes.js';

/** The ways in, as a scenario names them. */
export const REMOTE_VIA = [
  'ptrace_peekdata', 'ptrace_pokedata', 'proc_mem_read', 'proc_mem_write', 'process_vm_readv', 'process_vm_writev',
] as const;
export type RemoteVia = (typeof REMOTE_VIA)[number];

/** sizeof(long): what PEEKDATA/POKEDATA move. */
const WORD = 8;

interface RemoteLocals {
  readonly [key: string]: Value;
  via: string;
  pid: number;
  addr: number;
  len: number;
  value: number;
  mm: number;
  done: number;
  bytes: number;
}

type RemoteCx = Cx<RemoteLocals>;

function isWrite(via: string): boolean {
  return via.endsWith('poke') || via.endsWith('pokedata') || via.endsWith('write') || via.endsWith('writev');
}

export const remoteAccessPath = path<RemoteLocals>()('remote_access', 'start', {
  start: (cx) => {
    const pid = cx.l.pid === 0 ? cx.pid : cx.l.pid;
    const p = cx.k.find('processes', pid);
    if (p === undefined || p.exited) return cx.ret(-ESRCH);
    cx.l.mm = p.mm;
    if (cx.l.via.startsWith('ptrace')) cx.l.len = WORD;
    cx.l.done = 0;
    cx.goto('lock');
  },
  lock: (cx) => {
    if (!cx.lock(cx.k.get('mms', cx.l.mm).mmap_lock, 'read')) return;
    cx.goto('page');
  },
  page: (cx) => {
    // One page of __access_remote_vm() / process_vm_rw_single_vec().
    if (cx.l.done >= cx.l.len) return cx.goto('unlock');
    const addr = cx.l.addr + cx.l.done;
    const v = vmaLookup(cx.k.get('mms', cx.l.mm), addr);
    const pin = cx.l.via.startsWith('process_vm');
    if (v === undefined) {
      cx.emit('gup', pin ? 'pin_user_pages_remote' : 'get_user_page_vma_remote', { addr: hex(addr), result: 'EFAULT', why: 'no vma' });
      return cx.goto('unlock');
    }
    if (!(vmFlagsHas(v.vm_flags, VM_IO) || vmFlagsHas(v.vm_flags, VM_PFNMAP))) {
      if (!vmaIsAnonymous(v)) {
        cx.emit('warn', 'remote_access', { report: 'file memory other than PFN maps is not modelled', addr: hex(addr) });
        return cx.goto('unlock');
      }
      return anonPage(cx, v.id, addr);
    }
    cx.emit('gup', pin ? 'pin_user_pages_remote' : 'get_user_page_vma_remote', {
      addr: hex(addr), result: 'EFAULT', why: 'check_vma_flags: VM_IO|VM_PFNMAP',
    });
    const access = vmOps(cx.k, v)?.access;
    if (pin || !access) {
      if (!pin) cx.emit('gup', '__access_remote_vm', { addr: hex(addr), vm_ops_access: 'none', bytes: 0 });
      return cx.goto('unlock');
    }
    const len = Math.min(cx.l.len - cx.l.done, PAGE_SIZE - (addr % PAGE_SIZE));
    cx.l.bytes = 0;
    cx.call(access, { ...vmaOpLocals(v), addr, len, write: isWrite(cx.l.via), value: cx.l.value }, 'bytes', 'after_access');
  },
  faulted: (cx) => {
    // faultin_page(): an error ends the transfer with what it has.
    if (cx.l.bytes & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_OOM)) return cx.goto('unlock');
    cx.goto('page');
  },
  after_access: (cx) => {
    if (cx.l.bytes <= 0) return cx.goto('unlock');
    cx.l.done += cx.l.bytes;
    cx.goto('page');
  },
  unlock: (cx) => {
    cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
    cx.ret(result(cx));
  },
});

/**
 * One page of anonymous memory: GUP (FOLL_FORCE, FOLL_WRITE for a write)
 * faults it in until the PTE allows the access (a write breaks COW), then
 * the bytes are copied (copy_from_user_page()/copy_to_user_page(); a poke
 * writes `value`, little endian). A read keeps the word it read in `value`.
 */
function anonPage(cx: RemoteCx, vma: number, addr: number): void {
  const write = isWrite(cx.l.via);
  const w = walk(cx.k.arch, cx.k.get('mms', cx.l.mm).pgd, addr);
  if (w.kind !== 'leaf' || (write && !w.leaf.write)) {
    cx.l.bytes = 0;
    return cx.call('handle_mm_fault', { mm: cx.l.mm, vma, address: addr, write }, 'bytes', 'faulted');
  }
  const n = Math.min(cx.l.len - cx.l.done, PAGE_SIZE - (addr % PAGE_SIZE));
  const phys = w.leaf.pfn * PAGE_SIZE + (addr - w.base);
  let value = 0;
  for (let i = 0; i < n; i += WORD) {
    const size = Math.min(WORD, n - i) as 1 | 2 | 4 | 8;
    const shift = (cx.l.done + i) * 8;
    const part = write ? Math.floor(cx.l.value / 2 ** shift) % 2 ** (8 * size) : 0;
    const r = memAccess(cx.k, phys + i, size, write, part);
    if (!write && cx.l.done + i < WORD) value += r.value * 2 ** shift;
  }
  if (!write) cx.l.value = value;
  cx.emit('access', write ? 'copy_to_user_page' : 'copy_from_user_page', { addr: hex(addr), phys: hex(phys), size: n, outcome: 'ok' });
  cx.l.done += n;
  cx.goto('page');
}

/** What each caller makes of the bytes __access_remote_vm() (or the pin) moved. */
function result(cx: RemoteCx): number {
  const n = cx.l.done;
  switch (cx.l.via) {
    case 'ptrace_peekdata':
      return n === WORD ? cx.l.value : -EIO; // generic_ptrace_peekdata(): the word, as glibc's ptrace() returns it
    case 'ptrace_pokedata':
      return n === WORD ? 0 : -EIO; // generic_ptrace_pokedata()
    case 'proc_mem_read':
    case 'proc_mem_write':
      return n > 0 ? n : -EIO; // mem_rw()
    default:
      return n > 0 ? n : -EFAULT; // process_vm_rw_core(): pin_user_pages_remote() <= 0
  }
}
