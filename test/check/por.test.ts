/*
 * Soundness of the partial-order reduction: on small bounds, for every
 * built-in design and every defect scenario, the reduced search finds the
 * same violated invariants with the same shortest lengths as the search that
 * explores every interleaving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareJob, runJob } from '../../src/check/job.js';
import type { JobResult, JobSpec } from '../../src/check/job.js';
import { jobsFor, loadForCheck, suiteScenarios } from '../../src/cli/suite.js';
import { bfs } from '../../src/check/bfs.js';
import { fewestNodes } from '../../src/check/dominance.js';
import { DEFECTS } from '../../src/designs/defects.js';
import { DESIGNS } from '../../src/designs/index.js';

const lengths = (r: JobResult): Record<string, number> =>
  Object.fromEntries(r.found.map((f) => [f.invariant, f.schedule.length]));

function compare(spec: JobSpec): { reduced: JobResult; full: JobResult } | null {
  try {
    prepareJob(spec);
  } catch {
    return null; // a scenario whose setup this design does not run (the suite test reports it)
  }
  const full = runJob({ ...spec, por: false });
  const reduced = runJob({ ...spec, por: true });
  assert.deepEqual(lengths(reduced), lengths(full), `${spec.source.file} ${spec.design} ${spec.arch}`);
  assert.ok(reduced.stats.transitions <= full.stats.transitions);
  // Dominance drops nodes, never states: every state the full search reaches, the reduced one reaches.
  assert.equal(reduced.stats.states, full.stats.states, `${spec.source.file} ${spec.design} ${spec.arch}: states`);
  assert.ok(reduced.stats.nodes! <= full.stats.nodes!);
  return { reduced, full };
}

test('reduced and unreduced searches agree on every built-in design (suite scenarios, small bounds)', () => {
  let broken = 0;
  let ran = 0;
  for (const spec of jobsFor(suiteScenarios(), {
    designs: DESIGNS.map((d) => d.name), archs: ['x86_64-pte-special-only'], maxActions: 1, preemptions: 1, defects: [],
  }, true)) {
    const r = compare(spec);
    if (!r) continue;
    ran++;
    broken += r.full.found.length;
  }
  assert.ok(ran > 0);
  assert.ok(broken > 0, 'some job breaks an invariant, so lengths are compared');
});

test('reduced and unreduced searches agree on every defect scenario', () => {
  for (const d of DEFECTS) {
    for (const spec of jobsFor([loadForCheck(d.scenario)], {}, false)) {
      const r = compare(spec);
      assert.ok(r, `${d.scenario} sets up`);
      assert.ok(r.full.found.some((f) => f.invariant === d.breaks), `${d.scenario} breaks ${d.breaks}`);
    }
  }
});

test('the reduced search keeps the fewest nodes its argument allows (the bench\'s reduction job)', () => {
  // Every node of the unreduced search that no node at the same or a smaller depth dominates must be
  // kept (docs/check.md, "Why the results are kept"); the reduction keeps exactly those, no more.
  const spec = jobsFor([loadForCheck('munmap+cmd-disable')], { designs: ['dmabuf-vma@4'], archs: ['x86_64'], defects: [] }, false)[0]!;
  const model = prepareJob(spec).m.model;
  const nodeLog: number[] = [];
  const full = bfs(model, undefined, { por: false, nodeLog });
  const reduced = bfs(model, undefined, {});
  assert.equal(nodeLog.length / 5, full.stats.nodes, 'one row per node kept');
  assert.equal(reduced.stats.states, full.stats.states);
  assert.equal(reduced.stats.nodes, fewestNodes(nodeLog));
  assert.ok(reduced.stats.nodes! < full.stats.nodes!);
});
