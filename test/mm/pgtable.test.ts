import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archProfile } from '../../src/arch/profiles.js';
import { clearRange, emptyPgd, listLeaves, setLeaf, slotAt, walk } from '../../src/mm/pgtable.js';
import type { PgLeaf } from '../../src/mm/types.js';

const arch = archProfile('x86_64');
const leaf = (level: PgLeaf['level'], pfn: number): PgLeaf => ({ kind: 'leaf', level, pfn, write: true, special: true });
const G = 2 ** 30;
const M2 = 2 ** 21;

test('set and walk a leaf at each level', () => {
  let pgd = emptyPgd();
  pgd = setLeaf(arch, pgd, 0x7f0000000000, leaf('pud', 0x100000));
  pgd = setLeaf(arch, pgd, 0x7f0000000000 + G, leaf('pmd', 0x200000));
  pgd = setLeaf(arch, pgd, 0x7f0000000000 + G + M2, leaf('pte', 0x300000));
  const a = walk(arch, pgd, 0x7f0000000000 + 12345);
  assert.equal(a.kind, 'leaf');
  assert.equal(a.kind === 'leaf' && a.leaf.level, 'pud');
  assert.equal(a.kind === 'leaf' && a.base, 0x7f0000000000);
  const b = walk(arch, pgd, 0x7f0000000000 + G + 4096 * 5);
  assert.equal(b.kind === 'leaf' && b.leaf.level, 'pmd');
  const c = walk(arch, pgd, 0x7f0000000000 + G + M2 + 100);
  assert.equal(c.kind === 'leaf' && c.leaf.pfn, 0x300000);
  const d = walk(arch, pgd, 0x7f0000000000 + G + M2 + 4096);
  assert.deepEqual(d, { kind: 'none', level: 'pte' });
  assert.deepEqual(walk(arch, pgd, 0x1000), { kind: 'none', level: 'pud' });
  assert.equal(slotAt(arch, pgd, 0x7f0000000000 + 4096, 'pte'), 'covered');
  assert.equal(slotAt(arch, pgd, 0x7f0000000000 + G + M2, 'pmd'), 'table');
  assert.equal(listLeaves(arch, pgd).length, 3);
});

test('setLeaf refuses an unaligned huge leaf and a present slot', () => {
  assert.throws(() => setLeaf(arch, emptyPgd(), M2 + 4096, leaf('pmd', 1)));
  const pgd = setLeaf(arch, emptyPgd(), M2, leaf('pmd', 512));
  assert.throws(() => setLeaf(arch, pgd, M2, leaf('pmd', 512)));
  assert.throws(() => setLeaf(arch, pgd, M2 + 4096, leaf('pte', 513)));
});

test('clearRange removes leaves in range, huge leaves straddling the edge whole, and keeps tables unless asked', () => {
  let pgd = emptyPgd();
  pgd = setLeaf(arch, pgd, 0, leaf('pmd', 0));
  for (let i = 0; i < 4; i++) pgd = setLeaf(arch, pgd, M2 + i * 4096, leaf('pte', 1000 + i));
  const r = clearRange(arch, pgd, M2 - 4096, M2 + 2 * 4096, false);
  assert.deepEqual(r.removed.map((p) => p.leaf.level), ['pmd', 'pte', 'pte']);
  assert.equal(listLeaves(arch, r.pgd).length, 2);
  assert.equal(slotAt(arch, r.pgd, 0, 'pmd'), 'none');
  const all = clearRange(arch, r.pgd, 0, 4 * M2, false);
  assert.equal(all.removed.length, 2);
  assert.equal(slotAt(arch, all.pgd, M2, 'pmd'), 'table', 'a zap keeps the empty pte table');
  const freed = clearRange(arch, r.pgd, 0, 4 * M2, true);
  assert.equal(slotAt(arch, freed.pgd, M2, 'pmd'), 'none', 'free_pgtables drops it');
  assert.equal(listLeaves(arch, pgd).length, 5, 'the input tree is unchanged (path copying)');
});
