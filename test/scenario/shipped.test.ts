/* End to end: every shipped scenario runs on its own arch profile with every expect met. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/check/run.js';
import { findDesign, DEFAULT_DESIGN } from '../../src/designs/index.js';

const DIR = join(fileURLToPath(new URL('../../../', import.meta.url)), 'scenarios');

for (const f of readdirSync(DIR).filter((x) => /\.(ya?ml|json)$/.test(x)).sort()) {
  test(`scenario ${f} meets its expects on its default arch`, () => {
    const sc = loadScenario(readFileSync(join(DIR, f), 'utf8'), `scenarios/${f}`);
    const r = runScenario(sc, { design: findDesign(DEFAULT_DESIGN)! });
    assert.deepEqual(r.failures, []);
    assert.equal(r.steps.length, sc.steps.length, 'every step ran');
    assert.ok(r.steps.every((s) => s.stop === 'done' || s.stop === 'label'));
  });
}
