/**
 * Faults on a BAR mapping (vfio_pci_mmap_page_fault,
 * vfio_pci_mmap_huge_fault, vfio_pci_vmf_insert_pfn, vma_to_pfn,
 * is_aligned_for_order; vfio_pci_core.c and include/linux/vfio_pci_core.h,
 * v6.19 after 9b92bc7554b5).
 *
 * The core calls with mmap_lock (or the VMA lock) held; the handler takes
 * memory_lock for read around the enabled check and the insert, so a
 * disable (which takes it for write and then zaps) cannot slip between the
 * check and the new leaf. The kernel passes write=false to the insert
 * helpers: the leaf's writability comes from vm_page_prot.
 *
 * `.huge_fault` is listed unconditionally (the design table is per design,
 * not per arch); orders the arch cannot map as PFN leaves return
 * VM_FAULT_FALLBACK, as the #ifdef'd switch in vfio_pci_vmf_insert_pfn().
 */
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { ModelError } from '../../kernel/kernel.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Vma } from '../../mm/types.js';
import { VM_FAULT_FALLBACK, VM_FAULT_SIGBUS, PMD_ORDER, PUD_ORDER, vmFaultName } from '../../mm/fault-codes.js';
import { getVma } from '../../mm/mm.js';
import { pciResourceStart } from '../../pci/device.js';
import { PAGE_SIZE, vfioPciMemoryEnabled } from './device.js';
import { pgoffIndex, pgoffInRegion } from './mmap.js';

/** models vma_to_pfn(): BAR start pfn + the page offset inside the region. */
export function vmaToPfn(k: Kernel, vma: Vma): number {
  const vdev = k.get('vfio', vma.vm_private_data as number);
  const index = pgoffIndex(vma.vm_pgoff);
  const start = pciResourceStart(k.get('pci', vdev.pdev), index);
  return Math.floor(start / PAGE_SIZE) + pgoffInRegion(vma.vm_pgoff);
}

/** models is_aligned_for_order(): the order-sized block lies in the VMA and the pfn is aligned. */
export function isAlignedForOrder(vma: Vma, addr: number, pfn: number, order: number): boolean {
  if (order === 0) return true;
  return !(addr < vma.vm_start || addr + PAGE_SIZE * 2 ** order > vma.vm_end || pfn % 2 ** order !== 0);
}

/**
 * Whether the handler may insert at `order`: is_aligned_for_order() in
 * v6.19; the rules before 09dfc8a5f2ce (defect B11: no pfn alignment) and
 * before c1d9dac0db16 (defect B12: the fault address itself must be aligned)
 * when those defects are on. The B12 rule is applied first so that both on
 * give the kernel before both fixes (v6.12's vfio_pci_mmap_huge_fault() of
 * f9e54c3a2f5b): fall back unless the fault address is aligned and the block
 * ends inside the VMA, with no pfn check.
 */
function faultAllowed(k: Kernel, vma: Vma, address: number, addr: number, pfn: number, order: number): boolean {
  if (order === 0) return true;
  const size = PAGE_SIZE * 2 ** order;
  if (k.defect('B12-unaligned-address') && address % size !== 0) return false;
  if (k.defect('B11-unaligned-pfn')) return addr >= vma.vm_start && addr + size <= vma.vm_end;
  return isAlignedForOrder(vma, addr, pfn, order);
}

/** The struct vm_fault locals the core passes to ->fault and ->huge_fault (src/mm/fault.ts). */
export type VmFaultLocals = {
  mm: number;
  vma: number;
  address: number;
  pgoff: number;
  write: boolean;
  order: number;
};

type FaultLocals = VmFaultLocals & {
  vdev: number;
  addr: number;
  pfn: number;
  /** Page offset of `addr` in the VMA (the dev_dbg's "page offset"). */
  vpgoff: number;
  r: number;
};

