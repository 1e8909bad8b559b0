import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tuneHeap } from '../../src/cli/heap.js';
import { MAIN } from './helpers.js';

test("the checker sets V8's heap growing factor unless node was given one", () => {
  assert.equal(tuneHeap([], ''), true);
  assert.equal(tuneHeap(['--heap-growing-percent=50'], ''), false);
  assert.equal(tuneHeap([], '--max-old-space-size=4096 --heap_growing_percent=20'), false);
  // Another heap flag is not a growing factor.
  assert.equal(tuneHeap(['--max-semi-space-size=8'], '--heap-growing-percentile'), true);
});

/** `barmap check` on the B12 job, with these node flags and NODE_OPTIONS. */
function runB12(nodeOptions: string, nodeFlags: readonly string[] = []): { states: number; found: string[] } {
  const r = spawnSync(process.execPath, [...nodeFlags, MAIN, 'check', 'fault+fault.B12', '--design', 'legacy', '--arch', 'x86_64', '--workers', '1', '--json'], {
    encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  assert.equal(r.status, 0, r.stderr);
  const job = (JSON.parse(r.stdout) as { jobs: { stats: { states: number }; found: { invariant: string }[] }[] }).jobs[0]!;
  return { states: job.stats.states, found: job.found.map((f) => f.invariant) };
}

test('barmap check with NODE_OPTIONS=--max-semi-space-size (the young generation sized by the user) finds what it finds without', () => {
  const own = runB12('--max-semi-space-size=8');
  assert.ok(own.states > 0 && own.found.length > 0, 'the B12 job finds its violation');
  assert.deepEqual(own, runB12(''));
});

test('node --heap-growing-percent=N before barmap check (the README\'s way to set your own factor) finds what it finds without', () => {
  const own = runB12('', ['--heap-growing-percent=100']);
  assert.ok(own.states > 0 && own.found.length > 0, 'the B12 job finds its violation');
  assert.deepEqual(own, runB12(''));
});
