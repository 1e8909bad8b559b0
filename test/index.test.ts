/* The library API: what a user of `import ... from 'barmap'` builds a design and a check with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as barmap from '../src/index.js';

test('the package exports the designs, defects, invariants and the explorer', () => {
  assert.deepEqual(barmap.DESIGNS.map((d) => d.name),
    ['legacy', 'rfc', 'dmabuf-vma@1', 'dmabuf-vma@2', 'dmabuf-vma@3', 'dmabuf-vma@4', 'dmabuf-vma@5', 'shared-base']);
  assert.equal(barmap.legacy.name, 'legacy');
  assert.equal(barmap.dmabufVma(4).name, 'dmabuf-vma@4');
  assert.ok(barmap.findDefect('B3-no-zap'));
  assert.ok(barmap.findInvariant('zap-reaches-every-mapping'));
  assert.equal(typeof barmap.bfs, 'function');
});

test('a user design built with extendDesign from the package API replaces a path by name', () => {
  const noZap = barmap.extendDesign(barmap.legacy, {
    name: 'legacy-no-zap', description: 'test: vfio_pci_zap_bars zaps nothing',
    paths: [barmap.path()('vfio_pci_zap_bars', 'entry', { entry: (cx) => cx.ret(0) })],
  });
  assert.equal(noZap.paths.get('vfio_pci_zap_bars')!.steps['entry'] !== undefined, true);
  assert.notEqual(noZap.paths.get('vfio_pci_zap_bars'), barmap.legacy.paths.get('vfio_pci_zap_bars'));
  assert.equal(noZap.paths.get('vfio_pci_mmap_huge_fault'), barmap.legacy.paths.get('vfio_pci_mmap_huge_fault'));
});
