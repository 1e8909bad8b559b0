import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { MAP_FIXED, MAP_SHARED, MADV_HUGEPAGE } from '../../src/uapi/mman.js';
import { thpVmaAllowable, VM_HUGEPAGE, VM_NOHUGEPAGE } from '../../src/mm/thp.js';
import { listLeaves } from '../../src/mm/pgtable.js';
import type { Vma } from '../../src/mm/types.js';
import { VM_READ, VM_WRITE } from '../../src/mm/types.js';
import type { KernelState } from '../../src/kernel/state.js';

const BASE = 0x7e0000000000;
const M2 = 2 ** 21;

function levelAfterLoad(thp: KernelState['thp'], advise: boolean): string {
  const w0 = buildWorld();
  const w = { ...w0, state: { ...w0.state, ...(thp ? { thp } : {}) } };
  const A = w.tids[0]!;
  let s = { ...w, state: run(w, A, mmapAction(w.fd, M2, { addr: BASE, flags: MAP_SHARED | MAP_FIXED })).state };
  if (advise) s = { ...s, state: run(s, A, { op: 'madvise', addr: BASE, length: M2, advice: MADV_HUGEPAGE }).state };
  const l = run(s, A, { op: 'load', addr: BASE, size: 4 });
  const k = kernelOf(l.state);
  return listLeaves(k.arch, k.get('mms', k.get('processes', w.pid).mm).pgd)[0]!.leaf.level;
}

test('the THP setting decides whether a PFN-map fault may go huge (__thp_vma_allowable_orders)', () => {
  assert.equal(levelAfterLoad(undefined, false), 'pmd', 'always (the default)');
  assert.equal(levelAfterLoad('always', false), 'pmd');
  assert.equal(levelAfterLoad('madvise', false), 'pte', 'madvise without VM_HUGEPAGE');
  assert.equal(levelAfterLoad('madvise', true), 'pmd', 'madvise with MADV_HUGEPAGE');
  assert.equal(levelAfterLoad('never', true), 'pte', 'never, whatever the VMA says');
});

test('anonymous VMAs: PMD order only, VM_NOHUGEPAGE refuses, madvise wants VM_HUGEPAGE', () => {
  const w = buildWorld();
  const anon: Vma = {
    id: 1, vm_mm: 1, vm_start: BASE, vm_end: BASE + M2, vm_pgoff: 0, vm_flags: VM_READ | VM_WRITE,
    vm_page_prot: { cache: 'WB', decrypted: false }, vm_file: 0, vm_ops: '', vm_private_data: null,
  };
  const at = (thp: KernelState['thp']) => kernelOf({ ...w.state, ...(thp ? { thp } : {}) });
  assert.equal(thpVmaAllowable(at('always'), anon, 'pmd'), true);
  assert.equal(thpVmaAllowable(at('always'), anon, 'pud'), false);
  assert.equal(thpVmaAllowable(at('always'), { ...anon, vm_flags: anon.vm_flags + VM_NOHUGEPAGE }, 'pmd'), false);
  assert.equal(thpVmaAllowable(at('madvise'), anon, 'pmd'), false);
  assert.equal(thpVmaAllowable(at('madvise'), { ...anon, vm_flags: anon.vm_flags + VM_HUGEPAGE }, 'pmd'), true);
  assert.equal(thpVmaAllowable(at('never'), { ...anon, vm_flags: anon.vm_flags + VM_HUGEPAGE }, 'pmd'), false);
});
