/*
 * Each defect of src/designs/defects.ts: with it on, the historical bug
 * happens and the invariant it breaks says so; with it off (v6.19), the
 * same steps keep the invariant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import type { TraceEvent } from '../../src/kernel/events.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { DEFECTS, findDefect } from '../../src/designs/defects.js';
import { findInvariant } from '../../src/check/invariants/index.js';
import { runTask, startAction } from '../../src/check/exec.js';
import { buildWorld, leafAt, load, mmapBar, openDevice, GiB, MiB } from './world.js';
import type { World, WorldOptions } from './world.js';
import { writeCommand } from './config-helpers.js';
import { attach, dma, dmaBufWorld, exportDmaBuf, lastDmaOutcome, map } from '../dma-buf/helpers.js';

function withDefect(w: World, name: string | null): World {
  if (name !== null) {
    assert.ok(findDefect(name), name);
    w.state = { ...w.state, defects: [name] };
  }
  return w;
}

function broken(name: string, w: World, events: readonly TraceEvent[] = w.events): string | null {
  const inv = findInvariant(name);
  assert.ok(inv, name);
  return inv.check({ state: w.state, events, k: new Kernel(w.state, w.design) })?.message ?? null;
}

test('every defect names a known invariant and a docs/sources.md bug', () => {
  for (const d of DEFECTS) {
    assert.ok(findInvariant(d.breaks), d.name);
    assert.match(d.bug, /^B\d+$/);
    assert.ok(d.name.startsWith(d.bug + '-'), d.name);
  }
});

for (const defect of [null, 'B3-no-zap']) {
  test(`command disable ${defect ? 'with B3: the mapping survives and the next access is an Unsupported Request' : 'zaps first'}`, () => {
    const w = withDefect(buildWorld(), defect);
    const fd = openDevice(w);
    const addr = mmapBar(w, fd, 0, 2 * MiB);
    load(w, addr);
    writeCommand(w, fd, 0);
    const events: TraceEvent[] = [];
    if (defect) {
      assert.match(broken('no-leaf-on-disabled-bar', w) ?? '', /does not decode memory/);
      load(w, addr);
      events.push(...w.events);
      assert.match(broken('no-access-to-disabled-bar', w, events) ?? '', /Unsupported|does not decode/);
    } else {
      assert.equal(leafAt(w, addr), null);
      assert.equal(broken('no-leaf-on-disabled-bar', w), null);
    }
  });
}

for (const defect of [null, 'B6-whole-vma-remap']) {
  test(`two threads fault one VMA ${defect ? 'with B6: the second remap hits BUG_ON(!pte_none)' : 'and both succeed'}`, () => {
    const w = withDefect(buildWorld({ threads: ['A', 'B'] }), defect);
    const fd = openDevice(w);
    const addr = mmapBar(w, fd, 0, 4 * 4096);
    const [a, b] = w.tids as [number, number];
    // A passes the pte_none check and stops before taking memory_lock at order 0.
    let s = startAction(w.state, w.design, a, { op: 'load', addr, size: 4 }).state;
    let r = runTask(s, w.design, a, 'vfio_pci_mmap_huge_fault:memory_lock');
    while (r.state.tasks[a]!.frames.at(-1)?.locals['order'] !== 0) {
      r = runTask(r.state, w.design, a, 'vfio_pci_mmap_huge_fault:memory_lock');
    }
    assert.equal(r.stop, 'label');
    // B faults the same page and completes.
    s = startAction(r.state, w.design, b, { op: 'load', addr: addr + 4096, size: 4 }).state;
    const rb = runTask(s, w.design, b);
    assert.equal(rb.stop, 'done');
    const ra = runTask(rb.state, w.design, a);
    w.state = ra.state;
    const warn = ra.events.find((e) => e.kind === 'warn' && e.fn === 'remap_pte_range');
    if (defect) {
      assert.ok(warn, 'BUG_ON reported');
      assert.match(broken('no-kernel-warning', w, ra.events) ?? '', /BUG_ON\(!pte_none/);
    } else {
      assert.equal(warn, undefined);
      assert.equal(broken('no-kernel-warning', w, ra.events), null);
    }
  });
}

/* BAR0 (1G at 64G) mapped 4M from offset 4K at a 2M-aligned address: pfns are one page off the VA's alignment. */
function offsetMapping(defect: string | null, o: WorldOptions = {}): { w: World; addr: number } {
  const w = withDefect(buildWorld(o), defect);
  const fd = openDevice(w);
  const addr = mmapBar(w, fd, 0, 4 * MiB, { addr: 0x7e0000000000, flags: MAP_SHARED | MAP_FIXED, off: 4096 });
  return { w, addr };
}

for (const defect of [null, 'B11-unaligned-pfn']) {
  test(`a fault where the pfn is not 2M-aligned ${defect ? 'with B11 installs a misaligned PMD' : 'falls back to a PTE'}`, () => {
    const { w, addr } = offsetMapping(defect);
    load(w, addr);
    const leaf = leafAt(w, addr);
    assert.equal(leaf?.level, defect ? 'pmd' : 'pte');
    assert.equal(leaf?.pfn, 64 * GiB / 4096 + 1);
    const msg = broken('leaf-maps-object-pfn', w);
    if (defect) assert.match(msg ?? '', /pfn not aligned/);
    else assert.equal(msg, null);
  });
}

