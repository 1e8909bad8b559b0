import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VisitedSet } from '../../src/check/visited.js';

test('adds once, finds again, survives growth, and keeps (0,0) distinct from empty', () => {
  const v = new VisitedSet(4);
  assert.equal(v.add({ hi: 0, lo: 0 }), true);
  assert.equal(v.add({ hi: 0, lo: 0 }), false);
  for (let i = 1; i <= 10_000; i++) assert.equal(v.add({ hi: i * 7919, lo: i }), true);
  assert.equal(v.size, 10_001);
  for (let i = 1; i <= 10_000; i++) assert.equal(v.has({ hi: i * 7919, lo: i }), true);
  assert.equal(v.has({ hi: 1, lo: 1 }), false);
});
