/* Shards of a search merged give what one run gives: violations, shortest lengths, distinct states. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../src/check/job.js';
import type { JobResult, JobSpec } from '../../src/check/job.js';
import { mergeOutcomes, MergeError } from '../../src/check/merge.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';

function spec(name: string, arch?: string): JobSpec {
  return jobsFor([loadForCheck(name)], { designs: ['legacy'], ...(arch ? { archs: [arch] } : {}) }, false)[0]!;
}

const lengths = (r: JobResult): Record<string, number> =>
  Object.fromEntries(r.found.map((f) => [f.invariant, f.schedule.length]));

for (const [name, arch] of [['o_direct+cmd-disable', 'x86_64-pte-special-only'], ['fault+fault.B6', undefined]] as const) {
  test(`${name}: merging N shards equals one run (N = 2, 3)`, () => {
    const s = spec(name, arch);
    const one = runJob(s);
    assert.ok(one.found.length > 0, 'the job breaks something, so the test compares violations');
    for (const n of [2, 3]) {
      const shards = [...Array(n).keys()].map((i) => ({ spec: { ...s, shard: { index: i, count: n } }, result: runJob({ ...s, shard: { index: i, count: n } }) }));
      // Each shard expands only part of the nodes past the split level (its part may still reach every
      // state: the space reconverges, so states are no measure of the part).
      assert.ok(shards.every((x) => (x.result.stats.nodes ?? 0) < (one.stats.nodes ?? 0)), 'each shard is smaller than the whole');
      const merged = mergeOutcomes(shards);
      assert.equal(merged.length, 1);
      const r = merged[0]!.result!;
      assert.equal(r.shard, undefined);
      assert.deepEqual(lengths(r), lengths(one));
      assert.equal(r.stats.states, one.stats.states, 'the union of the shards\' visited keys is the single run\'s state set');
      assert.equal(r.stats.complete, true);
      // The shards overlap (the levels before the split), so summing their counts would over-count.
      assert.ok(shards.reduce((a, x) => a + x.result.stats.states, 0) > one.stats.states);
    }
  });
}

test('merge refuses a missing or repeated shard', () => {
  const s = spec('fault+fault.B6');
  const at = (i: number) => ({ spec: { ...s, shard: { index: i, count: 3 } }, result: runJob({ ...s, shard: { index: i, count: 3 } }) });
  const [a, b] = [at(0), at(1)];
  assert.throws(() => mergeOutcomes([a, b]), (e: unknown) => e instanceof MergeError && /2\/3 missing/.test(e.message));
  assert.throws(() => mergeOutcomes([a, a, b]), (e: unknown) => e instanceof MergeError && /given twice/.test(e.message));
});

test('merge refuses a shard whose scenario, bounds or design source differ from its peers', () => {
  const s = spec('fault+fault.B6');
  const at = (i: number) => ({ spec: { ...s, shard: { index: i, count: 2 } }, result: runJob({ ...s, shard: { index: i, count: 2 } }) });
  const [a, b] = [at(0), at(1)];
  const refuses = (o: typeof b, what: RegExp): void => {
    assert.throws(() => mergeOutcomes([a, o]), (e: unknown) => e instanceof MergeError && /shard 1\/2 differs from shard 0\/2/.test(e.message) && what.test(e.message));
  };
  refuses({ ...b, spec: { ...b.spec, source: { ...b.spec.source, text: b.spec.source.text + '\n# edited\n' } } }, /scenario text/);
  refuses({ ...b, result: { ...b.result, bounds: { ...b.result.bounds, maxActions: b.result.bounds.maxActions + 1 } } }, /bounds/);
  refuses({ ...b, result: { ...b.result, por: false } }, /reduction/);
  // a later barmap records the design's source hash on the spec: a different one is refused
  refuses({ ...b, spec: { ...b.spec, designHash: 'abc' } as typeof b.spec }, /design hash/);
  assert.equal(mergeOutcomes([a, b]).length, 1);
});
