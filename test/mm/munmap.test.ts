import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { listLeaves } from '../../src/mm/pgtable.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { EINVAL } from '../../src/uapi/errno.js';

const M2 = 2 ** 21;
const BASE = 0x7e0000000000;

test('munmap of a whole VMA: gone from mm and i_mmap, leaves zapped, ->close and fput', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, M2));
  let s = { ...w, state: m.state };
  s = { ...s, state: run(s, A, { op: 'load', addr: m.ret, size: 4 }).state };
  const u = run(s, A, { op: 'munmap', addr: m.ret, length: M2 });
  assert.equal(u.ret, 0);
  const k = kernelOf(u.state);
  const mm = k.get('mms', k.get('processes', w.pid).mm);
  assert.equal(mm.vmas.length, 0);
  assert.equal(listLeaves(k.arch, mm.pgd).length, 0);
  assert.deepEqual(mm.pgd.entries, [], 'free_pgtables freed the empty tables');
  assert.equal(k.get('inodes', w.inode).i_mapping.i_mmap.length, 0);
  assert.equal(k.get('files', w.file).f_count, 1);
  assert.equal(k.get('processes', w.pid).vars['closes'], 1);
  assert.equal(run(s, A, { op: 'munmap', addr: m.ret + 1, length: 4096 }).ret, -EINVAL);
  assert.equal(run(s, A, { op: 'munmap', addr: m.ret, length: 0 }).ret, -EINVAL);
});

test('partial munmap splits: two VMAs, pgoff adjusted, refs and i_mmap right, straddling huge leaf removed', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, 3 * M2, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  let s = { ...w, state: m.state };
  for (const off of [0, M2, 2 * M2]) s = { ...s, state: run(s, A, { op: 'load', addr: BASE + off, size: 4 }).state };
  assert.deepEqual(listLeaves(kernelOf(s.state).arch, s.state.mms[s.state.processes[w.pid]!.mm]!.pgd).map((l) => l.leaf.level), ['pmd', 'pmd', 'pmd']);
  // Unmap 4K..(2M+4K): the first and second PMD leaves straddle the edges.
  const u = run(s, A, { op: 'munmap', addr: BASE + 4096, length: M2 });
  assert.equal(u.ret, 0);
  const k = kernelOf(u.state);
  const mm = k.get('mms', k.get('processes', w.pid).mm);
  assert.deepEqual(mm.vmas.map((v) => [v.vm_start - BASE, v.vm_end - BASE, v.vm_pgoff]), [[0, 4096, 0], [M2 + 4096, 3 * M2, (M2 + 4096) / 4096]]);
  assert.equal(new Set(mm.vmas.map((v) => v.id)).size, 2);
  assert.equal(k.get('files', w.file).f_count, 3, 'fd + two VMAs');
  assert.deepEqual(k.get('inodes', w.inode).i_mapping.i_mmap.map((r) => r.vma).sort(), mm.vmas.map((v) => v.id).sort());
  const ls = listLeaves(k.arch, mm.pgd);
  assert.deepEqual(ls.map((l) => [l.va - BASE, l.leaf.level]), [[2 * M2, 'pmd']], 'only the PMD leaf fully outside the hole survives');
  assert.equal(k.get('processes', w.pid).vars['opens'], 2, 'vm_ops->open for each split-off VMA');
  assert.equal(k.get('processes', w.pid).vars['closes'], 1, 'vm_ops->close for the unmapped middle');
  // The split-off tail refaults at the right pfn for its pgoff.
  const r = run({ ...w, state: u.state }, A, { op: 'load', addr: BASE + M2 + 4096, size: 4 });
  const leaf = listLeaves(k.arch, r.state.mms[mm.id]!.pgd).find((l) => l.va === BASE + M2 + 4096)!;
  assert.equal(leaf.leaf.level, 'pte');
  assert.equal(leaf.leaf.pfn - ls[0]!.leaf.pfn, -(M2 - 4096) / 4096);
});
