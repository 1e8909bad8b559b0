import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VisitedSet, mixed } from '../../src/check/visited.js';
import { dominated, withNode } from '../../src/check/dominance.js';

/** A pseudo-random 32-bit value of a counter (a spread key half). */
const spread = (i: number, k: number): number => {
  let x = Math.imul(i ^ k, 0x9e3779b1);
  x ^= x >>> 15;
  return Math.imul(x, 0x85ebca6b) >>> 0;
};

test('adds once, finds again, survives growth, and keeps (0,0) distinct from empty', () => {
  const v = new VisitedSet();
  assert.equal(v.add({ hi: 0, lo: 0 }), true);
  assert.equal(v.add({ hi: 0, lo: 0 }), false);
  for (let i = 1; i <= 100_000; i++) assert.equal(v.add({ hi: i * 7919, lo: i }), true);
  assert.equal(v.size, 100_001);
  for (let i = 1; i <= 100_000; i++) assert.equal(v.has({ hi: i * 7919, lo: i }), true);
  assert.equal(v.has({ hi: 1, lo: 1 }), false);
});

test('a stored state costs at most 12 bytes with fronts (bound 2) and 9.25 without, from 50,000 states to 1.5 million', () => {
  // 2^16 slots are the fewest (src/check/visited.ts): below 50,000 states the empty part of the first table dominates.
  const withFronts = new VisitedSet({ preemptionBound: 2 });
  const without = new VisitedSet();
  let worst = 0;
  let worstBare = 0;
  for (let i = 1; i <= 1_500_000; i++) {
    const hi = spread(i, 1);
    const lo = spread(i, 2);
    withFronts.visit(hi, lo, i & 7, i % 3);
    without.addKey(hi, lo);
    if (i >= 50_000) {
      worst = Math.max(worst, withFronts.bytes / withFronts.size);
      worstBare = Math.max(worstBare, without.bytes / without.size);
    }
  }
  assert.equal(withFronts.size, 1_500_000);
  assert.ok(worst <= 12, `${worst} bytes per state with fronts`);
  assert.ok(worstBare <= 9.25, `${worstBare} bytes per state without fronts`);
});

test('past a preemption bound of 2 the fronts are 32 bits and keep every nibble up to 15', () => {
  const v = new VisitedSet({ preemptionBound: 14 });
  let f = 0;
  for (let slot = 0; slot < 8; slot++) {
    // Falling preemptions in every slot: each node is kept, the last with 14 spent (nibble 15).
    for (let pre = 14; pre >= 0; pre -= 7) {
      assert.equal(v.visit(5, 6, slot, pre), !dominated(f, slot, pre));
      if (!dominated(f, slot, pre)) f = withNode(f, slot, pre);
    }
  }
  const wide = new VisitedSet({ preemptionBound: 5 });
  wide.insert(7, 8, 0xffffffff);
  assert.equal(wide.frontOf(7, 8), 0xffffffff);
  assert.equal(v.frontOf(5, 6), f);
  // A 16-bit set that is given a wider front widens every front, exactly.
  const narrow = new VisitedSet({ preemptionBound: 2 });
  narrow.visit(1, 2, 3, 2);
  const before = narrow.bytes;
  narrow.insert(3, 4, 0xfedcba98);
  assert.equal(narrow.bytes - before, (before / 9) * 2);
  assert.equal(narrow.frontOf(1, 2), withNode(0, 3, 2));
  assert.equal(narrow.frontOf(3, 4), 0xfedcba98);
});

test('more than 255 keys on one home stop the search with an error rather than growing without end', () => {
  const v = new VisitedSet();
  const h = 0x12345678;
  for (let lo = 1; lo <= 200; lo++) v.addKey(mixed(h, lo), lo);
  for (let lo = 1; lo <= 200; lo++) assert.equal(v.addKey(mixed(h, lo), lo), false);
  assert.throws(() => {
    for (let lo = 201; lo <= 400; lo++) v.addKey(mixed(h, lo), lo);
  }, /keys probe from one home/);
});

/** Keys that stress the quotienting: shared low 16 bits of hi, shared homes, (0,0), the ends of hi's range. */
const key = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
  fc.tuple(fc.constantFrom(0, 1, 2, 0xfffffffe, 0xffffffff, 0x8000_0000), fc.integer({ min: 0, max: 3 })),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }).map((t) => ((t << 16) | 0xbeef) >>> 0), fc.integer({ min: 0, max: 3 })),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff })),
  fc.tuple(fc.constantFrom(0, 0x7fff_ffff, 0xffff_ffff), fc.integer({ min: 1, max: 40 })).map(([h, lo]) => [mixed(h, lo), lo] as [number, number]),
);

