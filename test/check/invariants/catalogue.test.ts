/*
 * Each invariant broken by a state or event a real defect would produce
 * (built here by hand), and kept by the same world without the tampering.
 * Every shipped scenario also runs with the whole catalogue checked after
 * each model step (test/cli/scenarios e2e), which is where "kept" is shown
 * on real kernel paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../../src/kernel/kernel.js';
import type { KernelState } from '../../../src/kernel/state.js';
import type { TraceEvent } from '../../../src/kernel/events.js';
import { legacy } from '../../../src/designs/legacy.js';
import { INVARIANTS, findInvariant } from '../../../src/check/invariants/index.js';
import type { Invariant } from '../../../src/check/invariants/index.js';
import { buildWorld, mmapBar, openDevice, store, act, MiB } from '../../vfio/world.js';
import { setLeaf, clearRange } from '../../../src/mm/pgtable.js';
import { archProfile } from '../../../src/arch/profiles.js';
import { iMmapRemove } from '../../../src/fs/address-space.js';

/** BAR0 of the test world is at 64 GiB. */
const BAR0_PFN = 64 * 2 ** 18;

function inv(name: string): Invariant {
  const i = findInvariant(name);
  assert.ok(i, name);
  return i;
}

function check(name: string, state: KernelState, events: readonly TraceEvent[] = []): string | null {
  return inv(name).check({ state, events, k: new Kernel(state, legacy) })?.message ?? null;
}

/** A process with BAR0 mapped 2M at a 2M-aligned address and one PMD leaf faulted in. */
function mapped() {
  const w = buildWorld();
  const fd = openDevice(w);
  const addr = mmapBar(w, fd, 0, 2 * MiB);
  store(w, addr, 0x1234);
  return { w, addr };
}

function edit(s: KernelState, f: (k: Kernel) => void): KernelState {
  const k = new Kernel(s, legacy);
  f(k);
  return k.finish();
}

test('every invariant has a name, a rule citing its source, and is found by name', () => {
  const names = new Set(INVARIANTS.map((i) => i.name));
  assert.equal(names.size, INVARIANTS.length);
  for (const i of INVARIANTS) assert.match(i.rule, /B\d+|[0-9a-f]{12}|\w+\(\)/, i.name);
});

test('a faulted-in BAR mapping keeps every invariant', () => {
  const { w } = mapped();
  for (const i of INVARIANTS) assert.equal(check(i.name, w.state, w.events), null, i.name);
});

test('no-leaf-on-disabled-bar and no-access-to-disabled-bar break when decoding goes off behind the mapping', () => {
  const { w, addr } = mapped();
  // As if a disable path forgot vfio_pci_zap_bars() (B3): the command changes, the leaf stays.
  w.state = edit(w.state, (k) => { k.mut('pci', w.pdev).command = 0; });
  assert.match(check('no-leaf-on-disabled-bar', w.state) ?? '', /pmd leaf .* maps BAR0 of 0000:01:00.0, which does not decode memory/);
  act(w, { op: 'load', addr, size: 4 });
  assert.match(check('no-access-to-disabled-bar', w.state, w.events) ?? '', /load at phys 0x\w+ hit a BAR that does not decode memory/);
});

test('leaf-maps-object-pfn breaks on a wrong pfn, an unaligned huge pfn, and a leaf outside every VMA', () => {
  const { w, addr } = mapped();
  const arch = archProfile('x86_64');
  const mmId = w.state.processes[w.pid]!.mm;
  const leaf = (pfn: number, level: 'pte' | 'pmd') => ({ kind: 'leaf' as const, level, pfn, write: true, special: true });
  const withLeaf = (va: number, pfn: number, level: 'pte' | 'pmd') => edit(w.state, (k) => {
    const mm = k.mut('mms', mmId);
    mm.pgd = setLeaf(arch, clearRange(arch, mm.pgd, addr, addr + 2 * MiB, true).pgd, va, leaf(pfn, level));
  });
  assert.match(check('leaf-maps-object-pfn', withLeaf(addr, BAR0_PFN + 512, 'pmd')) ?? '', /assigns pfn/);
  assert.match(check('leaf-maps-object-pfn', withLeaf(addr, BAR0_PFN + 1, 'pmd')) ?? '', /not aligned/);
  assert.match(check('leaf-maps-object-pfn', withLeaf(addr + 4 * MiB, BAR0_PFN, 'pte')) ?? '', /lies in no VMA/);
});

