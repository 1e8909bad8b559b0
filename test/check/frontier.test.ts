import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frontier } from '../../src/check/frontier.js';
import type { FrontierNode } from '../../src/check/frontier.js';
import { Search } from '../../src/check/bfs.js';
import { fingerprint, fingerprintKept, hashValue } from '../../src/check/fingerprint.js';
import { prepareJob } from '../../src/check/job.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';
import type { KernelState } from '../../src/kernel/state.js';

/** A search of fork+reset grown until its frontier has at least `min` nodes. */
function grown(min: number): Search {
  const spec = jobsFor([loadForCheck('fork+reset')], { designs: ['legacy'], archs: ['x86_64'], defects: [], maxActions: 2 }, false)[0]!;
  const search = new Search(prepareJob(spec).m.model);
  while (!search.done && search.frontier.length < min) search.expandLevel();
  return search;
}

/** The search's frontier as plain objects (states rebuilt), to push again. */
function nodesOf(search: Search): FrontierNode[] {
  return [...search.frontier];
}

test('a node comes back from the frontier equal, with its fingerprint kept, across several chunks', () => {
  const search = grown(3000);
  const nodes = nodesOf(search);
  assert.ok(nodes.length >= 3000, `${nodes.length} nodes`);
  const f = new Frontier(search.model.initial);
  nodes.forEach((n, i) => f.push({ ...n, idx: i, sleep: i % 3 === 0 ? new Set([`t${i}`]) : null }));
  assert.equal(f.length, nodes.length);
  assert.ok(f.parts.length >= 2, 'more nodes than one chunk holds');
  const back = [...f];
  for (let i = 0; i < nodes.length; i++) {
    const a = nodes[i]!;
    const b = back[i]!;
    assert.notEqual(b.state, a.state, 'a new root');
    assert.deepEqual(b.state, a.state);
    assert.ok(fingerprintKept(b.state), 'the rebuilt state carries its fingerprint');
    assert.deepEqual(fingerprint(b.state), fingerprint(a.state));
    // The tables are the same objects: nothing is copied, and the sums cached on them still serve.
    assert.equal(b.state.tasks, a.state.tasks);
    assert.deepEqual([b.idx, b.hi, b.lo, b.last, b.preemptions, b.depth], [i, a.hi, a.lo, a.last, a.preemptions, a.depth]);
    assert.equal(b.used, a.used);
    assert.deepEqual(b.usedHash, hashValue(a.used));
    assert.deepEqual(b.sleep, i % 3 === 0 ? new Set([`t${i}`]) : null);
  }
});

test('filter keeps the nodes it accepts in order, take returns the last ones, and pushing goes on after both', () => {
  const search = grown(3000);
  const nodes = nodesOf(search);
  const f = new Frontier(search.model.initial);
  nodes.forEach((n, i) => f.push({ ...n, idx: i }));
  f.filter((c, j) => c.hiAt(j) % 2 === 0);
  const even = nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.hi % 2 === 0);
  assert.equal(f.length, even.length);
  assert.deepEqual([...f].map((n) => n.idx), even.map(({ i }) => i));
  const taken = f.take(5);
  assert.deepEqual(taken.map((n) => n.idx), even.slice(-5).map(({ i }) => i));
  assert.equal(f.length, even.length - 5);
  // More nodes after a filter and a take land after the ones kept.
  f.push({ ...nodes[0]!, idx: 999_999 });
  const all = [...f];
  assert.equal(all.length, even.length - 4);
  assert.equal(all[all.length - 1]!.idx, 999_999);
  assert.deepEqual(all[all.length - 1]!.state, nodes[0]!.state);
  // A take across a chunk boundary.
  const many = f.take(f.length - 1);
  assert.equal(f.length, 1);
  assert.deepEqual([...f].map((n) => n.idx), [even[0]!.i]);
  assert.equal(many[many.length - 1]!.idx, 999_999);
  f.clear();
  assert.equal(f.length, 0);
  assert.deepEqual([...f], []);
});

test('a state with a root field the initial state has not is refused, not stored without it', () => {
  const search = grown(1);
  const n = [...search.frontier][0]!;
  const f = new Frontier(search.model.initial);
  const odd = { ...n.state, extra: 1 } as unknown as KernelState;
  assert.throws(() => f.push({ ...n, state: odd }), /root field 'extra'/);
});
