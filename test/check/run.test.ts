import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, ScenarioRunError } from '../../src/check/run.js';
import type { RunResult } from '../../src/check/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Design } from '../../src/designs/types.js';
import { path } from '../../src/kernel/sched/path.js';
import type { Path } from '../../src/kernel/sched/path.js';
import { legacy } from '../../src/designs/legacy.js';
import type { Kernel } from '../../src/kernel/kernel.js';

/** The memory_lock of the n-th vfio device: the only locks a fresh world has besides mm and i_mmap ones. */
function devLock(k: Kernel, n: number): number {
  const ids = k.ids('vfio').sort((a, b) => a - b);
  return k.get('vfio', ids[n]!).memory_lock;
}

type L = { fd: number; [k: string]: number };

/** dup(fd): hold device fd's lock across two steps, return fd + 100. */
const dup = path<L>()('sys_dup', 'start', {
  start: (cx) => {
    if (!cx.lock(devLock(cx.k, cx.l.fd), 'write')) return;
    cx.goto('held');
  },
  held: (cx) => cx.goto('release'),
  release: (cx) => {
    cx.unlock(devLock(cx.k, cx.l.fd));
    cx.ret(cx.l.fd + 100);
  },
});

/** close(fd): take device fd's lock, then the other device's: ABBA with two threads. */
const close = path<L>()('close_fd', 'start', {
  start: (cx) => {
    if (!cx.lock(devLock(cx.k, cx.l.fd), 'write')) return;
    cx.goto('second');
  },
  second: (cx) => {
    if (!cx.lock(devLock(cx.k, 1 - cx.l.fd), 'write')) return;
    cx.goto('done');
  },
  done: (cx) => {
    cx.unlock(devLock(cx.k, 1 - cx.l.fd));
    cx.unlock(devLock(cx.k, cx.l.fd));
    cx.ret(0);
  },
});

/** A load that always raises SIGBUS. */
const access = path<L>()('user_access', 'start', {
  start: (cx) => {
    cx.k.mut('tasks', cx.tid).pending = ['SIGBUS'];
    cx.emit('signal', 'force_sig', { sig: 'SIGBUS' });
    cx.ret(0);
  },
});

const fake: Design = {
  name: 'fake',
  description: 'runner test paths',
  paths: new Map<string, Path>([dup, close, access].map((p) => [p.name, p])),
  fileOps: {},
  vmOps: {},
};

const WORLD = `name: t
description: runner test
world:
  devices:
    - { name: d0, bdf: "0000:01:00.0", bars: [] }
    - { name: d1, bdf: "0000:02:00.0", bars: [] }
  processes:
    - { name: P, threads: [A, B] }
steps:
`;

function run(steps: string): RunResult {
  return runScenario(loadScenario(WORLD + steps, 't.yaml'), { design: fake });
}

test('a thread left in the kernel by until blocks another; the runner runs it until the lock is free', () => {
  const r = run(`  - thread: A
    dup: { fd: 0 }
    until: sys_dup:held
  - thread: B
    dup: { fd: 0 }
    as: got
    expect: { ret: 100 }
  - resume: A
    expect: { ret: 100 }
`);
  assert.deepEqual(r.failures, []);
  assert.equal(r.steps[0]!.stop, 'label');
  const s1 = r.steps[1]!;
  assert.equal(s1.stop, 'done');
  assert.equal(s1.ret, 100);
  const names = s1.events.map((e) => `${e.tid === s1.tid ? 'B' : 'A'}:${e.kind}:${e.fn}`);
  // B asks, waits, A runs to its return, then B gets the lock
  assert.deepEqual(names, [
    'B:syscall:dup', 'B:lock:wait', 'A:lock:up', 'A:return:dup', 'B:lock:down_write', 'B:lock:up', 'B:return:dup',
  ]);
  const p = Object.values(s1.state.processes)[0]!;
  assert.equal(p.vars['got'], 100);
  assert.equal(r.steps[2]!.ret, 100);
  assert.equal(r.steps[2]!.events.length, 0, 'A had already returned during step 1');
});

