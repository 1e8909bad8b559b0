import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archProfile } from '../../src/arch/profiles.js';
import { clearRange, emptyPgd, listLeaves, setLeaf, slotAt, walk } from '../../src/mm/pgtable.js';
import fc from 'fast-check';
import type { PgLeaf, PgTable } from '../../src/mm/types.js';

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

test('a table stores only its present entries, sorted by index, and equal page tables are equal data however built', () => {
  const vas = [M2 + 3 * 4096, M2, 5 * M2, M2 + 4096, G];
  const build = (order: readonly number[]) => order.reduce((pgd, va) => setLeaf(arch, pgd, va, leaf('pte', va / 4096)), emptyPgd());
  const a = build(vas);
  const b = build([...vas].reverse());
  assert.deepEqual(a, b);
  assert.equal(a.entries.length, 1, 'one pud table under the pgd');
  assert.equal((a.entries[0] as PgTable).level, 'pud');
  const walkDown = (t: PgTable): void => {
    assert.equal(t.index.length, t.entries.length);
    assert.deepEqual([...t.index].sort((x, y) => x - y), t.index, 'indices ascending');
    assert.equal(new Set(t.index).size, t.index.length, 'no index twice');
    for (const e of t.entries) if (e.kind === 'table') walkDown(e);
  };
  walkDown(a);
  // Removing what was added gives back the empty structure (tables freed), so it is canonical after clears too.
  assert.deepEqual(clearRange(arch, a, 0, 2 * G, true).pgd, emptyPgd());
  assert.deepEqual(clearRange(arch, a, M2 + 4096, M2 + 2 * 4096, false).pgd, build(vas.filter((v) => v !== M2 + 4096)));
});

test('set, replace and clear agree with a map of va to leaf (property)', () => {
  // Slots: a few PMD and PTE positions in two 1G regions, so tables are shared, split and freed.
  const slots = [0, 4096, 2 * 4096, 511 * 4096, M2, M2 + 4096, 3 * M2, G, G + M2, G + M2 + 4096];
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), slot: fc.nat(slots.length - 1), huge: fc.boolean(), pfn: fc.nat(1000) }),
    fc.record({ kind: fc.constant('clear' as const), a: fc.nat(slots.length - 1), b: fc.nat(slots.length - 1), free: fc.boolean() }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
    let pgd = emptyPgd();
    const ref = new Map<number, PgLeaf>();
    const size = (l: PgLeaf): number => (l.level === 'pmd' ? M2 : 4096);
    for (const o of ops) {
      if (o.kind === 'set') {
        const l = leaf(o.huge ? 'pmd' : 'pte', o.pfn);
        const va = o.huge ? Math.floor(slots[o.slot]! / M2) * M2 : slots[o.slot]!;
        const clash = [...ref].some(([v, r]) => v < va + size(l) && va < v + size(r));
        const tableBelow = l.level === 'pmd' && slotAt(arch, pgd, va, 'pmd') === 'table';
        if (clash || tableBelow) {
          assert.throws(() => setLeaf(arch, pgd, va, l));
          continue;
        }
        pgd = setLeaf(arch, pgd, va, l);
        ref.set(va, l);
      } else {
        const start = Math.min(slots[o.a]!, slots[o.b]!);
        const end = Math.max(slots[o.a]!, slots[o.b]!) + 4096;
        const r = clearRange(arch, pgd, start, end, o.free);
        const want = [...ref].filter(([v, l]) => v < end && v + size(l) > start).sort((x, y) => x[0] - y[0]);
        assert.deepEqual(r.removed.map((p) => [p.va, p.leaf]), want);
        for (const [v] of want) ref.delete(v);
        pgd = r.pgd;
      }
      assert.deepEqual(listLeaves(arch, pgd).map((p) => [p.va, p.leaf]), [...ref].sort((x, y) => x[0] - y[0]));
      for (const [va, l] of ref) {
        const w = walk(arch, pgd, va + 100);
        assert.ok(w.kind === 'leaf' && w.leaf === l && w.base === va);
      }
    }
  }), { seed: 13, numRuns: 300 });
});
