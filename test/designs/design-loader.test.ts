import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DesignLoadError, designShapeError, loadDesign } from '../../src/cli/design-loader.js';
import { legacy } from '../../src/designs/legacy.js';
import { MiB, leafAt, mmapBar, openDevice, buildWorld } from '../vfio/world.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { checkNow, checkedAct } from './helpers.js';
import type { Broken } from './helpers.js';
import type { Design } from '../../src/designs/types.js';

/** The repository root (this file runs from dist/test/designs). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const API_TS = join(ROOT, 'src/designs/api.ts');

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

test('a .ts design (examples/my-design.ts) loads through tsx and runs', async () => {
  exerciseExample(await loadDesign('examples/my-design.ts', ROOT));
});

test('a .js design (the compiled example) loads with import()', async () => {
  exerciseExample(await loadDesign(join(ROOT, 'dist/examples/my-design.js')));
});

test('a .ts design outside the repository importing the API, exported as `design`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'barmap-design-'));
  const file = join(dir, 'mine.ts');
  writeFileSync(file, [
    `import { extendDesign, legacy } from ${JSON.stringify(API_TS)};`,
    'const n: string = "mine";',
    'export const design = extendDesign(legacy, { name: n, description: "same as legacy" });',
  ].join('\n'));
  const d = await loadDesign('mine.ts', dir);
  assert.equal(d.name, 'mine');
  assert.equal(d.paths.size, legacy.paths.size);
});

test('load errors are one line each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'barmap-design-'));
  writeFileSync(join(dir, 'notes.txt'), '');
  writeFileSync(join(dir, 'broken.mjs'), 'export default {;\n');
  writeFileSync(join(dir, 'plain.mjs'), 'export default { name: "x", paths: {}, fileOps: {}, vmOps: {} };\n');
  writeFileSync(join(dir, 'none.mjs'), 'export const other = 1;\n');
  writeFileSync(join(dir, 'throws.ts'), 'throw new Error("boom\\nsecond line");\n');
  const cases: [string, RegExp][] = [
    ['missing.ts', /missing\.ts: no such file$/],
    ['notes.txt', /expected a \.ts, \.mts, \.js or \.mjs file$/],
    ['broken.mjs', /broken\.mjs: cannot load: /],
    ['plain.mjs', /design 'x': paths is not a Map/],
    ['none.mjs', /exports no design/],
    ['throws.ts', /throws\.ts: cannot load: boom$/],
  ];
  for (const [file, re] of cases) {
    await assert.rejects(loadDesign(file, dir), (e: unknown) => {
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
