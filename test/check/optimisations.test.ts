/*
 * The search's optimisations change nothing it reports, on every suite job:
 * - incremental invariant checking (an invariant is re-checked only after a
 *   step that wrote what it declares it reads) reports exactly what checking
 *   every invariant on every state reports: the same violations, messages
 *   and shortest lengths, and the same state and transition counts;
 * - the reduction (dominance and sleep sets from footprints) finds the same
 *   violated invariants with the same shortest lengths as `--no-por`, reaches
 *   exactly the same states (kernel states with the actions started: a
 *   dominated node's states are all reached from the node that dominates
 *   it), and keeps no more nodes and takes no more transitions.
 * (Incremental fingerprints: test/check/fingerprint.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareJob } from '../../src/check/job.js';
import { bfs } from '../../src/check/bfs.js';
import type { CheckResult } from '../../src/check/bfs.js';
import { jobsFor, suiteScenarios } from '../../src/cli/suite.js';

function summary(r: CheckResult): unknown {
  return {
    found: [...r.found].map(([name, f]) => [name, f.violation.message, f.schedule.length]).sort(),
    states: r.stats.states, transitions: r.stats.transitions, depth: r.stats.depth,
  };
}

const lengths = (r: CheckResult): Record<string, number> =>
  Object.fromEntries([...r.found].map(([name, f]) => [name, f.schedule.length]));

test('incremental and full invariant checks agree, and so do the reduced and unreduced searches, on every suite job', () => {
  let jobs = 0;
  let broken = 0;
  for (const spec of jobsFor(suiteScenarios(), { defects: [] }, true)) {
    let p;
    try {
      p = prepareJob(spec);
    } catch {
      continue; // a setup this design does not run (the suite test reports it)
    }
    const name = `${spec.source.file} ${spec.design} ${spec.arch}`;
    const full = bfs(p.m.model, undefined, { incremental: false });
    const incremental = bfs(p.m.model, undefined, { incremental: true });
    assert.deepEqual(summary(incremental), summary(full), name);
    const unreduced = bfs(p.m.model, undefined, { por: false });
    assert.deepEqual(lengths(unreduced), lengths(incremental), `${name}: --no-por`);
    assert.equal(incremental.stats.states, unreduced.stats.states, `${name}: the same states with and without the reduction`);
    assert.ok(incremental.stats.nodes! <= unreduced.stats.nodes! && incremental.stats.transitions <= unreduced.stats.transitions, name);
    jobs++;
    broken += full.found.size;
  }
  assert.ok(jobs > 100 && broken > 0, `${jobs} jobs, ${broken} violations compared`);
});
