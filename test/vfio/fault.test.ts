import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildWorld, eventsOf, GiB, MiB, leafAt, load, mmapBar, openDevice, pending, store,
} from './world.js';
import type { Bar } from '../../src/pci/types.js';
import { writeCommand } from './config-helpers.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';

const PAGE = 4096;

/** One BAR of `size` at `base`, mapped whole at `addr` (MAP_FIXED). */
function mapped(arch: string, bar: Bar, addr: number) {
  const w = buildWorld({ arch, bars: [bar] });
  const fd = openDevice(w);
  const va = mmapBar(w, fd, bar.index, bar.size, { addr, flags: MAP_SHARED | MAP_FIXED });
  assert.equal(va, addr);
  return { w, fd, va };
}

const BAR_1G: Bar = { index: 0, size: GiB, base: 64 * GiB, is64: true, prefetchable: true };

test('x86_64: a 1G-aligned BAR at a 1G-aligned address faults in one PUD leaf', () => {
  const { w, va } = mapped('x86_64', BAR_1G, 4 * GiB);
  assert.equal(load(w, va + 5 * MiB + 8), 0);
  const leaf = leafAt(w, va + 5 * MiB + 8);
  assert.deepEqual(leaf, { level: 'pud', pfn: (64 * GiB) / PAGE, base: va });
  const f = eventsOf(w, 'fault', 'vfio_pci_mmap_huge_fault');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.args['order'], 18);
  assert.equal(f[0]!.args['ret'], 'VM_FAULT_NOPAGE');
});

test('arm64: the same placement gets PMD leaves (no PUD PFN maps)', () => {
  const { w, va } = mapped('arm64', BAR_1G, 4 * GiB);
  load(w, va + 5 * MiB + 8);
  assert.deepEqual(leafAt(w, va + 5 * MiB + 8), { level: 'pmd', pfn: (64 * GiB + 4 * MiB) / PAGE, base: va + 4 * MiB });
  const orders = eventsOf(w, 'fault', 'vfio_pci_mmap_huge_fault').map((e) => [e.args['order'], e.args['ret']]);
  assert.deepEqual(orders[orders.length - 1], [9, 'VM_FAULT_NOPAGE']);
});

test('x86_64: a 1G VMA whose pfn is only 2M-aligned falls back from PUD and maps a PMD', () => {
  // a 2G BAR mapped from offset 2M: the VMA is 1G-aligned, its first pfn is not
  const bar: Bar = { index: 0, size: 2 * GiB, base: 64 * GiB, is64: true, prefetchable: true };
  const w = buildWorld({ arch: 'x86_64', bars: [bar] });
  const fd = openDevice(w);
  const va = mmapBar(w, fd, 0, GiB, { addr: 4 * GiB, flags: MAP_SHARED | MAP_FIXED, off: 2 * MiB });
  load(w, va + 8);
  assert.deepEqual(leafAt(w, va + 8), { level: 'pmd', pfn: (bar.base + 2 * MiB) / PAGE, base: va });
  const rets = eventsOf(w, 'fault', 'vfio_pci_mmap_huge_fault').map((e) => [e.args['order'], e.args['ret']]);
  assert.deepEqual(rets, [[18, 'VM_FAULT_FALLBACK'], [9, 'VM_FAULT_NOPAGE']]);
});

test('a pfn not aligned to the order falls back to PTEs', () => {
  // BAR 4M at a 4K-aligned (not 2M-aligned) base, VMA 2M-aligned: pfn misaligned for PMD
  const bar: Bar = { index: 0, size: 4 * MiB, base: 64 * GiB + 4 * MiB + PAGE * 0, is64: true, prefetchable: true };
  const w = buildWorld({ arch: 'x86_64', bars: [bar] });
  const fd = openDevice(w);
  // map from page 1 of the BAR: pfn = base + 1 page, never 2M-aligned
  const va = mmapBar(w, fd, 0, 2 * MiB, { addr: 4 * GiB, flags: MAP_SHARED | MAP_FIXED, off: PAGE });
  load(w, va);
  assert.deepEqual(leafAt(w, va), { level: 'pte', pfn: bar.base / PAGE + 1, base: va });
  const pmd = eventsOf(w, 'fault', 'vfio_pci_mmap_huge_fault').find((e) => e.args['order'] === 9);
  assert.equal(pmd?.args['ret'], 'VM_FAULT_FALLBACK');
});

