import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobScenario, runJob } from '../../src/check/job.js';
import { jobsFor, suiteScenarios } from '../../src/cli/suite.js';
import type { JobSpec } from '../../src/check/job.js';
import { traceFile, parseTraceFile } from '../../src/check/trace-file.js';
import { replayTrace } from '../../src/check/replay.js';
import { cellsOf, surprises } from '../../src/check/results.js';
import { checkInvariantNames } from '../../src/scenario/check-section.js';
import { GUP_FAST, GUP_FAST_SHORTEST } from './fixtures.js';

const spec: JobSpec = { source: { text: GUP_FAST, file: 'gup.yaml' }, design: 'legacy', defects: [] };

test('the checker finds the known violation with its shortest schedule', () => {
  const r = runJob(spec);
  assert.equal(r.arch, 'x86_64-pte-special-only');
  assert.deepEqual(r.found.map((f) => f.invariant), ['gup-fast-agrees-with-gup']);
  const f = r.found[0]!;
  assert.equal(f.schedule.length, GUP_FAST_SHORTEST);
  assert.equal(f.schedule[0]!.action?.resolved.op, 'load');
  assert.deepEqual(f.schedule[0]!.action?.written, { load: { addr: '$bar0' } });
  assert.equal(f.schedule.filter((s) => s.action).length, 2);
  assert.equal(r.stats.complete, true);
  // Not declared in violates: one surprise; the other invariant holds (no surprise).
  const cells = cellsOf(r, checkInvariantNames());
  assert.equal(surprises(cells).length, 1);
  assert.equal(cells.find((c) => c.invariant === 'no-deadlock')!.status, 'n/a');
});

test('the same scenario on x86_64 holds: the PMD leaf is special there', () => {
  const r = runJob({ ...spec, arch: 'x86_64' });
  assert.deepEqual(r.found, []);
  assert.equal(r.stats.complete, true);
});

test('a trace file round-trips and replays to the same violation; a tampered schedule does not', () => {
  const r = runJob(spec);
  const tf = parseTraceFile(JSON.stringify(traceFile(spec, r, r.found[0]!)), 't.json');
  assert.equal(tf.version, 1);
  assert.equal(tf.scenario.source, GUP_FAST);
  assert.deepEqual(tf.defects, []);
  const ok = replayTrace(tf);
  assert.equal(ok.reproduced, true);
  assert.equal(ok.steps.length, GUP_FAST_SHORTEST);
  const cut = replayTrace({ ...tf, schedule: tf.schedule.slice(0, -1) });
  assert.equal(cut.reproduced, false);
});

test('stopping from the progress callback (Ctrl-C) keeps the results so far, marked incomplete', () => {
  let calls = 0;
  const r = runJob({ ...spec, arch: 'x86_64' }, () => {
    calls++;
    return false;
  });
  assert.equal(calls, 1);
  assert.equal(r.stats.complete, false);
  assert.equal(r.stats.stop, 'interrupted');
  const cells = cellsOf(r, checkInvariantNames());
  assert.ok(cells.filter((c) => c.status === 'holds').every((c) => !c.complete));
});

test('maxStates cuts the search and says so', () => {
  const r = runJob({ ...spec, arch: 'x86_64', maxStates: 10 });
  assert.equal(r.stats.stop, 'max-states');
  assert.equal(r.stats.complete, false);
  assert.ok(r.stats.states <= 10);
});

/** Freeze a value and everything it reaches, so that a write to it throws (every module is strict). */
function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const k of Reflect.ownKeys(v)) deepFreeze((v as Record<PropertyKey, unknown>)[k]);
}

test('a scenario is parsed once for all its jobs, which read it and never write it; a bad one fails every time', () => {
  const jobs = jobsFor(suiteScenarios(), { designs: ['legacy', 'dmabuf-vma@4'], archs: ['x86_64'] }, true);
  assert.equal(jobs.length, 2 * suiteScenarios().length);
  for (const j of jobs) deepFreeze(jobScenario(j));
  for (const j of jobs) {
    // A copy of the spec, as a worker gets it: the same file and text find the same parse.
    const again = jobScenario(structuredClone(j));
    assert.equal(again, jobScenario(j));
    assert.ok(Object.isFrozen(again.sc) && Object.isFrozen(again.raw));
    assert.ok(runJob(j).stats.states > 0, `${j.source.file} on ${j.design} runs on its frozen scenario`);
  }
  const bad: JobSpec = { source: { text: 'threads: [', file: 'bad.yaml' }, design: 'legacy', defects: [] };
  assert.throws(() => jobScenario(bad), /bad\.yaml/);
  assert.throws(() => jobScenario(bad), /bad\.yaml/);
});