test('B12: the old rule took the unaligned fault address, so a fault inside a 2M block maps a PTE', () => {
  for (const defect of [null, 'B12-unaligned-address']) {
    const w = withDefect(buildWorld(), defect);
    const fd = openDevice(w);
    const addr = mmapBar(w, fd, 0, 4 * MiB, { addr: 0x7e0000000000, flags: MAP_SHARED | MAP_FIXED });
    load(w, addr + 5 * 4096);
    assert.equal(leafAt(w, addr + 5 * 4096)?.level, defect ? 'pte' : 'pmd', String(defect));
  }
});

/*
 * B11 and B12 both on are the kernel before both fixes (f9e54c3a2f5b, v6.12): a huge fault needs an aligned
 * fault address and a block inside the VMA, and does not look at the pfn.
 */
test('B11 with B12: a fault inside a 2M block falls back to a PTE, as v6.12 did (no PMD from an unaligned address)', () => {
  const w = buildWorld();
  w.state = { ...w.state, defects: ['B11-unaligned-pfn', 'B12-unaligned-address'] };
  const fd = openDevice(w);
  const addr = mmapBar(w, fd, 0, 4 * MiB, { addr: 0x7e0000000000, flags: MAP_SHARED | MAP_FIXED });
  load(w, addr + 5 * 4096);
  assert.deepEqual(leafAt(w, addr + 5 * 4096), { level: 'pte', pfn: 64 * GiB / 4096 + 5, base: addr + 5 * 4096 });
  assert.equal(leafAt(w, addr), null, 'no PMD over the block');
  assert.equal(broken('leaf-maps-object-pfn', w), null);
});

test('B11 with B12: an aligned fault address still maps a PMD over a misaligned pfn (no pfn check in v6.12)', () => {
  const { w, addr } = offsetMapping('B11-unaligned-pfn');
  w.state = { ...w.state, defects: ['B11-unaligned-pfn', 'B12-unaligned-address'] };
  load(w, addr);
  assert.deepEqual(leafAt(w, addr), { level: 'pmd', pfn: 64 * GiB / 4096 + 1, base: addr });
  assert.match(broken('leaf-maps-object-pfn', w) ?? '', /pfn not aligned/);
});

/** Thread A stops inside the order-0 fault handler before memory_lock; returns the state. */
function stopInPteFault(w: World, tid: number, addr: number) {
  const s = startAction(w.state, w.design, tid, { op: 'load', addr, size: 4 }).state;
  let r = runTask(s, w.design, tid, 'vfio_pci_mmap_huge_fault:memory_lock');
  while (r.stop === 'label' && r.state.tasks[tid]!.frames.at(-1)?.locals['order'] !== 0) {
    r = runTask(r.state, w.design, tid, 'vfio_pci_mmap_huge_fault:memory_lock');
  }
  return r;
}

for (const defect of [null, 'B12-unaligned-address']) {
  test(`a PTE fault racing a PMD fault of the same block ${defect ? 'with B12 gets VM_FAULT_OOM' : 'cannot happen: both map the PMD'}`, () => {
    const w = withDefect(buildWorld({ threads: ['A', 'B'] }), defect);
    const fd = openDevice(w);
    const addr = mmapBar(w, fd, 0, 4 * MiB, { addr: 0x7e0000000000, flags: MAP_SHARED | MAP_FIXED });
    const [a, b] = w.tids as [number, number];
    const ra = stopInPteFault(w, a, addr + 5 * 4096);
    if (!defect) {
      // v6.19 aligns the address to the order: A maps the PMD itself and never takes the PTE path.
      assert.equal(ra.stop, 'done');
      assert.equal(leafAt({ ...w, state: ra.state }, addr)?.level, 'pmd');
      return;
    }
    assert.equal(ra.stop, 'label');
    const s = startAction(ra.state, w.design, b, { op: 'load', addr, size: 4 }).state;
    const rb = runTask(s, w.design, b);
    assert.equal(rb.stop, 'done');
    const rest = runTask(rb.state, w.design, a);
    w.state = rest.state;
    assert.ok(rest.events.some((e) => e.kind === 'insert' && e.args['result'] === 'VM_FAULT_OOM'));
    assert.match(broken('no-kernel-warning', w, rest.events) ?? '', /VM_FAULT_OOM/);
  });
}

for (const defect of [null, 'B16-pinned-importer']) {
  test(`a pinned importer ${defect ? 'with B16 pins, survives the revoke and DMAs into a disabled BAR' : 'is refused'}`, () => {
    const { w, devFd, importers } = dmaBufWorld();
    withDefect(w, defect);
    const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
    const nic = attach(w, importers['nic']!, fd);
    const mapped = map(w, nic);
    if (!defect) {
      assert.ok(mapped < 0);
      return;
    }
    assert.equal(mapped, 0);
    writeCommand(w, devFd, 0);
    assert.match(broken('no-mapping-survives-revoke', w) ?? '', /nic still has dma-buf \d+ pinned/);
    dma(w, nic, 0, true, 1);
    assert.equal(lastDmaOutcome(w), 'unsupported-request');
    assert.match(broken('no-access-to-disabled-bar', w) ?? '', /does not decode memory/);
  });
}