test('zap-reaches-every-mapping judges the walks a zap made: a mapping of the device left in an address_space none of them visited', () => {
  const { w } = mapped();
  const mmId = w.state.processes[w.pid]!.mm;
  const vma = w.state.mms[mmId]!.vmas[0]!;
  const inode = w.state.vfio[w.vdev]!.inode;
  const tid = w.tids[0]!;
  const walks = (inodes: string): TraceEvent[] => [{ tid, kind: 'zap', fn: 'zap_walks', args: { inodes } }];
  // The zap walked the device inode, whose i_mmap holds the VMA: a leaf left there is another invariant's business.
  assert.equal(check('zap-reaches-every-mapping', w.state, walks(String(inode))), null);
  // The VMA lives in another address_space (as dmabuf-vma@1-3's do): the walk cannot have reached it.
  const elsewhere = edit(w.state, (k) => { iMmapRemove(k, inode, { mm: mmId, vma: vma.id }); });
  assert.match(check('zap-reaches-every-mapping', elsewhere, walks(String(inode))) ?? '',
    /is in vma \d+, a mapping of vfio device \d+; the vma is in the i_mmap of inode \(none\), but A's zap walked only inode \d+/);
  // No walk in this step, or a walk of something else: nothing to judge.
  assert.equal(check('zap-reaches-every-mapping', elsewhere), null);
  assert.equal(check('zap-reaches-every-mapping', elsewhere, walks('999999')), null);
});

test('references-balance breaks on a leaked reference and on an fd naming a freed file', () => {
  const { w } = mapped();
  const file = Number(Object.keys(w.state.files)[0]);
  const leak = edit(w.state, (k) => { k.mut('files', file).f_count += 1; });
  assert.match(check('references-balance', leak) ?? '', /a leak/);
  const freed = edit(w.state, (k) => { k.remove('files', file); });
  assert.match(check('references-balance', freed) ?? '', /which was freed/);
  const reg = edit(w.state, (k) => { k.mut('vfio', w.vdev).registration = -1; });
  assert.match(check('references-balance', reg) ?? '', /registration -1: underflow/);
  // the driver's reference and the open file's (vfio_device_fops_cdev_open) are 2
  const extraReg = edit(w.state, (k) => { k.mut('vfio', w.vdev).registration = 3; });
  assert.match(check('references-balance', extraReg) ?? '', /registration 3 but 1 \+ 1 file\(s\) \+ 0 dma-buf\(s\) hold it \(a leak\)/);
  const opened = edit(w.state, (k) => { k.mut('vfio', w.vdev).open_count = 2; });
  assert.match(check('references-balance', opened) ?? '', /open_count 2 but 1 open file/);
  const put: TraceEvent[] = [{ tid: w.tids[0]!, kind: 'warn', fn: 'fput', args: { report: 'refcount_t: underflow; use-after-free', file, name: 'x', f_count: 0 } }];
  assert.match(check('references-balance', w.state, put) ?? '', /underflow \(a reference dropped twice\)/);
});

test('gup-fast-agrees-with-gup breaks on a page reference to BAR memory', () => {
  const { w } = mapped();
  const pfn = BAR0_PFN;
  assert.match(check('gup-fast-agrees-with-gup', edit(w.state, (k) => k.set('pagerefs', pfn, 1))) ?? '', /BAR0/);
  assert.equal(check('gup-fast-agrees-with-gup', edit(w.state, (k) => k.set('pagerefs', 5, 1))), null, 'RAM pages may be referenced');
});

test('no-lock-leak breaks when a task is in user space holding a lock', () => {
  const { w } = mapped();
  const t = w.tids[0]!;
  const lock = Number(Object.keys(w.state.locks)[0]);
  const broken = edit(w.state, (k) => { k.mut('tasks', t).held = [{ lock, mode: 'read' }]; });
  assert.match(check('no-lock-leak', broken) ?? '', /back in user space holding/);
});

test('lock-order and no-kernel-warning read the step events', () => {
  const { w } = mapped();
  const lockdep: TraceEvent = { tid: 1, kind: 'warn', fn: 'lockdep', args: { acquiring: 'mm 7->mmap_lock', holding: 'vfio x->memory_lock' } };
  assert.match(check('lock-order', w.state, [lockdep]) ?? '', /mmap_lock taken while holding/);
  assert.equal(check('no-kernel-warning', w.state, [lockdep]), null, 'lockdep is lock-order\'s');
  const warn: TraceEvent = { tid: 1, kind: 'warn', fn: 'insert_pfn', args: { report: 'WARN_ON_ONCE: present entry maps another pfn' } };
  assert.match(check('no-kernel-warning', w.state, [warn]) ?? '', /insert_pfn: WARN_ON_ONCE/);
});