/** models vfio_pci_mmap_page_fault(): the PTE-level fault is huge_fault at order 0. */
export const vfio_pci_mmap_page_fault = path<FaultLocals>()('vfio_pci_mmap_page_fault', 'entry', {
  entry: (cx) => {
    cx.call('vfio_pci_mmap_huge_fault', { ...cx.l, order: 0 }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

/** models vfio_pci_mmap_huge_fault(). */
export const vfio_pci_mmap_huge_fault = path<FaultLocals>()('vfio_pci_mmap_huge_fault', 'entry', {
  entry: (cx) => {
    const vma = getVma(cx.k, cx.l.mm, cx.l.vma);
    const order = cx.l.order;
    cx.l.vdev = vma.vm_private_data as number;
    const size = PAGE_SIZE * 2 ** order;
    // Defect B12: before c1d9dac0db16 the pfn came from the unaligned fault address.
    cx.l.addr = cx.k.defect('B12-unaligned-address') ? cx.l.address : Math.floor(cx.l.address / size) * size;
    cx.l.vpgoff = (cx.l.addr - vma.vm_start) / PAGE_SIZE;
    cx.l.pfn = vmaToPfn(cx.k, vma) + cx.l.vpgoff;
    cx.l.r = VM_FAULT_FALLBACK;
    if (faultAllowed(cx.k, vma, cx.l.address, cx.l.addr, cx.l.pfn, order)) cx.goto('memory_lock');
    else cx.goto('dbg');
  },
  memory_lock: (cx) => {
    if (!cx.lock(cx.k.get('vfio', cx.l.vdev).memory_lock, 'read')) return;
    cx.call('vfio_pci_vmf_insert_pfn', {
      vdev: cx.l.vdev, mm: cx.l.mm, vma: cx.l.vma, address: cx.l.address, pfn: cx.l.pfn, order: cx.l.order, r: 0,
    }, 'r', 'up_read');
  },
  up_read: (cx) => {
    cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
    cx.goto('dbg');
  },
  dbg: (cx) => {
    const vma = getVma(cx.k, cx.l.mm, cx.l.vma);
    cx.emit('fault', 'vfio_pci_mmap_huge_fault', {
      order: cx.l.order, bar: pgoffIndex(vma.vm_pgoff), page_offset: hex(Math.max(0, cx.l.vpgoff)),
      pfn: hex(cx.l.pfn), ret: vmFaultName(cx.l.r) || '0',
    });
    cx.ret(cx.l.r);
  },
});

type InsertLocals = {
  vdev: number;
  mm: number;
  vma: number;
  address: number;
  pfn: number;
  order: number;
  r: number;
};

/**
 * models vfio_pci_vmf_insert_pfn(): under memory_lock read, SIGBUS while
 * the device is in runtime low power or its memory is disabled, else the
 * insert helper of the order's level.
 */
export const vfio_pci_vmf_insert_pfn = path<InsertLocals>()('vfio_pci_vmf_insert_pfn', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.holds(v.memory_lock, 'read')) {
      throw new ModelError('vfio_pci_vmf_insert_pfn without memory_lock held for read');
    }
    if (v.pm_runtime_engaged || !vfioPciMemoryEnabled(cx.k, v.id)) return cx.ret(VM_FAULT_SIGBUS);
    const args = { mm: cx.l.mm, vma: cx.l.vma, address: cx.l.address, pfn: cx.l.pfn, write: false };
    const arch = cx.k.arch;
    if (cx.l.order === 0 && cx.k.defect('B6-whole-vma-remap')) {
      return cx.call('io_remap_pfn_range', { mm: cx.l.mm, vma: cx.l.vma }, 'r', 'done');
    }
    if (cx.l.order === 0) return cx.call('vmf_insert_pfn', args, 'r', 'done');
    if (cx.l.order === PMD_ORDER && arch.hugePfnmap.pmd) return cx.call('vmf_insert_pfn_pmd', args, 'r', 'done');
    if (cx.l.order === PUD_ORDER && arch.hugePfnmap.pud) return cx.call('vmf_insert_pfn_pud', args, 'r', 'done');
    cx.ret(VM_FAULT_FALLBACK);
  },
  done: (cx) => cx.ret(cx.l.r),
});
