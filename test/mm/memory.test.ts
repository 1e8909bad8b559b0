import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { listLeaves } from '../../src/mm/pgtable.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { enterKernel } from '../../src/kernel/sched/step.js';
import { runTask } from '../../src/check/exec.js';
import type { KernelState } from '../../src/kernel/state.js';

const M2 = 2 ** 21;
const BASE = 0x7e0000000000;

function zap(state: KernelState, w: ReturnType<typeof buildWorld>, tid: number, holebegin: number, holelen: number) {
  const k = kernelOf(state);
  enterKernel(k, tid, 'unmap_mapping_range', { inode: w.inode, holebegin, holelen, even_cows: true });
  const r = runTask(k.finish(), w.design, tid);
  return { ...r, ret: r.state.tasks[tid]!.lastRet as number };
}

test('unmap_mapping_range removes exactly the leaves in range, in parent and forked child, without mmap_lock', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  // 8 pages at file offset 4 pages: PTE leaves only.
  const m = run(w, A, mmapAction(w.fd, 8 * 4096, { addr: BASE, offset: 4 * 4096, flags: MAP_SHARED | MAP_FIXED }));
  let s = { ...w, state: m.state };
  for (let i = 0; i < 8; i++) s = { ...s, state: run(s, A, { op: 'load', addr: BASE + i * 4096, size: 4 }).state };
  const f = run(s, A, { op: 'fork', child: 'C' });
  const cpid = f.ret;
  const k = kernelOf(f.state);
  const cmm = k.get('processes', cpid).mm;
  assert.equal(listLeaves(k.arch, k.get('mms', cmm).pgd).length, 8, 'fork copied the PTEs of the PFN map');
  assert.equal(k.get('inodes', w.inode).i_mapping.i_mmap.length, 2);
  // File pages 6..9 (holebegin 6 pages, 4 pages) = VA pages 2..5.
  const z = zap(f.state, w, A, 6 * 4096, 4 * 4096);
  assert.equal(z.stop, 'done');
  assert.equal(z.ret, 8, 'four leaves in each of two mms');
  const k2 = kernelOf(z.state);
  for (const pid of [w.pid, cpid]) {
    const vas = listLeaves(k2.arch, k2.get('mms', k2.get('processes', pid).mm).pgd).map((l) => (l.va - BASE) / 4096);
    assert.deepEqual(vas, [0, 1, 6, 7]);
  }
  const zaps = z.events.filter((e) => e.kind === 'zap' && e.fn === 'unmap_mapping_range');
  assert.equal(zaps.length, 2, 'one zap event per VMA');
  // and one for the walk: what it visited, so an empty walk is visible in a trace
  const walks = z.events.filter((e) => e.fn === 'unmap_mapping_range_tree');
  assert.equal(walks.length, 1);
  assert.equal(walks[0]!.args['vmas'], 2);
  assert.equal(walks[0]!.args['zapped'], zaps.reduce((n, e) => n + Number(e.args['leaves']), 0));
  assert.ok(!z.events.some((e) => e.kind === 'lock' && String(e.args['lock']).includes('mmap_lock')), 'no mmap_lock');
  // holelen 0 means to the end of the file.
  const all = zap(z.state, w, A, 0, 0);
  assert.equal(all.ret, 8);
});

test('unmap_mapping_range runs while another task holds mmap_lock for write', () => {
  const w = buildWorld({ threads: ['A', 'B'] });
  const [A, B] = [w.tids[0]!, w.tids[1]!];
  const m = run(w, A, mmapAction(w.fd, M2, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  const l = run({ ...w, state: m.state }, A, { op: 'load', addr: BASE, size: 4 });
  const k = kernelOf(l.state);
  enterKernel(k, A, 'ksys_mmap_pgoff', { addr: 0, length: 4096, prot: 3, flags: MAP_SHARED, fd: w.fd, offset: 0 });
  const a = runTask(k.finish(), w.design, A, 'mmap_region:link_mm');
  assert.equal(a.stop, 'label');
  const z = zap(a.state, w, B, 0, M2);
  assert.equal(z.stop, 'done');
  assert.equal(z.ret, 1);
});
