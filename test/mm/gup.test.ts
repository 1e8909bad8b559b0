import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run } from '../helpers/world.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { EFAULT } from '../../src/uapi/errno.js';
import { runTask, startAction } from '../../src/check/exec.js';
import { TEST_PFN } from '../helpers/pfnmap-driver.js';

const M2 = 2 ** 21;
const BASE = 0x7e0000000000;

function mappedAndFaulted(arch: string, structPages: boolean) {
  const w = buildWorld({ arch, structPages });
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, M2, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  const l = run({ ...w, state: m.state }, A, { op: 'load', addr: BASE, size: 4 });
  return { w, A, s: { ...w, state: l.state } };
}

test('GUP slow refuses a PFN map with -EFAULT', () => {
  const { A, s } = mappedAndFaulted('x86_64', true);
  const r = run(s, A, { op: 'gup', addr: BASE, nrPages: 1, write: false, fast: false });
  assert.equal(r.ret, -EFAULT);
  assert.ok(r.events.some((e) => e.kind === 'gup' && e.fn === '__get_user_pages' && String(e.args['why']).includes('VM_PFNMAP')));
  assert.ok(!r.events.some((e) => e.fn === 'gup_fast'));
});

test('GUP-fast gives up on a special leaf and the slow path fails', () => {
  const { A, s } = mappedAndFaulted('x86_64', true);
  const r = run(s, A, { op: 'gup', addr: BASE, nrPages: 2, write: true, fast: true });
  assert.equal(r.ret, -EFAULT);
  const fast = r.events.find((e) => e.kind === 'gup' && e.fn === 'gup_fast')!;
  assert.equal(fast.args['why'], 'pmd_special');
  assert.equal(fast.args['pages'], 0);
  const o = run(s, A, { op: 'o_direct', rw: 'read', addr: BASE, length: 8192 });
  assert.equal(o.ret, -EFAULT);
});

test('x86_64-pte-special-only, struct-page BAR, PMD leaf: O_DIRECT GUP-fast succeeds where GUP slow fails', () => {
  const { A, s } = mappedAndFaulted('x86_64-pte-special-only', true);
  const slow = run(s, A, { op: 'gup', addr: BASE, nrPages: 2, write: true, fast: false });
  assert.equal(slow.ret, -EFAULT);
  // pin_user_pages_fast(FOLL_PIN|FOLL_WRITE|FOLL_PCI_P2PDMA) trusts the non-special PMD.
  const started = startAction(s.state, s.design, A, { op: 'o_direct', rw: 'read', addr: BASE, length: 8192 });
  const mid = runTask(started.state, s.design, A, 'o_direct_rw:got');
  assert.equal(mid.stop, 'label');
  assert.equal(mid.state.pagerefs[TEST_PFN], 1024, 'pinned while the I/O is in flight');
  const done = runTask(mid.state, s.design, A);
  assert.equal(done.state.tasks[A]!.lastRet, 8192);
  assert.deepEqual(done.state.pagerefs, {}, 'unpinned at the end');
  assert.ok(done.events.some((e) => e.kind === 'access' && e.fn === 'dma_write' && e.args['outcome'] === 'ok'));
  // get_user_pages_fast without FOLL_PCI_P2PDMA refuses the P2PDMA page and falls back.
  const g = run(s, A, { op: 'gup', addr: BASE, nrPages: 1, write: false, fast: true });
  assert.equal(g.ret, -EFAULT);
});

test('x86_64-pte-special-only without struct pages: GUP-fast warns about a bogus struct page', () => {
  const { A, s } = mappedAndFaulted('x86_64-pte-special-only', false);
  const r = run(s, A, { op: 'o_direct', rw: 'read', addr: BASE, length: 4096 });
  assert.equal(r.ret, -EFAULT);
  assert.ok(r.events.some((e) => e.kind === 'warn' && e.fn === 'gup_fast'));
});
