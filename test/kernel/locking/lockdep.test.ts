import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addEdge, edges, hasEdge } from '../../../src/kernel/locking/lockdep.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { emptyKernelState } from '../../../src/kernel/state.js';
import { newLock } from '../../../src/kernel/locking/rwsem.js';
import { path } from '../../../src/kernel/sched/path.js';
import { enterKernel, stepTask } from '../../../src/kernel/sched/step.js';
import type { Design } from '../../../src/designs/types.js';
import type { TraceEvent } from '../../../src/kernel/events.js';

test('edges are directed and recorded once', () => {
  let g = 0;
  g = addEdge(g, 'mmap_lock', 'memory_lock');
  assert.equal(addEdge(g, 'mmap_lock', 'memory_lock'), g);
  assert.ok(hasEdge(g, 'mmap_lock', 'memory_lock'));
  assert.ok(!hasEdge(g, 'memory_lock', 'mmap_lock'));
  g = addEdge(g, 'dma_resv', 'page_table_lock');
  assert.deepEqual(edges(g), ['mmap_lock -> memory_lock', 'dma_resv -> page_table_lock']);
});

const nest = path<{ outer: number; inner: number }>()('nest', 'outer', {
  outer: (cx) => { if (!cx.lock(cx.l.outer, 'read')) return; cx.goto('inner'); },
  inner: (cx) => { if (!cx.lock(cx.l.inner, 'read')) return; cx.goto('out'); },
  out: (cx) => { cx.unlock(cx.l.inner); cx.unlock(cx.l.outer); cx.ret(0); },
});
const design: Design = { name: 't', description: '', fileOps: {}, vmOps: {}, paths: new Map([[nest.name, nest]]) };

test('taking locks in both orders, even at different times, is reported as lockdep does', () => {
  const k = new Kernel(emptyKernelState('x86_64', 't'), design);
  const mmap = newLock(k, 'mmap_lock', 'mm 1');
  const mem = newLock(k, 'memory_lock', 'vfio 1');
  const tid = k.add('tasks', (t) => ({ tid: t, pid: 0, name: 'A', frames: [], blockedOn: null, held: [], pending: [], lastRet: null, dead: false }));
  let s = k.finish();
  const events: TraceEvent[] = [];
  const runNest = (outer: number, inner: number) => {
    const k1 = new Kernel(s, design);
    enterKernel(k1, tid, nest, { outer, inner });
    for (let i = 0; i < 3; i++) stepTask(k1, tid);
    events.push(...k1.events);
    s = k1.finish();
  };
  runNest(mmap, mem);
  assert.equal(events.filter((e) => e.kind === 'warn').length, 0);
  runNest(mem, mmap);
  const warns = events.filter((e) => e.kind === 'warn');
  assert.equal(warns.length, 1);
  assert.equal(warns[0]!.args['acquiring'], 'mm 1->mmap_lock');
});