test('an ABBA lock order deadlocks and the run reports who holds and who waits', () => {
  const r = run(`  - thread: A
    close: { fd: 0 }
    until: close_fd:second
  - thread: B
    close: { fd: 1 }
    until: close_fd:second
  - resume: A
  - thread: A
    dup: { fd: 0 }
`);
  assert.equal(r.steps.length, 3, 'the run stops at the deadlock');
  assert.equal(r.steps[2]!.stop, 'deadlock');
  const dl = r.steps[2]!.events.filter((e) => e.fn === 'deadlock');
  assert.equal(dl.length, 2);
  assert.match(String(dl[0]!.args['holds']), /vfio 0000:01:00\.0->memory_lock\(write\)/);
  assert.match(String(dl[0]!.args['waits']), /vfio 0000:02:00\.0->memory_lock\(write\)/);
  assert.match(String(dl[0]!.args['held_by']), /^B-/);
  assert.ok(r.failures.some((f) => /deadlock/.test(f)));
});

test('signals are delivered on return to user space and checked by expect', () => {
  const ok = run(`  - thread: A
    load: { addr: 0x1000 }
    expect: { signal: SIGBUS }
`);
  assert.deepEqual(ok.failures, []);
  assert.deepEqual(ok.steps[0]!.signals, ['SIGBUS']);
  assert.ok(ok.steps[0]!.events.some((e) => e.kind === 'signal' && e.fn === 'deliver'));
  const t = Object.values(ok.steps[0]!.state.tasks).find((x) => x.name === 'A')!;
  assert.deepEqual(t.pending, [], 'delivered signals leave pending');
  const bad = run(`  - thread: A
    load: { addr: 0x1000 }
    expect: { ret: 0 }
`);
  assert.deepEqual(bad.failures, ['steps[0] (A: load): expected signal none, got SIGBUS']);
  assert.ok(bad.steps[0]!.events.some((e) => e.kind === 'warn' && e.fn === 'expect'));
});

test('ret mismatches and until labels that are never reached are failures', () => {
  const r = run(`  - thread: A
    dup: { fd: 1 }
    expect: { ret: EBADF }
`);
  assert.deepEqual(r.failures, ['steps[0] (A: dup): expected ret -EBADF, got 101']);
  const u = run(`  - thread: A
    load: { addr: 0 }
    until: sys_dup:held
`);
  assert.match(u.failures[0]!, /returned before reaching sys_dup:held/);
});

test('an unknown until label is a scenario error at its path', () => {
  assert.throws(
    () => run(`  - thread: A\n    dup: { fd: 0 }\n    until: sys_dup:nowhere\n`),
    (e: unknown) => e instanceof ScenarioRunError && e.path.join('.') === 'steps.0.until' && /labels: start, held, release/.test(e.message),
  );
  assert.throws(() => run(`  - thread: A\n    dup: { fd: 0 }\n    until: sys_dupp:held\n`), /did you mean sys_dup\?/);
});

test('expect.mapped compares the leaf that maps an address after the step', () => {
  const r = run(`  - thread: A
    dup: { fd: 0 }
    as: x
    expect: { ret: 100, mapped: { addr: "$x + 0x1000", level: pte, pfn: 0x10 } }
  - thread: A
    dup: { fd: 0 }
    expect: { mapped: { addr: 0x1000, level: none } }
`);
  assert.deepEqual(r.failures, ['steps[0] (A: dup): expected mapped 0x1064 pte pfn=0x10, got none']);
});

test('expect vars: a variable bound by out: that differs is a failure naming it', () => {
  const text = WORLD.replace('bars: [] }\n    - { name: d1', 'bars: [{ index: 0, size: 16K, base: 0xf0000000 }] }\n    - { name: d1') + `  - thread: A
    open: { device: d0 }
    as: fd
  - thread: A
    pread: { fd: $fd, region: bar0, offset: 0, count: 4, out: v }
    expect: { ret: 4, vars: { v: 7 } }
  - thread: A
    ioctl: { fd: $fd, cmd: VFIO_DEVICE_GET_REGION_INFO, arg: { argsz: 32, index: 0 }, out: { fl: flags } }
    expect: { vars: { fl: 0x7 } }
`;
  const r = runScenario(loadScenario(text, 't.yaml'), { design: legacy });
  assert.deepEqual(r.failures, ['steps[1] (A: pread): expected $v 0x7, got 0x0']);
});
