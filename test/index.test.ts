/* The library API: what a user of `import ... from 'barmap'` builds a design and a check with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as barmap from '../src/index.js';

test('the package exports the designs, defects, invariants and the explorer', () => {
  assert.deepEqual(barmap.DESIGNS.map((d) => d.name),
    ['legacy', 'rfc', 'dmabuf-vma@1', 'dmabuf-vma@2', 'dmabuf-vma@3', 'dmabuf-vma@4', 'dmabuf-vma@5', 'shared-base', 'revoke@v7.1', 'v3']);
  assert.equal(barmap.legacy.name, 'legacy');
  assert.equal(barmap.dmabufVma(4).name, 'dmabuf-vma@4');
  assert.ok(barmap.findDefect('B3-no-zap'));
  assert.ok(barmap.findInvariant('zap-reaches-every-mapping'));
  assert.equal(typeof barmap.bfs, 'function');
});

test('a user design stacked from the package API replaces a path and a step, and names a missing label in one line', () => {
  const noZap = barmap.stack(barmap.legacy, {
    name: 'legacy-no-zap', description: 'test: vfio_pci_zap_bars zaps nothing',
    patches: [barmap.patch('test: no zap', 'test', barmap.replacePath(barmap.path()('vfio_pci_zap_bars', 'entry', { entry: (cx) => cx.ret(0) })))],
  });
  assert.equal(noZap.paths.get('vfio_pci_zap_bars')!.steps['entry'] !== undefined, true);
  assert.notEqual(noZap.paths.get('vfio_pci_zap_bars'), barmap.legacy.paths.get('vfio_pci_zap_bars'));
  assert.equal(noZap.paths.get('vfio_pci_mmap_huge_fault'), barmap.legacy.paths.get('vfio_pci_mmap_huge_fault'));
  assert.equal(noZap.base, 'legacy');
  const step = barmap.stack(barmap.legacy, {
    name: 'one-step', description: 'test',
    patches: [barmap.patch('test: one step', 'test', barmap.patchPath(barmap.vfio_pci_mmap_huge_fault).replace('dbg', (cx) => cx.ret(cx.l.r)))],
  });
  assert.notEqual(step.paths.get('vfio_pci_mmap_huge_fault')!.steps['dbg'], barmap.vfio_pci_mmap_huge_fault.steps.dbg);
  assert.equal(step.paths.get('vfio_pci_mmap_huge_fault')!.steps['entry'], barmap.vfio_pci_mmap_huge_fault.steps.entry);
  // What a JavaScript design (no type checking) gets for a label typo: one line with the labels there are.
  const typo = barmap.patch('test: typo', 'test', { kind: 'replace-step', path: 'vfio_pci_mmap_huge_fault', label: 'memroy_lock', step: () => {} });
  assert.throws(() => barmap.stack(barmap.legacy, { name: 'typo', description: 'test', patches: [typo] }),
    /^DesignError: design 'typo': patch "test: typo": path 'vfio_pci_mmap_huge_fault' has no label 'memroy_lock' \(labels: entry, memory_lock, up_read, dbg\)$/);
});
