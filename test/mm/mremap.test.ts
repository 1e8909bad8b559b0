import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { TEST_PFN } from '../helpers/pfnmap-driver.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { EFAULT, EINVAL, ENOMEM } from '../../src/uapi/errno.js';
import { checkMremapParams } from '../../src/mm/mremap.js';
import { listLeaves } from '../../src/mm/pgtable.js';

const BASE = 0x7e0000000000;
const DEST = 0x7e0040000000;
const M2 = 2 ** 21;

function mapped(length: number) {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, length, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  const l = run({ ...w, state: m.state }, A, { op: 'load', addr: BASE, size: 4 });
  return { w, A, s: { ...w, state: l.state } };
}

function leavesOf(state: import('../../src/kernel/state.js').KernelState, pid: number) {
  const k = kernelOf(state);
  return listLeaves(k.arch, k.get('mms', k.get('processes', pid).mm).pgd).map((p) => [p.va, p.leaf.level, p.leaf.pfn]);
}

test('check_mremap_params(): the -EINVAL cases before any lock', () => {
  assert.equal(checkMremapParams(BASE, 4096, 4096, 8, 0), -EINVAL, 'unknown flag');
  assert.equal(checkMremapParams(BASE + 1, 4096, 4096, 0, 0), -EINVAL, 'unaligned');
  assert.equal(checkMremapParams(BASE, 4096, 0, 0, 0), -EINVAL, 'new_len 0');
  assert.equal(checkMremapParams(BASE, 4096, 4096, MREMAP_FIXED, DEST), -EINVAL, 'FIXED without MAYMOVE');
  assert.equal(checkMremapParams(BASE, 4096, 8192, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, DEST), -EINVAL, 'DONTUNMAP resize');
  assert.equal(checkMremapParams(BASE, 8192, 8192, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 4096), -EINVAL, 'overlap');
  assert.equal(checkMremapParams(BASE, 8192, 8192, MREMAP_MAYMOVE | MREMAP_FIXED, DEST), 0);
});

test('growing a VM_DONTEXPAND|VM_PFNMAP mapping is -EFAULT, with or without MREMAP_MAYMOVE', () => {
  const { A, s } = mapped(8192);
  for (const flags of [0, MREMAP_MAYMOVE]) {
    const r = run(s, A, { op: 'mremap', addr: BASE, old_len: 8192, new_len: 16384, flags, new_addr: 0 });
    assert.equal(r.ret, -EFAULT);
  }
  const d = run(s, A, { op: 'mremap', addr: BASE, old_len: 8192, new_len: 8192, flags: MREMAP_MAYMOVE | MREMAP_DONTUNMAP, new_addr: DEST });
  assert.equal(d.ret, -EINVAL);
  assert.equal(run(s, A, { op: 'mremap', addr: DEST, old_len: 4096, new_len: 4096, flags: 0, new_addr: 0 }).ret, -EFAULT, 'no VMA');
});

test('a move takes the PTE along and leaves i_mmap with the new VMA only', () => {
  const { w, A, s } = mapped(8192);
  const r = run(s, A, { op: 'mremap', addr: BASE, old_len: 8192, new_len: 8192, flags: MREMAP_MAYMOVE | MREMAP_FIXED, new_addr: DEST });
  assert.equal(r.ret, DEST);
  assert.deepEqual(leavesOf(r.state, w.pid), [[DEST, 'pte', TEST_PFN]]);
  const k = kernelOf(r.state);
  const vmas = k.get('mms', k.get('processes', w.pid).mm).vmas;
  assert.deepEqual(vmas.map((v) => [v.vm_start, v.vm_pgoff]), [[DEST, 0]]);
  assert.deepEqual(k.get('inodes', w.inode).i_mapping.i_mmap.map((x) => x.vma), [vmas[0]!.id]);
  assert.equal(k.get('files', w.file).f_count, 2, 'the fd and the new VMA; the old VMA\'s reference went with it');
});

test('a shrink unmaps the tail; a move of the second page keeps vm_pgoff', () => {
  const { w, A, s } = mapped(3 * 4096);
  const r = run(s, A, { op: 'mremap', addr: BASE, old_len: 3 * 4096, new_len: 4096, flags: 0, new_addr: 0 });
  assert.equal(r.ret, BASE);
  const k = kernelOf(r.state);
  assert.deepEqual(k.get('mms', k.get('processes', w.pid).mm).vmas.map((v) => v.vm_end - v.vm_start), [4096]);
  const { A: A2, s: s2 } = mapped(3 * 4096);
  const m = run(s2, A2, { op: 'mremap', addr: BASE + 4096, old_len: 4096, new_len: 4096, flags: MREMAP_MAYMOVE | MREMAP_FIXED, new_addr: DEST });
  assert.equal(m.ret, DEST);
  const k2 = kernelOf(m.state);
  assert.deepEqual(k2.get('mms', k2.get('processes', w.pid).mm).vmas.map((v) => [v.vm_start - BASE, v.vm_pgoff]), [[0, 0], [8192, 2], [DEST - BASE, 1]]);
});

test('a PMD leaf moves whole to a 2M-aligned place and is dropped at an unaligned one', () => {
  const { w, A, s } = mapped(M2);
  assert.deepEqual(leavesOf(s.state, w.pid), [[BASE, 'pmd', TEST_PFN]]);
  const r = run(s, A, { op: 'mremap', addr: BASE, old_len: M2, new_len: M2, flags: MREMAP_MAYMOVE | MREMAP_FIXED, new_addr: DEST });
  assert.deepEqual(leavesOf(r.state, w.pid), [[DEST, 'pmd', TEST_PFN]]);
  const u = run({ ...s, state: r.state }, A, { op: 'mremap', addr: DEST, old_len: M2, new_len: M2, flags: MREMAP_MAYMOVE | MREMAP_FIXED, new_addr: BASE + 4096 });
  assert.equal(u.ret, BASE + 4096);
  assert.deepEqual(leavesOf(u.state, w.pid), []);
});

test('anonymous memory grows in place, or moves with MREMAP_MAYMOVE, else -ENOMEM', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const anon = (addr: number) => ({ op: 'mmap' as const, addr, length: 4096, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, fd: -1, offset: 0 });
  let s = { ...w, state: run(w, A, anon(BASE)).state };
  s = { ...s, state: run(s, A, { op: 'store', addr: BASE, size: 4, value: 0x42 }).state };
  const g = run(s, A, { op: 'mremap', addr: BASE, old_len: 4096, new_len: 8192, flags: 0, new_addr: 0 });
  assert.equal(g.ret, BASE);
  const blocked = { ...s, state: run(s, A, anon(BASE + 4096)).state };
  assert.equal(run(blocked, A, { op: 'mremap', addr: BASE, old_len: 4096, new_len: 8192, flags: 0, new_addr: 0 }).ret, -ENOMEM);
  const mv = run(blocked, A, { op: 'mremap', addr: BASE, old_len: 4096, new_len: 8192, flags: MREMAP_MAYMOVE, new_addr: 0 });
  assert.ok(mv.ret > 0 && mv.ret !== BASE);
  assert.equal(run({ ...blocked, state: mv.state }, A, { op: 'load', addr: mv.ret, size: 4 }).ret, 0x42, 'the page moved with it');
});
