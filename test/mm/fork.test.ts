import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { listLeaves } from '../../src/mm/pgtable.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { VM_DONTCOPY } from '../../src/mm/types.js';

const M2 = 2 ** 21;
const G = 2 ** 30;
const BASE = 0x7e0000000000;

function forkAfterFaults(arch: string, len: number, addrs: number[]) {
  const w = buildWorld({ arch });
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, len, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  let s = { ...w, state: m.state };
  for (const a of addrs) s = { ...s, state: run(s, A, { op: 'load', addr: BASE + a, size: 4 }).state };
  const f = run(s, A, { op: 'fork', child: 'C' });
  const k = kernelOf(f.state);
  const leaves = (pid: number) => listLeaves(k.arch, k.get('mms', k.get('processes', pid).mm).pgd).map((l) => l.leaf.level);
  return { w, f, k, parent: leaves(w.pid), child: leaves(f.ret) };
}

test('fork copies PTE, special PMD and PUD leaves of a VM_PFNMAP VMA, refs and i_mmap', () => {
  const r = forkAfterFaults('x86_64', G + 2 * M2, [0, G + 4096]);
  assert.deepEqual(r.parent, ['pud', 'pmd']);
  assert.deepEqual(r.child, ['pud', 'pmd']);
  const child = r.k.get('processes', r.f.ret);
  assert.equal(child.parent, r.w.pid);
  const cv = r.k.get('mms', child.mm).vmas;
  const pv = r.k.get('mms', r.k.get('processes', r.w.pid).mm).vmas;
  assert.equal(cv.length, 1);
  assert.notEqual(cv[0]!.id, pv[0]!.id);
  assert.equal(cv[0]!.vm_mm, child.mm);
  assert.equal(r.k.get('files', r.w.file).f_count, 4, 'parent fd, child fd, two VMAs');
  assert.equal(r.k.get('inodes', r.w.inode).i_mapping.i_mmap.length, 2);
  assert.equal(r.k.get('processes', r.w.pid).vars['opens'], 1, 'vm_ops->open on the copy');
  const ctid = Object.values(r.f.state.tasks).find((t) => t.pid === r.f.ret)!;
  assert.equal(ctid.name, 'C');
  assert.equal(ctid.lastRet, 0);
  // The child reads through the copied leaf without faulting.
  const cr = run({ ...r.w, state: r.f.state }, ctid.tid, { op: 'load', addr: BASE + 8, size: 4 });
  assert.ok(!cr.events.some((e) => e.kind === 'fault'));
});

test('without a PMD special bit, copy_huge_pmd skips the huge PFN leaf (refaults in the child)', () => {
  const r = forkAfterFaults('x86_64-pte-special-only', 2 * M2, [0, M2]);
  assert.deepEqual(r.parent, ['pmd', 'pmd']);
  assert.deepEqual(r.child, []);
});

test('VM_DONTCOPY VMAs are not copied', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, 4096));
  const k = kernelOf(m.state);
  const mm = k.get('processes', w.pid).mm;
  k.mut('mms', mm).vmas = k.get('mms', mm).vmas.map((v) => ({ ...v, vm_flags: v.vm_flags + VM_DONTCOPY }));
  const f = run({ ...w, state: k.finish() }, A, { op: 'fork', child: 'C' });
  assert.equal(f.state.mms[f.state.processes[f.ret]!.mm]!.vmas.length, 0);
  assert.equal(f.state.files[w.file]!.f_count, 3, 'fd in both, one VMA');
});