test('4K placement: a VMA smaller than 2M maps PTEs', () => {
  const { w, va } = mapped('x86_64', { index: 0, size: 64 * 1024, base: 64 * GiB, is64: false, prefetchable: false }, 4 * GiB);
  store(w, va + PAGE + 4, 0xabcd);
  assert.deepEqual(leafAt(w, va + PAGE), { level: 'pte', pfn: (64 * GiB) / PAGE + 1, base: va + PAGE });
  assert.equal(load(w, va + PAGE + 4), 0xabcd);
  assert.equal(w.state.pci[w.pdev]!.memory[64 * GiB + PAGE + 4], 0xcd);
});

test('SIGBUS while memory is disabled, and a refault maps again after re-enable', () => {
  const { w, fd, va } = mapped('x86_64', { index: 0, size: 2 * MiB, base: 64 * GiB, is64: true, prefetchable: true }, 4 * GiB);
  assert.equal(writeCommand(w, fd, 0), 2);
  assert.equal(load(w, va), -14); // -EFAULT marker: user space got a signal
  assert.deepEqual(pending(w), ['SIGBUS']);
  // PUD order does not fit the 2M VMA (FALLBACK); PMD order finds memory disabled
  const rets = eventsOf(w, 'fault', 'vfio_pci_mmap_huge_fault').map((e) => [e.args['order'], e.args['ret']]);
  assert.deepEqual(rets, [[18, 'VM_FAULT_FALLBACK'], [9, 'VM_FAULT_SIGBUS']]);
  assert.equal(leafAt(w, va), null);
  assert.equal(writeCommand(w, fd, 0x2), 2);
  assert.equal(load(w, va), 0);
  assert.equal(leafAt(w, va)!.level, 'pmd');
});

test('fault+cmd-disable: the disable waits for the fault\'s memory_lock, then zaps its new leaf', async () => {
  const { startAction, runTask } = await import('../../src/check/exec.js');
  const w = buildWorld({ threads: ['A', 'B'], bars: [{ index: 0, size: 2 * MiB, base: 64 * GiB, is64: true, prefetchable: true }] });
  const fd = openDevice(w);
  const va = mmapBar(w, fd, 0, 2 * MiB, { addr: 4 * GiB, flags: MAP_SHARED | MAP_FIXED });
  const [a, b] = w.tids as [number, number];
  // A faults and stops holding memory_lock for read, before the insert
  let s = startAction(w.state, w.design, a, { op: 'load', addr: va, size: 4 }).state;
  s = runTask(s, w.design, a, 'vfio_pci_vmf_insert_pfn:entry').state;
  // B clears PCI_COMMAND: it blocks on memory_lock (write)
  s = startAction(s, w.design, b, {
    op: 'pwrite', fd, offset: 7 * 2 ** 40 + 4, data: [0, 0],
  }).state;
  const rb = runTask(s, w.design, b);
  assert.equal(rb.stop, 'blocked');
  // A inserts (memory still enabled) and returns
  const ra = runTask(rb.state, w.design, a);
  assert.equal(ra.stop, 'done');
  w.state = ra.state;
  assert.equal(leafAt(w, va)!.level, 'pmd');
  // B runs: zaps the leaf A just installed
  const rb2 = runTask(ra.state, w.design, b);
  assert.equal(rb2.stop, 'done');
  w.state = rb2.state;
  assert.equal(leafAt(w, va), null);
});

test('the insert events show the write=false vfio_pci_vmf_insert_pfn passed; the leaf is writable from vm_page_prot', () => {
  const { w, va } = mapped('x86_64', { index: 0, size: 4 * MiB, base: 64 * GiB, is64: true, prefetchable: true }, 4 * GiB);
  store(w, va + 8, 1); // a write fault: PMD leaf
  const ins = eventsOf(w, 'insert', 'vmf_insert_pfn_pmd').filter((e) => 'size' in e.args);
  assert.equal(ins.length, 1);
  for (const e of ins) {
    assert.equal(e.args['write'], false, 'the argument the handler passed');
    assert.equal(e.args['leaf_write'], true, 'a shared writable VMA maps writable (PAGE_SHARED)');
  }
});

test('a PTE insert shows write=false too (vmf_insert_pfn() passes false to insert_pfn())', () => {
  const { w, va } = mapped('x86_64', { index: 0, size: 16 * 1024, base: 0xf0000000, is64: false, prefetchable: false }, 4 * GiB);
  store(w, va + 8, 1);
  const ins = eventsOf(w, 'insert', 'vmf_insert_pfn').filter((e) => 'size' in e.args);
  assert.equal(ins.length, 1);
  assert.equal(ins[0]!.args['write'], false);
  assert.equal(ins[0]!.args['leaf_write'], true);
});
