import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { TEST_PFN } from '../helpers/pfnmap-driver.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, MADV_COLD, MADV_DODUMP, MADV_DOFORK, MADV_DONTFORK, MADV_DONTNEED,
  MADV_FREE, MADV_HUGEPAGE, MADV_POPULATE_WRITE, MADV_REMOVE, MADV_WIPEONFORK, PROT_READ, PROT_WRITE,
} from '../../src/uapi/mman.js';
import { EFAULT, EINVAL, ENOMEM } from '../../src/uapi/errno.js';
import { madviseBehaviorValid, madviseVmaBehavior } from '../../src/mm/madvise.js';
import { VM_DONTCOPY, VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP, VM_SHARED, VM_READ, VM_WRITE, vmFlagsHas } from '../../src/mm/types.js';
import type { Vma } from '../../src/mm/types.js';
import { VM_HUGEPAGE, VM_NOHUGEPAGE } from '../../src/mm/thp.js';
import { walk } from '../../src/mm/pgtable.js';

const BASE = 0x7e0000000000;
const bar: Vma = {
  id: 1, vm_mm: 1, vm_start: BASE, vm_end: BASE + 8192, vm_pgoff: 0,
  vm_flags: VM_READ | VM_WRITE | VM_SHARED | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
  vm_page_prot: { cache: 'UC', decrypted: false }, vm_file: 3, vm_ops: 'x', vm_private_data: null,
};

test('madvise_vma_behavior() on a BAR VMA: the VM_PFNMAP/VM_IO/VM_SPECIAL refusals of v6.19', () => {
  for (const a of [MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_DODUMP, MADV_DOFORK, MADV_WIPEONFORK]) {
    const r = madviseVmaBehavior(bar, a);
    assert.equal(r.kind, 'error', `advice ${a}`);
    assert.equal(r.kind === 'error' && r.err, -EINVAL);
  }
  const pop = madviseVmaBehavior(bar, MADV_POPULATE_WRITE);
  assert.equal(pop.kind === 'error' && pop.err, -EFAULT);
  const fork = madviseVmaBehavior(bar, MADV_DONTFORK);
  assert.ok(fork.kind === 'flags' && vmFlagsHas(fork.flags, VM_DONTCOPY));
  const huge = madviseVmaBehavior({ ...bar, vm_flags: bar.vm_flags + VM_NOHUGEPAGE }, MADV_HUGEPAGE);
  assert.ok(huge.kind === 'flags' && vmFlagsHas(huge.flags, VM_HUGEPAGE) && !vmFlagsHas(huge.flags, VM_NOHUGEPAGE));
  const anon = { ...bar, vm_file: 0, vm_ops: '', vm_flags: VM_READ | VM_WRITE };
  assert.equal(madviseVmaBehavior(anon, MADV_DONTNEED).kind, 'zap');
  assert.ok(madviseBehaviorValid(MADV_REMOVE));
  assert.ok(!madviseBehaviorValid(5));
});

test('madvise(MADV_DONTNEED) of a faulted BAR mapping is -EINVAL and zaps nothing', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, 8192, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  const l = run({ ...w, state: m.state }, A, { op: 'load', addr: BASE, size: 4 });
  const r = run({ ...w, state: l.state }, A, { op: 'madvise', addr: BASE, length: 8192, advice: MADV_DONTNEED });
  assert.equal(r.ret, -EINVAL);
  const k = kernelOf(r.state);
  const leaf = walk(k.arch, k.get('mms', k.get('processes', w.pid).mm).pgd, BASE);
  assert.ok(leaf.kind === 'leaf' && leaf.leaf.pfn === TEST_PFN, 'the leaf stays');
  assert.equal(run({ ...w, state: l.state }, A, { op: 'madvise', addr: BASE + 1, length: 1, advice: MADV_DONTNEED }).ret, -EINVAL);
  assert.equal(run({ ...w, state: l.state }, A, { op: 'madvise', addr: BASE + 16384, length: 4096, advice: MADV_DONTFORK }).ret, -ENOMEM);
});

test('MADV_DONTFORK on part of a VMA splits it; the advised part keeps the id, fork skips it', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, 3 * 4096, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  const id = kernelOf(m.state).get('mms', kernelOf(m.state).get('processes', w.pid).mm).vmas[0]!.id;
  const r = run({ ...w, state: m.state }, A, { op: 'madvise', addr: BASE + 4096, length: 4096, advice: MADV_DONTFORK });
  assert.equal(r.ret, 0);
  const k = kernelOf(r.state);
  const vmas = k.get('mms', k.get('processes', w.pid).mm).vmas;
  assert.deepEqual(vmas.map((v) => [v.vm_start - BASE, v.vm_end - BASE, vmFlagsHas(v.vm_flags, VM_DONTCOPY)]), [
    [0, 4096, false], [4096, 8192, true], [8192, 12288, false],
  ]);
  assert.equal(vmas[1]!.id, id);
  assert.equal(vmas[2]!.vm_pgoff, 2);
  const f = run({ ...w, state: r.state }, A, { op: 'fork', child: 'C' });
  const kc = kernelOf(f.state);
  assert.deepEqual(kc.get('mms', kc.get('processes', f.ret).mm).vmas.map((v) => v.vm_start - BASE), [0, 8192]);
});

test('MADV_DONTNEED on anonymous memory zaps its pages', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, { op: 'mmap', addr: BASE, length: 8192, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, fd: -1, offset: 0 });
  const s = run({ ...w, state: m.state }, A, { op: 'store', addr: BASE, size: 4, value: 7 });
  assert.equal(Object.keys(s.state.anon_pages).length, 1);
  const r = run({ ...w, state: s.state }, A, { op: 'madvise', addr: BASE, length: 8192, advice: MADV_DONTNEED });
  assert.equal(r.ret, 0);
  assert.deepEqual(r.state.anon_pages, {}, 'the page is freed with its last mapping');
  assert.equal(run({ ...w, state: r.state }, A, { op: 'load', addr: BASE, size: 4 }).ret, 0, 'it refaults as the zero page');
});
