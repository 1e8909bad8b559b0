import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PATH_NAMES } from '../../../src/kernel/sched/registry.js';
import { DESIGNS } from '../../../src/designs/index.js';

test('the path registry names exactly the paths of the upstream model and the built-in designs', () => {
  const defined = new Set<string>();
  for (const d of DESIGNS) for (const name of d.paths.keys()) defined.add(name);
  const listed = new Set<string>(PATH_NAMES);
  assert.deepEqual([...listed].filter((n) => !defined.has(n)), [], 'listed in registry.ts but defined by no design');
  assert.deepEqual([...defined].filter((n) => !listed.has(n)).sort(), [], 'defined but missing from registry.ts');
});

test('every path of every built-in design is registered under its own name', () => {
  for (const d of DESIGNS) {
    for (const [name, p] of d.paths) assert.equal(p.name, name, `${d.name}: path ${name}`);
  }
});
