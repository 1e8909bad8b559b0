import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfs } from '../../src/check/bfs.js';
import type { CheckModel } from '../../src/check/bfs.js';
import { applyTransition } from '../../src/check/transitions.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import type { KernelState } from '../../src/kernel/state.js';
import { newLock } from '../../src/kernel/locking/rwsem.js';
import { path } from '../../src/kernel/sched/path.js';
import type { Design } from '../../src/designs/types.js';
import type { Invariant } from '../../src/check/invariants/types.js';

/*
 * A toy kernel: `load` of address 1 takes lock a then b, of address 2 takes b
 * then a (an ABBA pair); `store` bumps a counter under lock a in two steps,
 * with the read and the write cut apart (a lost update when the lock is skipped:
 * value 0 means "skip the lock").
 */
const userAccess = path<{ addr: number; value: number; write: boolean; first: number; tmp: number }>()('user_access', 'entry', {
  entry: (cx) => {
    if (cx.l.write) { cx.goto(cx.l.value === 0 ? 'read' : 'lock'); return; }
    cx.l.first = cx.l.addr === 1 ? LOCK_A : LOCK_B;
    cx.goto('first');
  },
  first: (cx) => { if (!cx.lock(cx.l.first, 'write')) return; cx.goto('second'); },
  second: (cx) => {
    const second = cx.l.first === LOCK_A ? LOCK_B : LOCK_A;
    if (!cx.lock(second, 'write')) return;
    cx.unlock(second); cx.unlock(cx.l.first); cx.ret(0);
  },
  lock: (cx) => { if (!cx.lock(LOCK_A, 'write')) return; cx.goto('read'); },
  read: (cx) => { cx.l.tmp = cx.k.get('pagerefs', 1); cx.goto('write'); },
  write: (cx) => {
    cx.k.set('pagerefs', 1, cx.l.tmp + 1);
    if (cx.holds(LOCK_A)) cx.unlock(LOCK_A);
    cx.ret(0);
  },
});
const LOCK_A = 1;
const LOCK_B = 2;
const design: Design = { name: 'toy', description: '', fileOps: {}, vmOps: {}, paths: new Map([[userAccess.name, userAccess]]) };

function initial(): { s: KernelState; t1: number; t2: number } {
  const k = new Kernel(emptyKernelState('x86_64', 'toy'), design);
  newLock(k, 'mmap_lock', 'a');
  newLock(k, 'memory_lock', 'b');
  const mk = (name: string) => k.add('tasks', (tid) => ({
    tid, pid: 0, name, frames: [], blockedOn: null, held: [], pending: [], lastRet: null, dead: false,
  }));
  const t1 = mk('A');
  const t2 = mk('B');
  k.set('pagerefs', 1, 0);
  return { s: k.finish(), t1, t2 };
}

const lostUpdate: Invariant = {
  name: 'no-lost-update',
  rule: 'two completed increments leave the counter at 2',
  check: ({ state: s }) => {
    const done = Object.values(s.tasks).every((t) => t.frames.length === 0 && t.lastRet === 0);
    return done && s.pagerefs[1] === 1 ? { invariant: 'no-lost-update', message: 'counter is 1' } : null;
  },
};

function model(over: Partial<CheckModel>, alphabet: CheckModel['alphabet']): CheckModel {
  return { initial: initial().s, design, alphabet, maxActions: 1, preemptionBound: 2, invariants: [], ...over };
}

test('finds the ABBA deadlock with a shortest schedule that replays', () => {
  const { t1 } = initial();
  const r = bfs(model({}, (_s, tid) => [{ op: 'load', addr: tid === t1 ? 1 : 2, size: 4 }]));
  const f = r.found.get('no-deadlock');
  assert.ok(f, 'deadlock found');
  // Each task: start (entry), take its first lock, ask for the second and sleep: 3 transitions each.
  assert.equal(f.schedule.length, 6);
  let s = initial().s;
  for (const t of f.schedule) s = applyTransition(s, design, t).state;
  assert.ok(Object.values(s.tasks).every((t) => t.blockedOn !== null));
});

test('no deadlock when both take the locks in the same order', () => {
  const r = bfs(model({}, () => [{ op: 'load', addr: 1, size: 4 }]));
  assert.equal(r.found.size, 0);
  assert.equal(r.stats.complete, true);
});

