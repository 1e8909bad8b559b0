/**
 * Fault handlers for VMAs whose object is a VFIO dma-buf (or, for the
 * shared-base design, the dummy base object of the vfio device file): the
 * designs' own paths, with the two steps the thread argues about built by
 * {@link faultEntry} and {@link faultMemoryLock}, so a later patch of a
 * stack swaps one step:
 *
 *   lookup  'single': the buffer is one contiguous range from phys_vec[0]
 *                     (dmabuf-vma stage 1: "the allocated dmabuf has a
 *                     singleton range");
 *           'multi':  vfio_pci_dma_buf_find_pfn() over every range, the
 *                     2^order pages inside one range and the pfn aligned,
 *                     else VM_FAULT_FALLBACK (RFC1 3/7, dmabuf-vma stage 2+).
 *   check   'memory': under memory_lock (read), SIGBUS while the exporting
 *                     device does not decode memory, as v6.19's
 *                     vfio_pci_vmf_insert_pfn() (dmabuf-vma stages 1–2);
 *           'revoked': under memory_lock (read), SIGBUS if the object is
 *                     revoked or its vdev is NULL (RFC1 3/7, dmabuf-vma
 *                     stage 3+; the shared-base dummy is "revoked" while
 *                     its device does not decode memory).
 *
 * The vm_fault locals are the core's {mm, vma, address, pgoff, write, order};
 * the handler computes the pfn from the order-aligned address (the B12 fix),
 * takes the exporting device's memory_lock for read around the check and
 * the insert (so a revoke, which holds it for write, cannot slip between
 * them) and inserts with write=false like v6.19.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import type { Step } from '../../kernel/sched/path.js';
import type { PathName } from '../../kernel/sched/registry.js';
import { hex } from '../../kernel/events.js';
import type { Vma } from '../../mm/types.js';
import { VM_FAULT_FALLBACK, VM_FAULT_SIGBUS, vmFaultName } from '../../mm/fault-codes.js';
import { getVma } from '../../mm/mm.js';
import { alignDown, orderLevel } from '../../mm/pgtable.js';
import { PAGE_SIZE } from '../../vfio/pci/device.js';
import type { VmFaultLocals } from '../../vfio/pci/fault.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import {
  deviceRanges, findPfn, objectOffset, physVecRanges, singleRangePfn, vdevEnabled, vdmabufOf,
} from './vfio-dmabuf.js';
import type { ObjectRange } from './vfio-dmabuf.js';

export type Lookup = 'single' | 'multi';
export type Check = 'memory' | 'revoked';

/** What a fault handler finds behind a VMA: the object's ranges, its device and its revoke state. */
export interface FaultObject {
  /** 'dmabuf' (vm_file is a dma-buf file) or 'vfio' (the vfio device file: the shared-base dummy). */
  readonly kind: 'dmabuf' | 'vfio';
  readonly ranges: readonly ObjectRange[];
  /** phys_vec of a dma-buf, for the single-range look-up. */
  readonly phys: readonly { readonly paddr: number; readonly len: number }[];
  /** The exporting vfio device, 0 once the buffer's vdev is NULL. */
  readonly vdev: number;
  /** The object's revoked state (dummy: memory decode off). */
  readonly revoked: boolean;
}

/** The object behind a VMA: file(vm_file)->private_data as a dma-buf or as the vfio device. */
export function faultObject(k: Kernel, vma: Vma): FaultObject | null {
  if (vma.vm_file === 0) return null;
  const f = k.get('files', vma.vm_file);
  if (isDmaBufFile(k, f.id)) {
    const p = vdmabufOf(k, f.private_data);
    if (p === undefined) return null;
    return { kind: 'dmabuf', ranges: physVecRanges(p.phys_vec), phys: p.phys_vec, vdev: p.vdev, revoked: p.revoked || p.vdev === 0 };
  }
  const vdev = f.private_data;
  if (k.find('vfio', vdev) === undefined) return null;
  return { kind: 'vfio', ranges: deviceRanges(k, vdev), phys: [], vdev, revoked: !vdevEnabled(k, vdev) };
}

type FaultLocals = VmFaultLocals & {
  addr: number;
  pfn: number;
  vdev: number;
  r: number;
};

const INSERT = { pte: 'vmf_insert_pfn', pmd: 'vmf_insert_pfn_pmd', pud: 'vmf_insert_pfn_pud' } as const;

