/* Dominance between nodes of one state, summarised in a front (src/check/dominance.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dominated, fewestNodes, superseded, withNode, FRONT_SLOTS, MAX_PRE } from '../../src/check/dominance.js';

/** The definition: R = (slot r, pre p) dominates Q = (slot q, pre p') when p + [r ≠ 0 and r ≠ q] ≤ p'. */
const dominates = (r: readonly [number, number], q: readonly [number, number]): boolean =>
  r[1] + (r[0] !== 0 && r[0] !== q[0] ? 1 : 0) <= q[1];

const node = fc.tuple(fc.integer({ min: 0, max: FRONT_SLOTS - 1 }), fc.integer({ min: 0, max: MAX_PRE }));

test('a front answers "does a kept node dominate this one" as the definition does', () => {
  fc.assert(fc.property(fc.array(node, { maxLength: 6 }), node, (kept, q) => {
    let front = 0;
    const held: (readonly [number, number])[] = [];
    for (const k of kept) {
      if (dominated(front, k[0], k[1])) continue;
      front = withNode(front, k[0], k[1]);
      held.push(k);
    }
    assert.equal(dominated(front, q[0], q[1]), held.some((r) => dominates(r, q)));
    // A kept node is superseded exactly when another kept node dominates it.
    for (const x of held) {
      assert.equal(superseded(front, x[0], x[1]), held.some((r) => (r[0] !== x[0] || r[1] !== x[1]) && dominates(r, x)) ||
        held.some((r) => r[0] === x[0] && r[1] < x[1]));
    }
  }));
});

test('dominance is never mutual between different nodes, so the level-end filter keeps the maximal ones', () => {
  fc.assert(fc.property(node, node, (a, b) => {
    if (a[0] === b[0] && a[1] === b[1]) return;
    assert.ok(!(dominates(a, b) && dominates(b, a)));
  }));
});

test('fewestNodes counts the nodes no other node of the same state at the same or a smaller depth dominates', () => {
  // Rows: key hi, key lo, last task, preemptions, depth.
  const log = [
    1, 1, 0, 0, 0, // state X: the only node
    2, 2, 7, 1, 3, // state Y: needed
    2, 2, 8, 1, 3, // needed: (7, 1) and (8, 1) do not dominate each other
    2, 2, 0, 2, 3, // dominated by (7, 1) at the same depth: 1 + 1 <= 2
    2, 2, 8, 0, 5, // deeper but nothing dominates it: needed
    2, 2, 8, 2, 6, // dominated by (8, 0) at a smaller depth
    2, 2, 0, 0, 9, // dominates every node of Y, but found deeper than them: needed
    3, 2, 7, 2, 1, // state Z (another key): needed
  ];
  assert.equal(fewestNodes(log), 6);
  assert.equal(fewestNodes([]), 0);
});
