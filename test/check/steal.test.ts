/* Work stealing within a level: the control block, and a split search that is cut or stopped ends for every worker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { receiveMessageOnPort } from 'node:worker_threads';
import { resetSteal, stealControl, stealPorts } from '../../src/check/steal.js';
import { runSplit } from '../../src/check/split.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';

test('the control block starts with every worker busy and nobody asking; each pair of workers shares a channel', () => {
  const buf = stealControl(3);
  const ctl = new Int32Array(buf);
  assert.deepEqual([...ctl], [3, 0, 0, 0, 0, 0]);
  ctl[0] = 0;
  ctl[2] = 1;
  ctl[4] = 1;
  resetSteal(buf, 3);
  assert.deepEqual([...ctl], [3, 0, 0, 0, 0, 0], 'reset for the next level (the wake counter may run on)');
  const ports = stealPorts(3);
  for (let i = 0; i < 3; i++) assert.equal(ports[i]![i], null);
  ports[0]![2]!.postMessage([1]);
  assert.deepEqual(receiveMessageOnPort(ports[2]![0]!)?.message, [1], 'worker 2 reads what worker 0 sent, synchronously');
  assert.equal(receiveMessageOnPort(ports[1]![0]!), undefined);
  for (const row of ports) for (const p of row) p?.close();
});

const job = (maxStates?: number) =>
  jobsFor([loadForCheck('munmap+cmd-disable')], { designs: ['dmabuf-vma@1'], archs: ['x86_64'], defects: [], ...(maxStates ? { maxStates } : {}) }, false)[0]!;

test('a split search with stealing cut by --max-states ends for every worker, incomplete', async () => {
  for (const n of [2, 3]) {
    const r = (await runSplit(job(1500), n, new SharedArrayBuffer(4), undefined, true)).result!;
    assert.equal(r.stats.complete, false);
    assert.ok(r.stats.states >= 1500);
  }
});

test('a split search with stealing stopped by the stop flag (Ctrl-C) ends for every worker, incomplete', async () => {
  // The bench's big search (about 213k states): stopped long before it could end by itself.
  const big = jobsFor([loadForCheck('fork+reset')], { designs: ['legacy'], archs: ['x86_64'], defects: [], maxActions: 2, preemptions: 3 }, false)[0]!;
  const stop = new SharedArrayBuffer(4);
  const r = (await runSplit(big, 2, stop, (p) => { if (p.states > 3000) Atomics.store(new Int32Array(stop), 0, 1); }, true)).result!;
  assert.equal(r.stats.complete, false);
  assert.ok(r.stats.states < 100_000);
});
