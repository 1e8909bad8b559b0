/*
 * Footprints (src/check/footprint.ts): what a step reads and writes decides
 * which steps commute. A task's identity (its row existing, its tid, pid and
 * name) is apart from the frames its steps write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareJob } from '../../src/check/job.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';
import { Footprint, conflict, draft } from '../../src/check/footprint.js';
import type { Kernel } from '../../src/kernel/kernel.js';

const model = prepareJob(jobsFor([loadForCheck('fork+reset')], { designs: ['legacy'], archs: ['x86_64'], defects: [] }, false)[0]!).m.model;
const tid = Number(Object.keys(model.initial.tasks)[0]);

function footprint(step: (k: Kernel) => void): Footprint {
  const fp = new Footprint();
  const k = draft(model.initial, model.design, fp);
  step(k);
  k.finish();
  return fp;
}

test("naming a task through k.state reads its identity, which its own steps' frame writes leave alone", () => {
  const names = footprint((k) => assert.equal(typeof k.state.tasks[tid]!.name, 'string'));
  const frames = footprint((k) => { k.mut('tasks', tid).frames = []; });
  assert.equal(conflict(names, frames), null);
  // The rest of the row is the row: reading what it holds conflicts with that write.
  const held = footprint((k) => assert.ok(Array.isArray(k.state.tasks[tid]!.held)));
  assert.equal(conflict(held, frames), `tasks:${tid}`);
});

test("removing a task's row changes its identity, so a step that named it does not commute with the removal", () => {
  const names = footprint((k) => assert.equal(typeof k.state.tasks[tid]!.pid, 'number'));
  const gone = footprint((k) => k.remove('tasks', tid));
  assert.equal(conflict(names, gone), `identity:${tid}`);
  // A whole-row read (k.get) reads the identity and the wait state too.
  const whole = footprint((k) => k.get('tasks', tid));
  assert.notEqual(conflict(whole, gone), null);
});
