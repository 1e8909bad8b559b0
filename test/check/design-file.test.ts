import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DesignLoadError, designLineage, designShapeError, isDesignPath, loadDesign, loadDesignSpec } from '../../src/check/design-file.js';
import { legacy } from '../../src/designs/legacy.js';
import { MiB, leafAt, mmapBar, openDevice, buildWorld } from '../vfio/world.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { checkNow, checkedAct } from '../designs/helpers.js';
import type { Broken } from '../designs/helpers.js';
import type { Design } from '../../src/designs/types.js';

/** The repository root (this file runs from dist/test/check). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The example design: PTE-only faults, and the disable leaves the mapping in place. */
function exerciseExample(design: Design): void {
  assert.equal(design.name, 'my-design');
  const w = buildWorld({ design, bars: [{ index: 0, size: 2 * MiB, base: 64 * 2 ** 30, is64: true, prefetchable: true }] });
  const fd = openDevice(w);
  const va = mmapBar(w, fd, 0, 2 * MiB);
  const broken: Broken = new Map();
  assert.equal(checkedAct(w, { op: 'store', addr: va, size: 4, value: 1 }, broken), 0);
  assert.equal(leafAt(w, va)!.level, 'pte', 'huge faults refused');
  assert.equal(broken.size, 0);
  assert.equal(writeCommand(w, fd, 0), 2);
  assert.notEqual(leafAt(w, va), null, 'the forgotten zap leaves the leaf');
  assert.ok(checkNow(w).has('no-leaf-on-disabled-bar'));
}

test('a .ts design (examples/my-design.ts) imports barmap and loads through the typescript hooks', async () => {
  const l = await loadDesignSpec('examples/my-design.ts', ROOT);
  exerciseExample(l.design);
  assert.equal(l.file?.path, join(ROOT, 'examples/my-design.ts'));
  assert.match(l.file?.sha256 ?? '', /^[0-9a-f]{64}$/);
  // a user design stacked on legacy answers to legacy's expectations
  assert.deepEqual(designLineage(l.design), ['my-design', 'legacy']);
});

test('a design outside the repository: .js importing barmap, .ts importing a sibling .ts as ./x.js, exported as `design`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'barmap-design-'));
  writeFileSync(join(dir, 'plain.mjs'), [
    "import { dmabufVma, stack } from 'barmap';",
    "export default stack(dmabufVma(4), { name: 'plain', description: 'dmabuf-vma@4 as it is', patches: [] });",
  ].join('\n'));
  const plain = await loadDesign('plain.mjs', dir);
  assert.equal(plain.name, 'plain');
  assert.deepEqual(designLineage(plain), ['plain', 'dmabuf-vma@4']);
  writeFileSync(join(dir, 'name.ts'), 'export const n: string = "mine";\n');
  writeFileSync(join(dir, 'mine.ts'), [
    "import { legacy, stack } from 'barmap';",
    "import { n } from './name.js';",
    'export const design = stack(legacy, { name: n, description: "same as legacy", patches: [] });',
  ].join('\n'));
  const d = await loadDesign('mine.ts', dir);
  assert.equal(d.name, 'mine');
  assert.equal(d.paths.size, legacy.paths.size);
  // the same module instances as the CLI's: the design's base is this legacy's paths
  assert.equal(d.paths.get('vfio_pci_core_mmap'), legacy.paths.get('vfio_pci_core_mmap'));
});

test('a spec is a file when it has a / or a design file extension', () => {
  assert.equal(isDesignPath('legacy'), false);
  assert.equal(isDesignPath('dmabuf-vma@4'), false);
  assert.equal(isDesignPath('./x.ts'), true);
  assert.equal(isDesignPath('x.mjs'), true);
  assert.equal(isDesignPath('dir/x'), true);
});

test('load errors are one line each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'barmap-design-'));
  writeFileSync(join(dir, 'notes.txt'), '');
  writeFileSync(join(dir, 'broken.mjs'), 'export default {;\n');
  writeFileSync(join(dir, 'plain.mjs'), 'export default { name: "x", paths: {}, fileOps: {}, vmOps: {} };\n');
  writeFileSync(join(dir, 'none.mjs'), 'export const other = 1;\n');
  writeFileSync(join(dir, 'throws.ts'), 'throw new Error("boom\\nsecond line");\n');
  writeFileSync(join(dir, 'typo.mjs'), [
    "import { legacy, patch, patchPath, stack, vfio_pci_mmap_huge_fault } from 'barmap';",
    "export default stack(legacy, { name: 'typo', description: 'a typo', patches: [",
    "  patch('typo', 'test', patchPath(vfio_pci_mmap_huge_fault).replace('memroy_lock', (cx) => cx.ret(0))),",
    '] });',
  ].join('\n'));
  writeFileSync(join(dir, 'builtin-name.mjs'), "import { legacy, stack } from 'barmap';\nexport default stack(legacy, { name: 'legacy', description: 'x', patches: [] });\n");
  const cases: [string, RegExp][] = [
    ['missing.ts', /missing\.ts: no such file$/],
    ['./notes.txt', /expected a \.ts, \.mts, \.js or \.mjs file$/],
    ['broken.mjs', /broken\.mjs: cannot load: /],
    ['plain.mjs', /design 'x': paths is not a Map/],
    ['none.mjs', /exports no design/],
    ['throws.ts', /throws\.ts: cannot load: boom$/],
    ['typo.mjs', /typo\.mjs: .*'memroy_lock'.*memory_lock/],
    ['builtin-name.mjs', /the name of a built-in design/],
  ];
  for (const [file, re] of cases) {
    await assert.rejects(loadDesign(file, dir), (e: Error) => {
      assert.ok(e instanceof DesignLoadError, file);
      assert.match(e.message, re);
      assert.ok(!e.message.includes('\n'), `${file}: one line`);
      return true;
    });
  }
});

test('designShapeError accepts every built-in design and names what is missing', async () => {
  const { DESIGNS } = await import('../../src/designs/index.js');
  for (const d of DESIGNS) assert.equal(designShapeError(d), null, d.name);
  assert.match(designShapeError({ name: 'y', paths: new Map(), fileOps: {} })!, /vmOps/);
  assert.match(designShapeError({ name: 'y', paths: new Map([['p', 3]]), fileOps: {}, vmOps: {} })!, /path 'p' is not a path/);
  assert.match(designShapeError({ paths: new Map() })!, /no name/);
});
