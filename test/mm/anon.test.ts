import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { EFAULT } from '../../src/uapi/errno.js';
import { walk } from '../../src/mm/pgtable.js';
import { ZERO_PFN, memAccess, RAM_BASE_PFN } from '../../src/mm/anon.js';
import { startAction, runTask } from '../../src/check/exec.js';

const ANON = 0x7e0000000000;
const BAR = ANON + 8192;

function world() {
  const w = buildWorld({ threads: ['A', 'B'] });
  const A = w.tids[0]!;
  let s = { ...w, state: run(w, A, { op: 'mmap', addr: ANON, length: 8192, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, fd: -1, offset: 0 }).state };
  s = { ...s, state: run(s, A, mmapAction(w.fd, 8192, { addr: BAR, flags: MAP_SHARED | MAP_FIXED })).state };
  return { w, A, B: w.tids[1]!, s };
}

function leafAt(state: import('../../src/kernel/state.js').KernelState, pid: number, va: number) {
  const k = kernelOf(state);
  const r = walk(k.arch, k.get('mms', k.get('processes', pid).mm).pgd, va);
  return r.kind === 'leaf' ? r.leaf : undefined;
}

test('a read maps the zero page, a write gets a page of its own holding the bytes', () => {
  const { w, A, s } = world();
  const r = run(s, A, { op: 'load', addr: ANON, size: 4 });
  assert.equal(r.ret, 0);
  assert.deepEqual(leafAt(r.state, w.pid, ANON), { kind: 'leaf', level: 'pte', pfn: ZERO_PFN, write: false, special: true });
  const st = run({ ...s, state: r.state }, A, { op: 'store', addr: ANON + 4, size: 4, value: 0xabcd });
  const leaf = leafAt(st.state, w.pid, ANON)!;
  assert.ok(leaf.pfn > RAM_BASE_PFN && leaf.write && !leaf.special);
  assert.equal(run({ ...s, state: st.state }, A, { op: 'load', addr: ANON + 4, size: 4 }).ret, 0xabcd);
  assert.equal(memAccess(kernelOf(st.state), ZERO_PFN * 4096, 4, false, 0).value, 0);
});

test('GUP of a range running from anonymous memory into a VM_PFNMAP VMA returns the partial count', () => {
  const { A, s } = world();
  const r = run(s, A, { op: 'gup', addr: ANON, nrPages: 4, write: true, fast: true });
  assert.equal(r.ret, 2);
  assert.ok(r.events.some((e) => e.fn === '__get_user_pages' && e.args['result'] === 'partial'));
  assert.deepEqual(r.state.pagerefs, {}, 'the action puts what it got');
  assert.equal(run(s, A, { op: 'gup', addr: BAR, nrPages: 1, write: false, fast: false }).ret, -EFAULT);
  const o = run(s, A, { op: 'o_direct', rw: 'read', addr: ANON + 4096, length: 8192 });
  assert.equal(o.ret, 4096, 'O_DIRECT moves the bytes of the pages it pinned');
});

test('fork: shared pages are write-protected for COW; a pinned page is copied for the child', () => {
  const { w, A, B, s } = world();
  let t = { ...s, state: run(s, A, { op: 'store', addr: ANON, size: 4, value: 1 }).state };
  t = { ...t, state: run(t, A, { op: 'store', addr: ANON + 4096, size: 4, value: 2 }).state };
  // Hold a pin on the second page across the fork.
  const started = startAction(t.state, t.design, A, { op: 'o_direct', rw: 'read', addr: ANON + 4096, length: 4096 });
  const mid = runTask(started.state, t.design, A, 'o_direct_rw:transfer');
  const pinned = leafAt(mid.state, w.pid, ANON + 4096)!.pfn;
  assert.equal(mid.state.pagerefs[pinned], 1024);
  const f = run({ ...t, state: mid.state }, B, { op: 'fork', child: 'C' });
  const shared = leafAt(f.state, w.pid, ANON)!;
  assert.equal(shared.write, false, 'the parent\'s PTE is write-protected');
  assert.deepEqual(leafAt(f.state, f.ret, ANON), shared, 'the child maps the same page, read-only');
  assert.equal(f.state.anon_pages[shared.pfn]!.mapcount, 2);
  assert.equal(leafAt(f.state, w.pid, ANON + 4096)!.pfn, pinned, 'the parent keeps the pinned page');
  const child = leafAt(f.state, f.ret, ANON + 4096)!;
  assert.notEqual(child.pfn, pinned, 'page_needs_cow_for_dma: the child got a copy');
  assert.equal(child.write, true);
  const done = runTask(f.state, t.design, A);
  assert.deepEqual(done.state.pagerefs, {});
});

test('fork copies no page table of a MADV_WIPEONFORK VMA: the child reads zeroes', () => {
  const { w, A, s } = world();
  let t = { ...s, state: run(s, A, { op: 'store', addr: ANON, size: 4, value: 5 }).state };
  t = { ...t, state: run(t, A, { op: 'madvise', addr: ANON, length: 8192, advice: 18 }).state };
  const f = run(t, A, { op: 'fork', child: 'C' });
  assert.equal(leafAt(f.state, f.ret, ANON), undefined);
  assert.equal(leafAt(f.state, w.pid, ANON)!.write, true, 'the parent keeps its writable page');
});
