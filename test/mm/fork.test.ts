import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { listLeaves } from '../../src/mm/pgtable.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { VM_DONTCOPY } from '../../src/mm/types.js';
import type { KernelState } from '../../src/kernel/state.js';
import { loadScenario } from '../../src/scenario/load.js';
import { scenarioModel } from '../../src/check/model.js';
import { bfs } from '../../src/check/bfs.js';
import { applyTransition } from '../../src/check/transitions.js';
import { findDesign } from '../../src/designs/index.js';
import type { Invariant } from '../../src/check/invariants/types.js';
import { violated } from '../../src/check/invariants/types.js';

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

/** fork racing the child's own actions: A forks C; C loads through and unmaps the inherited mapping. */
const FORK_THEN_CHILD = `name: fork+child
description: the child's actions against the parent's fork in flight
world:
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      bars:
        - { index: 0, size: 16K, base: 0xf0000000, is64: false }
  processes:
    - name: P
      threads: [A]
steps:
  - thread: A
    open: { device: gpu0 }
    as: fd
  - thread: A
    mmap: { length: 16K, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], fd: $fd, offset: "region(0)" }
    as: bar0
  - thread: A
    store: { addr: $bar0, value: 0x99 }
check:
  alphabet:
    A:
      - fork: { child: C }
    C:
      - load: { addr: $bar0 }
      - munmap: { addr: $bar0, length: 16K }
  maxActions: 1
  preemptions: 2
`;

/** The labels of kernel_clone a parent can be at while the child must not run yet. */
function forkInFlight(s: KernelState): boolean {
  return Object.values(s.tasks).some((t) => t.frames.some((f) => f.fn === 'kernel_clone'));
}

test('the checker never runs the child before kernel_clone reaches wake_up_new_task', () => {
  const sm = scenarioModel(loadScenario(FORK_THEN_CHILD, 'fork+child.yaml'), { design: findDesign('legacy')! });
  const childOf = (s: KernelState) => Object.values(s.tasks).find((t) => t.name === 'C');
  const early: Invariant = {
    name: 'child-runs-before-wake',
    rule: 'kernel_clone(): the child is TASK_NEW until wake_up_new_task()',
    check: ({ state, events }) => {
      const c = childOf(state);
      if (c === undefined || !forkInFlight(state)) return null;
      const ran = c.frames.length > 0 || events.some((e) => e.tid === c.tid);
      return ran || c.lastRet !== 0 ? violated(early, `child ${c.tid} at '${c.frames.at(-1)?.pc ?? 'user'}' before wake_up_new_task`) : null;
    },
  };
  const exists: Invariant = {
    name: 'child-exists-before-wake',
    rule: 'the child task is published at wake_up_new_task()',
    check: ({ state }) => (childOf(state) !== undefined && forkInFlight(state) ? violated(exists, 'child task before wake') : null),
  };
  const runs: Invariant = {
    name: 'child-runs',
    rule: 'sanity: the child does run after the fork',
    check: ({ state }) => ((childOf(state)?.frames.length ?? 0) > 0 ? violated(runs, 'child in the kernel') : null),
  };
  const r = bfs({ ...sm.model, invariants: [early, exists, runs] }, undefined, { por: false });
  assert.ok(!r.found.has('child-runs-before-wake'), 'the child ran while its parent was still in kernel_clone');
  assert.ok(!r.found.has('child-exists-before-wake'), 'the child was schedulable before wake_up_new_task');
  assert.ok(r.found.has('child-runs'), 'the child never ran: the test would be vacuous');
  const wake = r.found.get('child-runs')!.schedule;
  assert.ok(wake.length > 0);
});

test('kernel_clone publishes the child only at wake_up_new_task, after both mmap_locks are dropped', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, 4096));
  let s = applyTransition(m.state, w.design, { tid: A, action: { op: 'fork', child: 'C' } }).state;
  const step = (st: KernelState, tid: number) => applyTransition(st, w.design, { tid }).state;
  const seen: string[] = [];
  for (;;) {
    const task = s.tasks[A]!;
    const top = task.frames.at(-1);
    if (top === undefined) break;
    seen.push(top.pc);
    assert.equal(Object.values(s.tasks).some((t) => t.name === 'C'), false, `child visible at kernel_clone:${top.pc}`);
    if (top.pc === 'wake_up_new_task') assert.equal(task.held.length, 0, 'a lock held at wake_up_new_task');
    s = step(s, A);
  }
  assert.equal(seen.at(-1), 'wake_up_new_task');
  const c = Object.values(s.tasks).find((t) => t.name === 'C')!;
  assert.equal(c.lastRet, 0);
  assert.equal(c.frames.length, 0);
});
