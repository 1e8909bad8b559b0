/* A search split among worker threads finds what the single-threaded search finds, and counts the same states. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../src/check/job.js';
import type { JobResult, JobSpec } from '../../src/check/job.js';
import { runJobs, runSplit } from '../../src/check/split.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';

const lengths = (r: JobResult): Record<string, number> =>
  Object.fromEntries(r.found.map((f) => [f.invariant, f.schedule.length]));

function spec(name: string, arch?: string): JobSpec {
  return jobsFor([loadForCheck(name)], { designs: ['legacy'], ...(arch ? { archs: [arch] } : {}) }, false)[0]!;
}

for (const [name, arch] of [['o_direct+cmd-disable', 'x86_64-pte-special-only'], ['fault+fault.B12', undefined]] as const) {
  test(`${name}: 2 and 3 workers find the same violations, lengths and state count as one thread`, async () => {
    const s = spec(name, arch);
    const one = runJob(s);
    for (const n of [2, 3]) {
      const o = await runSplit(s, n, new SharedArrayBuffer(4));
      const r = o.result!;
      assert.equal(r.stats.workers, n, 'the search was split');
      assert.deepEqual(lengths(r), lengths(one));
      assert.equal(r.stats.states, one.stats.states);
      assert.equal(r.stats.complete, true);
    }
  });
}

test('a split shard keeps its visited keys, and a pool runs many jobs with the same results', async () => {
  const s = spec('fault+fault.B6');
  const sharded = { ...s, shard: { index: 1, count: 2 } };
  const alone = runJob(sharded);
  const split = (await runSplit(sharded, 2, new SharedArrayBuffer(4))).result!;
  assert.equal(split.stats.states, alone.stats.states);
  assert.ok(split.keys && alone.keys);
  assert.equal(Buffer.from(split.keys, 'base64').length, alone.stats.states * 8);
  const jobs = [s, spec('fault+fault.B12'), spec('cmd-disable+access.B3')];
  const pooled = await runJobs(jobs, { workers: 2, stop: new SharedArrayBuffer(4) });
  for (const [i, o] of pooled.entries()) assert.deepEqual(lengths(o.result!), lengths(runJob(jobs[i]!)));
});
