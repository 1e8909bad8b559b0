/* The shipped iommufd and type1 scenarios per design: what their descriptions claim. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/check/run.js';
import { DESIGNS } from '../../src/designs/index.js';
import { expectedViolations } from '../../src/scenario/check-section.js';
import { EFAULT, EIO } from '../../src/uapi/errno.js';

const DIR = join(fileURLToPath(new URL('../../../', import.meta.url)), 'scenarios');
const load = (name: string) => loadScenario(readFileSync(join(DIR, `${name}.yaml`), 'utf8'), `scenarios/${name}.yaml`);

/** dmabuf-vma stages 1-3 zap the device inode, which misses the BAR VMAs (docs/designs.md). */
const ZAP_MISSES = ['dmabuf-vma@1', 'dmabuf-vma@2', 'dmabuf-vma@3'];
/** Designs whose type1-compat look-up finds the dma-buf behind a BAR mmap of the device fd. */
const VMA_HAS_DMABUF = ['dmabuf-vma@1', 'dmabuf-vma@2', 'dmabuf-vma@3', 'dmabuf-vma@4', 'dmabuf-vma@5', 'v3'];

test('map-dma+cmd-disable.type1: the real type1 container keeps the BAR mapped after the disable on every design', () => {
  const sc = load('map-dma+cmd-disable.type1');
  for (const d of DESIGNS) {
    const r = runScenario(sc, { design: d });
    const found = r.violations.map((v) => `${v.invariant}@${v.step}`);
    assert.ok(found.includes('no-iommu-entry-on-disabled-bar@8'), `${d.name}: ${found.join(' ')}`);
    const dma = r.steps[10]!.events.find((e) => e.kind === 'access' && e.fn === 'iommu_dma');
    assert.equal(dma?.args['outcome'], 'unsupported-request', d.name);
    if (ZAP_MISSES.includes(d.name)) {
      // the zap misses the VMA: the CPU load after the disable already reaches the BAR (step 9)
      // zap-reaches-every-mapping judges the disable's walks when it returns (step 8)
      assert.deepEqual(found, ['no-leaf-on-disabled-bar@8', 'no-iommu-entry-on-disabled-bar@8', 'zap-reaches-every-mapping@8', 'no-access-to-disabled-bar@9'], d.name);
    } else {
      assert.deepEqual(r.failures, [], d.name);
      assert.deepEqual(found, ['no-iommu-entry-on-disabled-bar@8', 'no-access-to-disabled-bar@10'], d.name);
    }
    const want = ['no-iommu-entry-on-disabled-bar', 'no-access-to-disabled-bar', ...(ZAP_MISSES.includes(d.name) ? ['zap-reaches-every-mapping', 'no-leaf-on-disabled-bar'] : [])];
    for (const arch of ['x86_64', 'arm64']) assert.deepEqual(expectedViolations(sc, d.name, arch), want, `${d.name}/${arch}`);
  }
});

test('map-dma+cmd-disable.compat: legacy, rfc and shared-base refuse the BAR VA; dmabuf-vma maps its dma-buf and the disable revokes it', () => {
  const sc = load('map-dma+cmd-disable.compat');
  for (const d of DESIGNS) {
    const r = runScenario(sc, { design: d });
    assert.deepEqual(r.failures, [], d.name);
    assert.deepEqual(r.violations, [], d.name);
    const lookup = r.steps[8]!.events.find((e) => e.fn === 'vma_to_dmabuf');
    if (VMA_HAS_DMABUF.includes(d.name)) {
      assert.equal(r.steps[8]!.ret, 0, d.name);
      assert.notEqual(lookup?.args['dmabuf'], 'none', d.name);
      assert.equal(r.steps[9]!.ret, 0, `${d.name}: the DMA reaches BAR0`);
      assert.ok(r.steps[10]!.events.some((e) => e.fn === 'iopt_revoke_notify'), `${d.name}: the disable revokes the IOMMU mapping`);
    } else {
      assert.equal(r.steps[8]!.ret, -EFAULT, d.name);
      // legacy looks for no dma-buf at all; rfc and shared-base find none behind a BAR VMA
      assert.equal(lookup?.args['dmabuf'] ?? 'none', 'none', d.name);
      assert.equal(r.steps[9]!.ret, -EIO, d.name);
    }
    const after = r.steps[10]!.state;
    assert.deepEqual(Object.values(after.hwpts).flatMap((h) => h.entries), [], `${d.name}: no IOMMU entry after the disable`);
  }
  assert.deepEqual(DESIGNS.filter((d) => VMA_HAS_DMABUF.includes(d.name)).length, VMA_HAS_DMABUF.length);
});

test('map-file+revoke, map-file-multirange and iommufd-errors meet their expects and break nothing on every design', () => {
  for (const name of ['map-file+revoke', 'map-file-multirange', 'iommufd-errors']) {
    const sc = load(name);
    for (const d of DESIGNS) {
      const r = runScenario(sc, { design: d });
      assert.deepEqual(r.failures, [], `${name} ${d.name}`);
      assert.deepEqual(r.violations, [], `${name} ${d.name}`);
    }
  }
});

test('map-file+revoke: the revoke empties the domain and the re-enable does not refill it', () => {
  const sc = load('map-file+revoke');
  const r = runScenario(sc, { design: DESIGNS[0]! });
  const entries = (i: number) => Object.values(r.steps[i]!.state.hwpts).flatMap((h) => h.entries);
  assert.equal(entries(8).length, 1, 'mapped');
  assert.deepEqual(entries(9), [], 'revoked');
  assert.deepEqual(entries(11), [], 'un-revoked, still unmapped');
  assert.equal(entries(14).length, 1, 'mapped again after unmap + MAP_FILE');
});

test('map-file-multirange: the failed MAP_FILE leaves no attachment, area or file reference', () => {
  const r = runScenario(load('map-file-multirange'), { design: DESIGNS[0]! });
  const s = r.steps[6]!.state;
  assert.deepEqual(s.attachments, {});
  assert.deepEqual(s.iopt_pages, {});
  assert.deepEqual(Object.values(s.ioas).flatMap((i) => i.areas), []);
});
