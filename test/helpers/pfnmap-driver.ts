import type { PathName } from '../../src/kernel/sched/registry.js';
/**
 * A test-only PFN-map driver: file_operations whose ->mmap makes the VMA
 * VM_IO|VM_PFNMAP and whose vm_ops fault/huge_fault insert the PFNs of one
 * fixed physical range (file offset 0 = TEST_PHYS), with no lock, an
 * is_aligned_for_order()-like rule for huge faults. Also a driver whose mmap
 * swaps vm_file and then fails (bug B5), and one using ->mmap_prepare.
 */
import type { Value } from '../../src/kernel/sched/types.js';
import { path } from '../../src/kernel/sched/path.js';
import type { Path } from '../../src/kernel/sched/path.js';
import { extendDesign } from './extend-design.js';
import type { Design, FileOperations, VmOperations } from '../../src/designs/types.js';
import { legacy } from '../../src/designs/legacy.js';
import { mmapDesc, mmapVma, setMmapDesc, setMmapVma } from '../../src/mm/mmap-vma.js';
import { VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_PFNMAP, VM_SHARED, vmFlagsHas, vmFlagsSet } from '../../src/mm/types.js';
import { VM_FAULT_FALLBACK } from '../../src/mm/fault-codes.js';
import { getVma } from '../../src/mm/mm.js';
import { EINVAL, ENOMEM } from '../../src/uapi/errno.js';

/** Physical base of the test range: 256 GiB, so 1 GiB aligned. */
export const TEST_PHYS = 0x4000000000;
export const TEST_PFN = TEST_PHYS / 4096;
/** Size of the range (and of the fake BAR). */
export const TEST_SIZE = 2 ** 31;

interface MmapLocals {
  readonly [key: string]: Value;
  file: number;
  vm_flags: number;
  x: number;
}

const testMmap = path<MmapLocals>()('test_pfnmap_mmap', 'start', {
  start: (cx) => {
    if (!vmFlagsHas(cx.l.vm_flags, VM_SHARED)) return cx.ret(-EINVAL);
    const v = mmapVma(cx);
    if (v.vm_pgoff * 4096 + (v.vm_end - v.vm_start) > TEST_SIZE) return cx.ret(-EINVAL);
    setMmapVma(cx, {
      vm_flags: vmFlagsSet(v.vm_flags, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP),
      vm_page_prot: { cache: 'UC', decrypted: true },
      vm_ops: 'test_pfnmap_vm_ops',
      vm_private_data: cx.l.file,
    });
    cx.ret(0);
  },
});

/** ->mmap that swaps vm_file to `private_data` of the file (another file id) and fails. */
const swapThenFail = path<MmapLocals>()('test_swap_fail_mmap', 'start', {
  start: (cx) => {
    const other = cx.k.get('files', cx.l.file).private_data;
    cx.call('vma_set_file', { file: other }, 'x', 'fail');
  },
  fail: (cx) => cx.ret(-ENOMEM),
});

/** ->mmap_prepare that maps the other file (private_data) instead, handing over a reference it takes. */
const prepareSwap = path<MmapLocals>()('test_prepare_mmap', 'start', {
  start: (cx) => {
    const d = mmapDesc(cx);
    const other = cx.k.get('files', d.file).private_data;
    const f = cx.k.get('files', other);
    cx.k.mut('files', other).f_count = f.f_count + 1;
    setMmapDesc(cx, {
      vm_file: other, vm_flags: vmFlagsSet(d.vm_flags, VM_IO | VM_PFNMAP), vm_ops: 'test_pfnmap_vm_ops',
    });
    cx.ret(0);
  },
});

interface VmfLocals {
  readonly [key: string]: Value;
  mm: number;
  vma: number;
  address: number;
  pgoff: number;
  write: boolean;
  order: number;
  r: number;
}

const INSERT: Readonly<Record<number, PathName>> = { 0: 'vmf_insert_pfn', 9: 'vmf_insert_pfn_pmd', 18: 'vmf_insert_pfn_pud' };

/** huge_fault(vmf, order): is_aligned_for_order-like, then the matching vmf_insert_*. */
const testHugeFault = path<VmfLocals>()('test_pfnmap_huge_fault', 'start', {
  start: (cx) => {
    const v = getVma(cx.k, cx.l.mm, cx.l.vma);
    const size = 4096 * 2 ** cx.l.order;
    const base = Math.floor(cx.l.address / size) * size;
    const pfn = TEST_PFN + v.vm_pgoff + (base - v.vm_start) / 4096;
    const fn = INSERT[cx.l.order];
    if (fn === undefined || base < v.vm_start || base + size > v.vm_end || pfn % 2 ** cx.l.order !== 0) {
      return cx.ret(VM_FAULT_FALLBACK);
    }
    cx.call(fn, { mm: cx.l.mm, vma: cx.l.vma, address: base, pfn, write: cx.l.write }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

/** fault(vmf): huge_fault at order 0. */
const testFault = path<VmfLocals>()('test_pfnmap_fault', 'start', {
  start: (cx) => cx.call(testHugeFault, { ...cx.l, order: 0 }, 'r', 'done'),
  done: (cx) => cx.ret(cx.l.r),
});

/** Counts ->open/->close calls in the process's vars (opens/closes). */
function counter(name: string, key: string): Path {
  return path<{ readonly [k: string]: Value }>()(name, 'start', {
    start: (cx) => {
      const p = cx.k.get('processes', cx.pid);
      cx.k.mut('processes', cx.pid).vars = { ...p.vars, [key]: (p.vars[key] ?? 0) + 1 };
      cx.ret(0);
    },
  });
}

const testOpen = counter('test_pfnmap_open', 'opens');
const testClose = counter('test_pfnmap_close', 'closes');

export const TEST_FOPS: FileOperations = { name: 'test_pfnmap_fops', mmap: testMmap };
export const SWAP_FAIL_FOPS: FileOperations = { name: 'test_swap_fail_fops', mmap: swapThenFail };
export const PREPARE_FOPS: FileOperations = { name: 'test_prepare_fops', mmap_prepare: prepareSwap };
export const NOMMAP_FOPS: FileOperations = { name: 'test_nommap_fops' };
export const TEST_VM_OPS: VmOperations = {
  name: 'test_pfnmap_vm_ops', fault: testFault, huge_fault: testHugeFault,
  open: testOpen, close: testClose,
};
/** The same without huge_fault. */
export const PTE_ONLY_VM_OPS: VmOperations = { name: 'test_pte_vm_ops', fault: testFault };
/** No fault handler at all. */
export const NOFAULT_VM_OPS: VmOperations = { name: 'test_nofault_vm_ops' };

export const testDesign: Design = extendDesign(legacy, {
  name: 'test-pfnmap',
  description: 'legacy plus a test-only PFN-map driver',
  paths: [testMmap, swapThenFail, prepareSwap, testHugeFault, testFault,
    testOpen, testClose],
  fileOps: [TEST_FOPS, SWAP_FAIL_FOPS, PREPARE_FOPS, NOMMAP_FOPS],
  vmOps: [TEST_VM_OPS, PTE_ONLY_VM_OPS, NOFAULT_VM_OPS],
});
