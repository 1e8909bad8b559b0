/* A search split among worker threads finds what the single-threaded search finds, and counts the same states. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareJob, runJob } from '../../src/check/job.js';
import type { JobResult, JobSpec } from '../../src/check/job.js';
import { balance, runJobs, runSplit, searchResourceLimits, SEARCH_YOUNG_GENERATION_MB } from '../../src/check/split.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';
import { bfs } from '../../src/check/bfs.js';
import { fewestNodes } from '../../src/check/dominance.js';

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

test('work stealing: after a level the largest frontier gives half the difference to the smallest', () => {
  assert.deepEqual([...balance([100, 20])], [[0, { give: { to: 1, count: 40 } }], [1, { receive: true }]]);
  assert.deepEqual([...balance([20, 30])], [], 'close enough: nothing moves');
  assert.deepEqual([...balance([10, 300, 0, 200])].sort(), [
    [0, { receive: true }], [1, { give: { to: 2, count: 150 } }], [2, { receive: true }], [3, { give: { to: 0, count: 95 } }],
  ]);
});

test('a split search whose frontiers drift apart (nodes move between workers) counts the same states, with and without the reduction', async () => {
  const s = jobsFor([loadForCheck('munmap+cmd-disable')], { designs: ['dmabuf-vma@1'], archs: ['x86_64'], defects: [] }, false)[0]!;
  for (const por of [true, false]) {
    const one = runJob({ ...s, por });
    const r = (await runSplit({ ...s, por }, 2, new SharedArrayBuffer(4))).result!;
    assert.equal(r.stats.workers, 2);
    assert.deepEqual(lengths(r), lengths(one));
    assert.equal(r.stats.states, one.stats.states);
    if (!por) assert.equal(r.stats.nodes, one.stats.nodes, 'without the reduction every node is kept once');
  }
});

test('a split search keeps the same nodes as one thread: no worker filters against fronts another has moved on from', async () => {
  // Workers used to start the next level while another was still dropping the nodes of its frontier that a
  // node kept elsewhere dominates: the nodes one level deeper in the shared fronts made it drop nodes it had to
  // expand (their states were then reached a level later). A race, so several runs.
  const s = jobsFor([loadForCheck('munmap+cmd-disable')], { designs: ['dmabuf-vma@4'], archs: ['x86_64'], defects: [] }, false)[0]!;
  const nodeLog: number[] = [];
  bfs(prepareJob(s).m.model, undefined, { por: false, nodeLog });
  const floor = fewestNodes(nodeLog);
  for (let i = 0; i < 4; i++) {
    const r = (await runSplit(s, 2, new SharedArrayBuffer(4))).result!;
    assert.equal(r.stats.workers, 2);
    assert.equal(r.stats.nodes, floor, `run ${i + 1}`);
  }
});

test('work stealing within levels: 2 and 3 workers on a job of uneven nodes take nodes inside levels and find what one thread finds; off, none move', async () => {
  // Nodes of this job differ in cost (tasks inside the kernel or not), so a worker runs out of its level first.
  const s = jobsFor([loadForCheck('munmap+cmd-disable')], { designs: ['dmabuf-vma@1'], archs: ['x86_64'], defects: [] }, false)[0]!;
  const one = runJob(s);
  let stolen = 0;
  for (const n of [2, 3]) {
    for (const steal of [true, false]) {
      const o = await runSplit(s, n, new SharedArrayBuffer(4), undefined, steal);
      const r = o.result!;
      assert.equal(r.stats.workers, n);
      assert.deepEqual(lengths(r), lengths(one), `${n} workers, stealing ${steal}: the same violations at the same lengths`);
      assert.equal(r.stats.states, one.stats.states);
      assert.equal(r.stats.complete, true);
      assert.equal(o.split!.stolen.length, n);
      if (steal) stolen += o.split!.stolen.reduce((a, b) => a + b, 0);
      else assert.deepEqual(o.split!.stolen, new Array(n).fill(0), 'with stealing off no node moves within a level');
    }
  }
  // Whether a worker runs out while another still has 32 nodes left depends on the threads' timing: a few more tries.
  for (let i = 0; i < 6 && stolen === 0; i++) {
    const o = await runSplit(s, 2, new SharedArrayBuffer(4), undefined, true);
    assert.equal(o.result!.stats.states, one.stats.states);
    stolen += o.split!.stolen.reduce((a, b) => a + b, 0);
  }
  assert.ok(stolen > 0, 'some worker took nodes of another inside a level');
});

test('a single search gets a capped young generation unless node was given a young-generation flag; a pool of jobs keeps the default', () => {
  const capped = { maxYoungGenerationSizeMb: SEARCH_YOUNG_GENERATION_MB };
  assert.deepEqual(searchResourceLimits(true, [], ''), capped);
  assert.deepEqual(searchResourceLimits(false, [], ''), {});
  assert.deepEqual(searchResourceLimits(true, ['--max-semi-space-size=8'], ''), {}, 'node was given the size on its command line');
  assert.deepEqual(searchResourceLimits(true, [], '--inspect --max_young_generation_size=32'), {}, 'or in NODE_OPTIONS');
  assert.deepEqual(searchResourceLimits(true, ['--heap-growing-percent=100'], '--max-old-space-size=4096'), capped, 'other heap flags do not count');
});