type FaultLabel = 'entry' | 'memory_lock' | 'up_read' | 'dbg';

/** The entry step: the order-aligned address, the object's pfn for it by `lookup`, or the reason to give up. */
export function faultEntry(lookup: Lookup): Step<FaultLocals, FaultLabel> {
  return (cx) => {
    const vma = getVma(cx.k, cx.l.mm, cx.l.vma);
    const o = faultObject(cx.k, vma);
    const order = cx.l.order;
    const size = PAGE_SIZE * 2 ** order;
    cx.l.addr = alignDown(cx.l.address, 12 + order);
    cx.l.pfn = -1;
    cx.l.vdev = o?.vdev ?? 0;
    cx.l.r = order > 0 ? VM_FAULT_FALLBACK : VM_FAULT_SIGBUS;
    if (o === null) {
      cx.l.r = VM_FAULT_SIGBUS;
      return cx.goto('dbg');
    }
    if (cx.l.addr < vma.vm_start || cx.l.addr + size > vma.vm_end) return cx.goto('dbg');
    const off = objectOffset(vma, cx.l.addr);
    if (lookup === 'single' && o.kind === 'dmabuf') {
      const pfn = singleRangePfn(o.phys, off);
      if (pfn === null || pfn % 2 ** order !== 0) return cx.goto('dbg');
      cx.l.pfn = pfn;
    } else {
      const pfn = findPfn(o.ranges, off, order);
      if (pfn === null || pfn === 'fallback') return cx.goto('dbg');
      cx.l.pfn = pfn;
    }
    if (o.vdev === 0) {
      // the buffer outlived its device (priv->vdev == NULL): nothing to lock, nothing to map
      cx.l.r = VM_FAULT_SIGBUS;
      return cx.goto('dbg');
    }
    cx.goto('memory_lock');
  };
}

/** The memory_lock step: under memory_lock (read) refuse by `check`, else insert at the order's level. */
export function faultMemoryLock(check: Check): Step<FaultLocals, FaultLabel> {
  return (cx) => {
    const lock = cx.k.get('vfio', cx.l.vdev).memory_lock;
    if (!cx.lock(lock, 'read')) return;
    // Read the object again under the lock: a revoke holds memory_lock for write.
    const o = faultObject(cx.k, getVma(cx.k, cx.l.mm, cx.l.vma));
    const refused = o === null || o.vdev === 0 || (check === 'revoked' ? o.revoked : !vdevEnabled(cx.k, o.vdev));
    if (refused) {
      cx.l.r = VM_FAULT_SIGBUS;
      cx.unlock(lock);
      return cx.goto('dbg');
    }
    const level = orderLevel(cx.k.arch, cx.l.order);
    if (level === null) {
      cx.l.r = VM_FAULT_FALLBACK;
      cx.unlock(lock);
      return cx.goto('dbg');
    }
    cx.call(INSERT[level], {
      mm: cx.l.mm, vma: cx.l.vma, address: cx.l.address, pfn: cx.l.pfn, write: false,
    }, 'r', 'up_read');
  };
}

/**
 * The ->huge_fault path `name` of a design's vm_operations: look up the pfn
 * (entry), check and insert under memory_lock (read), unlock, trace.
 */
export function dmaBufHugeFault<N extends PathName>(name: N, lookup: Lookup, check: Check) {
  return path<FaultLocals>()(name, 'entry', {
    entry: faultEntry(lookup),
    memory_lock: faultMemoryLock(check),
    up_read: (cx) => {
      cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
      cx.goto('dbg');
    },
    dbg: (cx) => {
      cx.emit('fault', name, {
        order: cx.l.order, addr: hex(cx.l.addr), pfn: cx.l.pfn < 0 ? 'none' : hex(cx.l.pfn),
        ret: vmFaultName(cx.l.r) || '0',
      });
      cx.ret(cx.l.r);
    },
  });
}

/** The ->fault path `name`: ->huge_fault `huge` at order 0. */
export function dmaBufPageFault<N extends PathName>(name: N, huge: PathName) {
  return path<FaultLocals>()(name, 'entry', {
    entry: (cx) => cx.call(huge, { ...cx.l, order: 0 }, 'r', 'done'),
    done: (cx) => cx.ret(cx.l.r),
  });
}
