import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cell } from '../../src/check/results.js';
import { notRunCells } from '../../src/check/results.js';
import { matrixLines, scenarioLines } from '../../src/report/matrix.js';

const holds = (scenario: string, design: string): Cell => ({ scenario, design, arch: 'x86_64', invariant: 'inv', status: 'holds', complete: true, expected: false, ok: true });

test('a job that never ran is "not run", and a column with one is marked *, never a plain "holds"', () => {
  const cells = [holds('s', 'a'), ...notRunCells({ scenario: 't', design: 'a', arch: 'x86_64' }, ['inv']), ...notRunCells({ scenario: 't', design: 'b', arch: 'x86_64' }, ['inv'])];
  const m = matrixLines(cells).join('\n');
  assert.match(m, /inv +holds\* +not run\*/);
  assert.match(scenarioLines(cells).join('\n'), /t {2}b\/x86_64: not run/);
  assert.match(matrixLines([holds('s', 'a')], 'not found').join('\n'), /inv +not found/);
});
