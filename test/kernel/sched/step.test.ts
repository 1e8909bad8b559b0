import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../../src/kernel/kernel.js';
import { emptyKernelState } from '../../../src/kernel/state.js';
import type { KernelState } from '../../../src/kernel/state.js';
import { newLock } from '../../../src/kernel/locking/rwsem.js';
import { path } from '../../../src/kernel/sched/path.js';
import { enterKernel, isRunnable, stepTask, taskLabel } from '../../../src/kernel/sched/step.js';
import type { Design } from '../../../src/designs/types.js';

/* Two toy paths: `lock_then` takes lock A then lock B (or B then A), and `caller` calls a callee. */
const takeTwo = path<{ first: number; second: number }>()('take_two', 'first', {
  first: (cx) => { if (!cx.lock(cx.l.first, 'write')) return; cx.goto('second'); },
  second: (cx) => { if (!cx.lock(cx.l.second, 'write')) return; cx.goto('release'); },
  release: (cx) => { cx.unlock(cx.l.second); cx.unlock(cx.l.first); cx.ret(7); },
});
const callee = path<{ x: number }>()('callee', 'entry', {
  entry: (cx) => cx.ret(cx.l.x * 2),
});
const caller = path<{ r: number }>()('caller', 'entry', {
  entry: (cx) => cx.call(callee, { x: 21 }, 'r', 'after'),
  after: (cx) => cx.ret(cx.l.r + 1),
});
const design: Design = {
  name: 'toy', description: 'test', fileOps: {}, vmOps: {},
  paths: new Map([takeTwo, callee, caller].map((p) => [p.name, p])),
};

function world(): { s: KernelState; a: number; b: number; t1: number; t2: number } {
  const k = new Kernel(emptyKernelState('x86_64', 'toy'), design);
  const a = newLock(k, 'mmap_lock', 'mm 1');
  const b = newLock(k, 'memory_lock', 'vfio 1');
  const mk = (name: string) => k.add('tasks', (tid) => ({
    tid, pid: 0, name, frames: [], blockedOn: null, held: [], pending: [], lastRet: null, dead: false,
  }));
  const t1 = mk('A');
  const t2 = mk('B');
  return { s: k.finish(), a, b, t1, t2 };
}

function run(s: KernelState, tid: number, steps: number): KernelState {
  let state = s;
  for (let i = 0; i < steps; i++) {
    const k = new Kernel(state, design);
    stepTask(k, tid);
    state = k.finish();
  }
  return state;
}

test('a call returns its value into the caller local and the outer return lands in lastRet', () => {
  const { s, t1 } = world();
  const k = new Kernel(s, design);
  enterKernel(k, t1, caller, {});
  const done = run(k.finish(), t1, 3);
  assert.equal(done.tasks[t1]!.lastRet, 43);
  assert.equal(done.tasks[t1]!.frames.length, 0);
});

test('drafts copy on write: the old state is untouched', () => {
  const { s, t1 } = world();
  const k = new Kernel(s, design);
  enterKernel(k, t1, caller, {});
  const next = k.finish();
  assert.equal(s.tasks[t1]!.frames.length, 0);
  assert.equal(next.tasks[t1]!.frames.length, 1);
  assert.equal(next.tasks[2], s.tasks[2], 'rows not written are shared');
});

test('a task sleeps on a held lock at the same label and runs once it is free', () => {
  const { s, a, b, t1, t2 } = world();
  let k = new Kernel(s, design);
  enterKernel(k, t1, takeTwo, { first: a, second: b });
  enterKernel(k, t2, takeTwo, { first: a, second: b });
  let state = run(k.finish(), t1, 1); // A holds lock a
  state = run(state, t2, 1); // B tries lock a and sleeps
  assert.deepEqual(state.tasks[t2]!.blockedOn, { lock: a, mode: 'write' });
  assert.equal(taskLabel(state.tasks[t2]!), 'take_two:first');
  assert.equal(isRunnable(state, t2), false);
  state = run(state, t1, 2); // A takes b, releases both
  assert.equal(isRunnable(state, t2), true);
  state = run(state, t2, 3);
  assert.equal(state.tasks[t2]!.lastRet, 7);
  assert.equal(state.locks[a]!.writer, 0);
  k = new Kernel(state, design);
  assert.equal(k.get('locks', b).readers.length, 0);
});

test('opposite lock orders deadlock: neither task is runnable and lockdep reports the inversion', () => {
  const { s, a, b, t1, t2 } = world();
  const k = new Kernel(s, design);
  enterKernel(k, t1, takeTwo, { first: a, second: b });
  enterKernel(k, t2, takeTwo, { first: b, second: a });
  let state = run(k.finish(), t1, 1);
  state = run(state, t2, 1);
  state = run(state, t1, 1);
  const k2 = new Kernel(state, design);
  stepTask(k2, t2);
  state = k2.finish();
  assert.equal(isRunnable(state, t1), false);
  assert.equal(isRunnable(state, t2), false);
  // lockdep records the dependency when the lock is requested, before the task sleeps.
  assert.ok(k2.events.some((e) => e.kind === 'warn' && e.fn === 'lockdep'));
});
