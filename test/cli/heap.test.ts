import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tuneHeap } from '../../src/cli/heap.js';

test("the checker sets V8's heap growing factor unless node was given one", () => {
  assert.equal(tuneHeap([], ''), true);
  assert.equal(tuneHeap(['--heap-growing-percent=50'], ''), false);
  assert.equal(tuneHeap([], '--max-old-space-size=4096 --heap_growing_percent=20'), false);
  // Another heap flag is not a growing factor.
  assert.equal(tuneHeap(['--max-semi-space-size=8'], '--heap-growing-percentile'), true);
});
