import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cell } from '../../src/check/results.js';
import { verdictLines, verdictOf } from '../../src/report/verdict.js';

function cell(design: string, arch: string, scenario: string, invariant: string, length?: number, more: Partial<Cell> = {}): Cell {
  const broken = length !== undefined;
  return { scenario, design, arch, invariant, status: broken ? 'broken' : 'holds', ...(broken ? { length } : {}), complete: true, expected: broken, ok: true, ...more };
}

const ARCHS = ['x86_64', 'arm64'];

test('findings every design shares are listed once; what tells designs apart stays in each row, archs folded', () => {
  const cells: Cell[] = [];
  for (const d of ['legacy', 'rfc', 'dmabuf-vma@1']) {
    for (const a of ARCHS) {
      cells.push(cell(d, a, 'type1', 'no-iommu-entry-on-disabled-bar', d === 'rfc' ? 7 : 5));
      cells.push(cell(d, a, 'fault', 'zap-reaches-every-mapping', d === 'dmabuf-vma@1' ? 12 : undefined));
      cells.push(cell(d, a, 'odirect', 'gup-fast-agrees-with-gup', d === 'legacy' && a === 'arm64' ? 19 : undefined));
    }
  }
  const v = verdictOf(cells);
  assert.deepEqual(v.shared.map((f) => [f.invariant, f.scenario, f.min, f.max, f.archs]), [['no-iommu-entry-on-disabled-bar', 'type1', 5, 7, []]]);
  const byDesign = Object.fromEntries(v.designs.map((d) => [d.design, d.breaks.map((f) => `${f.invariant}@${f.scenario}:${f.min}:${f.archs.join(',')}`)]));
  assert.deepEqual(byDesign, {
    legacy: ['gup-fast-agrees-with-gup@odirect:19:arm64'],
    rfc: [],
    'dmabuf-vma@1': ['zap-reaches-every-mapping@fault:12:'],
  });
  const text = verdictLines(v).join('\n');
  assert.match(text, /every design breaks \(1;.*\n\s+no-iommu-entry-on-disabled-bar\s+5-7\s+type1/);
  assert.match(text, /legacy\s+gup-fast-agrees-with-gup\s+19\s+odirect\s+on arm64/);
  assert.match(text, /rfc\s+nothing else/);
  assert.match(text, /dmabuf-vma@1\s+zap-reaches-every-mapping\s+12\s+fault$/m);
});

test('a design whose row equals an earlier one says so; jobs not run and cut short are never "holds"', () => {
  const cells: Cell[] = [];
  for (const d of ['a', 'b', 'c']) for (const x of ARCHS) cells.push(cell(d, x, 's', 'inv', d === 'c' ? undefined : 3));
  cells.push(cell('c', 'x86_64', 't', 'inv', undefined, { complete: false }));
  const v = verdictOf(cells, [{ scenario: 'u', design: 'c', arch: 'arm64' }, { scenario: 'w', design: 'b', arch: 'x86_64', failed: true }]);
  const text = verdictLines(v).join('\n');
  assert.match(text, /^ {2}a +inv +3 +s$/m);
  assert.match(text, /^ {2}b +inv +3 +s\n +! failed \(see ERROR below\): w \(x86_64\)$/m);
  assert.match(text, /^ {2}c +nothing else.*\n +\* not run: u \(arm64\)\n +\* search cut short: t \(x86_64\)$/m);
  const d = verdictOf(cells.filter((c) => c.design !== 'c'));
  assert.match(verdictLines(d).join('\n'), /every design breaks/);
  const same = verdictOf([...['a', 'b'].flatMap((x) => [cell(x, 'x86_64', 's', 'inv', 3), cell(x, 'x86_64', 't', 'inv2', 4)]), cell('z', 'x86_64', 's', 'inv')]);
  assert.match(verdictLines(same).join('\n'), /^ {2}b +the same as a$/m);
});

test('random walks: a design that breaks nothing says "not found in N walks"', () => {
  const v = verdictOf([cell('legacy', 'x86_64', 's', 'inv')]);
  assert.match(verdictLines(v, 'nothing else found in 10 walks of depth 60').join('\n'), /legacy +nothing else found in 10 walks of depth 60/);
});
