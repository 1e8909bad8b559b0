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

test('a stored state costs at most 15 bytes once the table has grown', () => {
  const v = new VisitedSet(16);
  for (let i = 1; i <= 200_000; i++) {
    v.add({ hi: Math.imul(i, 0x9e3779b1) >>> 0, lo: i });
    if (i > 1000) assert.ok(v.bytes / v.size <= 15.05, `${v.bytes / v.size} bytes per state at ${i}`);
  }
  assert.equal(v.size, 200_000);
});