type Op =
  | { op: 'add'; k: [number, number] }
  | { op: 'visit'; k: [number, number]; slot: number; pre: number }
  | { op: 'insert'; k: [number, number]; front: number }
  | { op: 'frontOf'; k: [number, number] }
  | { op: 'bulk'; seed: number; n: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: key.map((k) => ({ op: 'add' as const, k })) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('visit' as const), k: key, slot: fc.integer({ min: 0, max: 7 }), pre: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), k: key, front: fc.oneof(fc.constant(0), fc.constant(0x21), fc.integer({ min: 0, max: 0xffffffff })) }) },
  { weight: 2, arbitrary: key.map((k) => ({ op: 'frontOf' as const, k })) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bulk' as const), seed: fc.integer({ min: 0, max: 998 }), n: fc.integer({ min: 1, max: 20_000 }) }) },
);

/** Runs ops on a VisitedSet and on a Map beside it, after n bulk keys; asserts they agree and returns the set. */
function agreeWithMap(n: number, ops: Op[], preemptionBound: number | undefined): VisitedSet {
  const v = new VisitedSet({ preemptionBound });
  const model = new Map<string, number>();
  const stored = (k: [number, number]): string => `${k[0] >>> 0}:${k[0] === 0 && k[1] === 0 ? 1 : k[1] >>> 0}`;
  const ensure = (id: string): number => model.get(id) ?? (model.set(id, 0), 0);
  const bulk = (seed: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      const k: [number, number] = [spread(i * 1000 + seed, 7), spread(i * 1000 + seed, 9)];
      assert.equal(v.addKey(k[0], k[1]), !model.has(stored(k)));
      ensure(stored(k));
    }
  };
  bulk(999, n);
  for (const o of ops) {
    if (o.op === 'bulk') {
      bulk(o.seed, o.n);
      continue;
    }
    const id = stored(o.k);
    if (o.op === 'add') {
      assert.equal(v.addKey(o.k[0], o.k[1]), !model.has(id));
      ensure(id);
    } else if (o.op === 'visit') {
      const f = ensure(id);
      const kept = !dominated(f, o.slot, o.pre);
      assert.equal(v.visit(o.k[0], o.k[1], o.slot, o.pre), kept);
      if (kept) model.set(id, withNode(f, o.slot, o.pre));
    } else if (o.op === 'insert') {
      const f = ensure(id);
      v.insert(o.k[0], o.k[1], o.front);
      model.set(id, o.front !== 0 ? o.front >>> 0 : f);
    } else {
      assert.equal(v.frontOf(o.k[0], o.k[1]), ensure(id));
    }
    assert.equal(v.size, model.size);
  }
  assert.equal(v.size, model.size);
  const keys = v.keys();
  const fronts = v.fronts();
  assert.equal(keys.length, 2 * model.size);
  assert.equal(fronts.length, model.size);
  const seen = new Set<string>();
  for (let i = 0; i < fronts.length; i++) {
    const id = `${keys[2 * i]}:${keys[2 * i + 1]}`;
    assert.ok(model.has(id), `keys() gave ${id}, never added`);
    assert.ok(!seen.has(id), `keys() gave ${id} twice`);
    seen.add(id);
    assert.equal(fronts[i], model.get(id), `front of ${id}`);
  }
  return v;
}

const opLists = fc.array(op, { maxLength: 30, size: 'max' });
const bounds = fc.constantFrom(2, 14, undefined);

test('agrees with a Map of keys to fronts: same answers, keys() the stored keys, fronts() aligned', () => {
  fc.assert(fc.property(opLists, bounds, (o, preemptionBound) => {
    agreeWithMap(0, o, preemptionBound);
  }), { numRuns: 12 });
});

test('agrees with a Map of keys to fronts across growth, every run starting past the first growth', () => {
  // 61,000 bulk keys pass 0.92 of the first 2^16 slots, so every operation after them meets a grown table.
  fc.assert(fc.property(fc.integer({ min: 61_000, max: 75_000 }), opLists, bounds, (n, o, preemptionBound) => {
    const v = agreeWithMap(n, o, preemptionBound);
    assert.ok(v.bytes > new VisitedSet({ preemptionBound }).bytes, `${v.size} keys did not grow the table`);
  }), { numRuns: 12 });
});
