/**
 * A CPU load or store from user space, and the arch page-fault handler
 * around handle_mm_fault() (arch/x86/mm/fault.c do_user_addr_fault(),
 * mm/mmap_lock.c lock_mm_and_find_vma(), v6.19).
 *
 * Path `user_access` with locals {addr, size, write, value}:
 *  1. `walk`: the MMU walks the page tables locklessly; a present leaf that
 *     allows the access performs it on physical memory (physAccess, pci
 *     side) and the path returns the value loaded (0 for a store);
 *  2. otherwise `fault`: mmap_lock read, find the VMA; no VMA or an access
 *     vm_flags forbid → SIGSEGV; else handle_mm_fault, then mmap_lock is
 *     dropped; VM_FAULT_SIGBUS/HWPOISON → SIGBUS, VM_FAULT_SIGSEGV → SIGSEGV,
 *     VM_FAULT_OOM → a 'warn' (the kernel would refault forever); anything
 *     else retries the access from the walk.
 * When a signal is sent (Task.pending gets it, a 'signal' event) or the
 * access cannot complete, the path returns -EFAULT as a marker: user space
 * did not see a value. Per-VMA locks are not modelled (always mmap_lock).
 * After MAX_RETRIES refaults without progress the path gives up with a
 * 'warn' (a livelock in the kernel).
 */
import type { Value } from '../kernel/sched/types.js';
import type { Signal } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { EFAULT } from '../uapi/errno.js';
import { memAccess } from './anon.js';
import { VM_FAULT_HWPOISON, VM_FAULT_HWPOISON_LARGE, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, vmFaultName } from './fault-codes.js';
import { VM_EXEC, VM_READ, VM_WRITE, vmFlagsHas } from './types.js';
import { vmaLookup } from './mm.js';
import { walk } from './pgtable.js';

/** Refaults of one access before the model reports a livelock. */
export const MAX_RETRIES = 8;

interface AccessLocals {
  readonly [key: string]: Value;
  addr: number;
  size: number;
  write: boolean;
  value: number;
  mm: number;
  vma: number;
  tries: number;
  r: number;
}

export const userAccessPath = path<AccessLocals>()('user_access', 'walk', {
  walk: (cx) => {
    const k = cx.k;
    const mm = k.get('processes', cx.pid).mm;
    cx.l.mm = mm;
    const w = walk(k.arch, k.get('mms', mm).pgd, cx.l.addr);
    if (w.kind === 'leaf' && (!cx.l.write || w.leaf.write)) {
      const phys = w.leaf.pfn * 4096 + (cx.l.addr - w.base);
      const res = memAccess(k, phys, cx.l.size, cx.l.write, cx.l.write ? (cx.l.value ?? 0) : 0);
      cx.emit('access', cx.l.write ? 'store' : 'load', {
        addr: hex(cx.l.addr), phys: hex(phys), size: cx.l.size, level: w.leaf.level, value: hex(res.value), outcome: res.outcome,
      });
      return cx.ret(cx.l.write ? 0 : res.value);
    }
    cx.l.tries = (cx.l.tries ?? 0) + 1;
    if (cx.l.tries > MAX_RETRIES) {
      cx.emit('warn', 'do_user_addr_fault', { report: 'access refaults forever', addr: hex(cx.l.addr) });
      return cx.ret(-EFAULT);
    }
    cx.goto('fault');
  },
  fault: (cx) => {
    const k = cx.k;
    const m = k.get('mms', cx.l.mm);
    if (!cx.lock(m.mmap_lock, 'read')) return;
    const v = vmaLookup(k.get('mms', cx.l.mm), cx.l.addr);
    const allowed = v !== undefined && (cx.l.write
      ? vmFlagsHas(v.vm_flags, VM_WRITE)
      : vmFlagsHas(v.vm_flags, VM_READ) || vmFlagsHas(v.vm_flags, VM_WRITE) || vmFlagsHas(v.vm_flags, VM_EXEC));
    if (v === undefined || !allowed) {
      cx.unlock(m.mmap_lock);
      return signal(cx, 'SIGSEGV', v === undefined ? 'no vma' : 'access_error');
    }
    cx.l.vma = v.id;
    cx.call('handle_mm_fault', { mm: cx.l.mm, vma: v.id, address: cx.l.addr, write: cx.l.write }, 'r', 'after_fault');
  },
  after_fault: (cx) => {
    cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
    const r = cx.l.r;
    if (r & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE)) return signal(cx, 'SIGBUS', vmFaultName(r));
    if (r & VM_FAULT_SIGSEGV) return signal(cx, 'SIGSEGV', vmFaultName(r));
    if (r & VM_FAULT_OOM) {
      cx.emit('warn', 'pagefault_out_of_memory', { report: 'VM_FAULT_OOM: the access refaults', addr: hex(cx.l.addr) });
      return cx.ret(-EFAULT);
    }
    cx.goto('walk');
  },
});

function signal(cx: { readonly k: import('../kernel/kernel.js').Kernel; readonly tid: number; readonly l: AccessLocals; emit: (kind: 'signal', fn: string, args: Record<string, string | number | boolean>) => void; ret: (v: Value) => void }, sig: Signal, why: string): void {
  const t = cx.k.get('tasks', cx.tid);
  cx.k.mut('tasks', cx.tid).pending = [...t.pending, sig];
  cx.emit('signal', sig === 'SIGBUS' ? 'force_sig_fault' : 'bad_area', { sig, addr: hex(cx.l.addr), why });
  cx.ret(-EFAULT);
}