test('a lost update needs a preemption inside the unlocked path and is found only with one allowed', () => {
  const racy = (pb: number) => bfs(model({ preemptionBound: pb, invariants: [lostUpdate] },
    () => [{ op: 'store', addr: 0, size: 4, value: 0 }]));
  assert.equal(racy(0).found.has('no-lost-update'), false);
  assert.equal(racy(1).found.has('no-lost-update'), true);
  const locked = bfs(model({ invariants: [lostUpdate] }, () => [{ op: 'store', addr: 0, size: 4, value: 1 }]));
  assert.equal(locked.found.has('no-lost-update'), false);
  assert.equal(locked.stats.complete, true);
});

test('node links rebuild schedules across their chunks, numbering each transition once', async () => {
  const { NodeLinks } = await import('../../src/check/bfs.js');
  const links = new NodeLinks();
  const root = links.add(-1, null, null);
  // A chain of 200,000 nodes (past three 65,536-entry chunks and the first chunk's growth), three transitions taking turns.
  const ts = [{ tid: 1 }, { tid: 2 }, { tid: 3 }];
  let idx = root;
  const at: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    idx = links.add(idx, ts[i % 3]!, `t${i % 3}`);
    at.push(idx);
  }
  // A side branch off a node in the second chunk.
  const side = links.add(at[70_000]!, { tid: 9 }, 't9');
  assert.equal(links.size, 200_002);
  for (const n of [1, 1023, 1024, 65_535, 65_536, 131_072, 199_999]) {
    const s = links.schedule(at[n]!);
    assert.equal(s.length, n + 1);
    assert.deepEqual(s.slice(-2), [n - 1, n].map((i) => ts[i % 3]));
    assert.deepEqual(s[0], ts[0]);
  }
  const branch = links.schedule(side);
  assert.equal(branch.length, 70_002);
  assert.deepEqual(branch[branch.length - 1], { tid: 9 });
  // Four chunks of two Int32Arrays: no doubled array, nothing counted twice.
  assert.equal(links.bytes, 4 * 65_536 * 8);
});

test('nodes taken off a level being expanded and adopted back as nodes of that level leave the search\'s result unchanged', async () => {
  const { Search } = await import('../../src/check/bfs.js');
  const { prepareJob } = await import('../../src/check/job.js');
  const { jobsFor, loadForCheck } = await import('../../src/cli/suite.js');
  const spec = jobsFor([loadForCheck('munmap+cmd-disable')], { designs: ['dmabuf-vma@1'], archs: ['x86_64'], defects: [] }, false)[0]!;
  const m = prepareJob(spec).m.model;
  const whole = bfs(m);
  const s = new Search(m);
  let moved = 0;
  let midChunk = 0;
  while (!s.done) {
    s.beginLevel();
    const depth = s.depth;
    let taken: ReturnType<typeof s.takeLevel> | null = null;
    s.expandCurrent(undefined, () => {
      // At the first look, half of what is left, as another worker would get it (through a structured clone).
      if (taken !== null || s.levelLeft < 2) return;
      const left = s.levelLeft;
      taken = structuredClone(s.takeLevel(Math.floor(left / 2)));
      assert.equal(taken.nodes.length, Math.floor(left / 2));
      assert.equal(s.levelLeft, left - taken.nodes.length);
      assert.ok(taken.nodes.every((n) => n.depth === depth), 'nodes of the level being expanded');
      midChunk++;
    });
    assert.equal(s.levelLeft, 0);
    if (taken === null) taken = { nodes: [], transitions: [] };
    moved += taken.nodes.length;
    s.adoptLevel(taken);
    assert.equal(s.levelLeft, taken.nodes.length);
    s.expandCurrent();
    s.endLevel();
  }
  assert.ok(moved > 0 && midChunk > 0, 'nodes moved');
  const lengths = (f: ReadonlyMap<string, { schedule: readonly unknown[] }>): Record<string, number> =>
    Object.fromEntries([...f].map(([k, v]) => [k, v.schedule.length]));
  assert.deepEqual(lengths(s.results()), lengths(whole.found));
  assert.equal(s.stats(true).states, whole.stats.states);
  assert.equal(s.depth, whole.stats.depth);
});
