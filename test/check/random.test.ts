import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../src/check/job.js';
import type { JobSpec } from '../../src/check/job.js';
import { shrink } from '../../src/check/shrink.js';
import type { Transition } from '../../src/check/transitions.js';
import { traceFile } from '../../src/check/trace-file.js';
import { replayTrace } from '../../src/check/replay.js';
import { GUP_FAST, GUP_FAST_SHORTEST } from './fixtures.js';

const spec: JobSpec = {
  source: { text: GUP_FAST, file: 'gup.yaml' }, design: 'legacy', defects: [], maxActions: 4,
  random: { seed: 7, walks: 20, depth: 80 },
};

test('random walks find the violation and shrink it to the shortest schedule, the same for the same seed', () => {
  const a = runJob(spec);
  const f = a.found.find((x) => x.invariant === 'gup-fast-agrees-with-gup');
  assert.ok(f, 'found');
  assert.equal(f.schedule.length, GUP_FAST_SHORTEST);
  const b = runJob(spec);
  assert.deepEqual(b.found, a.found);
  assert.equal(replayTrace(traceFile(spec, a, f)).reproduced, true);
});

test('shrink drops whole actions and single transitions down to a 1-minimal schedule', () => {
  // Fails when the schedule contains an action of task 1 followed, later, by a step of task 2.
  const sched: Transition[] = [
    { tid: 2, action: { op: 'exit' } }, { tid: 2 }, { tid: 1, action: { op: 'exit' } }, { tid: 1 }, { tid: 2 }, { tid: 1 },
  ];
  const fails = (c: readonly Transition[]): boolean => {
    const i = c.findIndex((t) => t.tid === 1 && t.action);
    return i >= 0 && c.slice(i + 1).some((t) => t.tid === 2);
  };
  const small = shrink(sched, fails);
  assert.ok(fails(small));
  assert.equal(small.length, 2);
  for (let i = 0; i < small.length; i++) assert.equal(fails(small.filter((_, j) => j !== i)), false);
});
