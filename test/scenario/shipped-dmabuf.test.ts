/* The shipped dma-buf scenarios per design and with defects off: what the scenario descriptions claim. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/check/run.js';
import { DESIGNS, findDesign } from '../../src/designs/index.js';
import { expectedViolations } from '../../src/scenario/check-section.js';

const DIR = join(fileURLToPath(new URL('../../../', import.meta.url)), 'scenarios');
const load = (name: string) => loadScenario(readFileSync(join(DIR, `${name}.yaml`), 'utf8'), `scenarios/${name}.yaml`);

test('export+cmd-disable meets its expects and breaks nothing on every design', () => {
  const sc = load('export+cmd-disable');
  for (const d of DESIGNS) {
    const r = runScenario(sc, { design: d });
    assert.deepEqual(r.failures, [], d.name);
    assert.deepEqual(r.violations, [], d.name);
  }
});

test('close+dma: the DMA between disable and cleanup hits a disabled BAR where cleanup runs second', () => {
  const sc = load('close+dma');
  for (const d of DESIGNS) {
    const r = runScenario(sc, { design: d });
    const dma = r.steps[5]!;
    const outcome = dma.events.find((e) => e.kind === 'access' && e.fn === 'dma')?.args['outcome'];
    const broken = r.violations.map((v) => `${v.invariant}@${v.step}`);
    if (expectedViolations(sc, d.name, sc.world.arch).length > 0) {
      assert.equal(outcome, 'unsupported-request', d.name);
      assert.deepEqual(broken, ['no-access-to-disabled-bar@5'], d.name);
    } else {
      // the cleanup revoked the buffer before the disable: the importer had already unmapped
      assert.equal(outcome, 'no-mapping', d.name);
      assert.equal(dma.ret, -5, d.name);
      assert.deepEqual(broken, [], d.name);
    }
  }
  assert.deepEqual(DESIGNS.filter((d) => expectedViolations(sc, d.name, 'x86_64').length === 0).map((d) => d.name), ['rfc', 'shared-base']);
});

test('pin+cmd-disable.B16: with the defect the pin survives the revoke; without it the pin is refused', () => {
  const sc = load('pin+cmd-disable.B16');
  const legacy = findDesign('legacy')!;
  const on = runScenario(sc, { design: legacy });
  assert.deepEqual(on.failures, []);
  assert.deepEqual(on.violations.map((v) => `${v.invariant}@${v.step}`), ['no-mapping-survives-revoke@5', 'no-access-to-disabled-bar@6']);
  const off = runScenario(sc, { design: legacy, defects: [] });
  assert.equal(off.steps[3]!.ret, -95, 'dma_buf_pin -> -EOPNOTSUPP');
  assert.deepEqual(off.violations, []);
});

test('dmabuf-mmap is v6.19-only: the designs that mmap a dma-buf return a mapping', () => {
  const sc = load('dmabuf-mmap');
  assert.deepEqual(runScenario(sc, { design: findDesign('legacy')! }).failures, []);
  for (const name of ['rfc', 'dmabuf-vma@5', 'shared-base']) {
    const r = runScenario(sc, { design: findDesign(name)! });
    assert.ok(r.steps[2]!.ret !== undefined && r.steps[2]!.ret > 0, `${name} maps the dma-buf`);
  }
});
