/* The shipped device life-cycle and world-option scenarios on every design. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/check/run.js';
import { DESIGNS } from '../../src/designs/index.js';
import { expectedViolations } from '../../src/scenario/check-section.js';

const DIR = join(fileURLToPath(new URL('../../../', import.meta.url)), 'scenarios');
const load = (name: string) => loadScenario(readFileSync(join(DIR, `${name}.yaml`), 'utf8'), `scenarios/${name}.yaml`);

for (const name of ['group-container', 'cdev-unbound', 'unbind+close', 'low-power+fault', 'export-variant-driver']) {
  test(`${name} meets its expects and breaks nothing on every design`, () => {
    const sc = load(name);
    for (const d of DESIGNS) {
      const r = runScenario(sc, { design: d });
      // dmabuf-vma@1-3's zap misses the dma-buf behind each BAR VMA: the check section says so
      if (expectedViolations(sc, d.name, sc.world.arch).length > 0) continue;
      assert.deepEqual(r.failures, [], d.name);
      assert.deepEqual(r.violations, [], d.name);
    }
  });
}

test('dmabuf-no-move-notify: v6.19 designs refuse both maps; the v7.1 stacks have no such option', () => {
  const sc = load('dmabuf-no-move-notify');
  for (const d of DESIGNS) {
    const r = runScenario(sc, { design: d });
    const v71 = (d.patches ?? []).some((p) => p.subject === 'dma-buf: Always build with DMABUF_MOVE_NOTIFY');
    if (v71) assert.equal(r.steps[4]!.ret, 0, d.name);
    else assert.deepEqual(r.failures, [], d.name);
    assert.equal(r.steps[8]!.ret, 0, `${d.name}: iommufd maps without a pin`);
  }
});

test('low-power+fault: dmabuf-vma@1-3 leave the BAR mapped after LOW_POWER_ENTRY, as after a disable', () => {
  const sc = load('low-power+fault');
  const broken = DESIGNS.filter((d) => expectedViolations(sc, d.name, 'x86_64').length > 0).map((d) => d.name);
  assert.deepEqual(broken, ['dmabuf-vma@1', 'dmabuf-vma@2', 'dmabuf-vma@3']);
  for (const name of broken) {
    const r = runScenario(sc, { design: DESIGNS.find((d) => d.name === name)! });
    assert.ok(r.violations.some((v) => v.invariant === 'zap-reaches-every-mapping'), name);
  }
});
