import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Interner, INTERN_MAX } from '../../src/check/intern.js';
import { Search } from '../../src/check/bfs.js';
import { prepareJob } from '../../src/check/job.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';
import { TABLE_NAMES } from '../../src/kernel/state.js';

test('an interner answers the value first interned under a hash, and only under the whole hash', () => {
  const i = new Interner<object>();
  const a = { v: 1 };
  const b = { v: 1 };
  assert.equal(i.intern(7, 0x1234_5678, a), a);
  assert.equal(i.intern(7, 0x1234_5678, b), a, 'same hash: the value interned first');
  const c = { v: 2 };
  // Same 53-bit key (the low 11 bits of lo differ): not the same value.
  assert.equal(i.intern(7, 0x1234_5679, c), c);
  assert.equal(i.intern(8, 0x1234_5678, c), c);
});

test('an interner agrees with a Map of whole 64-bit hashes across its growth, homes shared by many hashes included', () => {
  // Few distinct hi (shared homes, long probes) and the ends of the 32-bit ranges, as unsigned and signed.
  const half = fc.oneof(fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, -1), fc.integer({ min: 0, max: 0xffff_ffff }));
  const hash = fc.tuple(fc.oneof(half, fc.integer({ min: 0, max: 3 })), half);
  fc.assert(fc.property(fc.array(hash, { minLength: 1, maxLength: 3000 }), (hashes) => {
    const i = new Interner<object>();
    const model = new Map<string, object>();
    for (const [hi, lo] of hashes) {
      const key = `${hi | 0}:${lo | 0}`;
      const fresh = { key };
      assert.equal(i.intern(hi, lo, fresh), model.get(key) ?? fresh);
      if (!model.has(key)) model.set(key, fresh);
      assert.equal(i.size, model.size);
    }
  }), { numRuns: 60 });
});

test('an interner never holds more than INTERN_MAX values', () => {
  const i = new Interner<number>();
  for (let k = 0; k < INTERN_MAX + 10; k++) i.intern(k, k * 4096, k);
  assert.ok(i.size <= INTERN_MAX, `holds ${i.size}`);
  assert.ok(i.size > 0);
  // Started over: a value interned before is gone, one interned since is kept.
  assert.equal(i.intern(0, 0, -1), -1);
  assert.equal(i.intern(INTERN_MAX + 9, (INTERN_MAX + 9) * 4096, -2), INTERN_MAX + 9);
});

test('the frontier of a search holds each row value about once', () => {
  const spec = jobsFor([loadForCheck('fork+reset')], { designs: ['legacy'], archs: ['x86_64'], defects: [], maxActions: 2 }, false)[0]!;
  const search = new Search(prepareJob(spec).m.model);
  while (!search.done && search.frontier.length < 200) search.expandLevel();
  assert.ok(search.frontier.length >= 200, 'a frontier wide enough to share rows');
  const objects = new Set<unknown>();
  const values = new Set<string>();
  for (const n of search.frontier) {
    for (const t of TABLE_NAMES) {
      for (const [id, row] of Object.entries(n.state[t])) {
        if (typeof row !== 'object' || row === null) continue;
        objects.add(row);
        values.add(`${t}:${id}:${JSON.stringify(row)}`);
      }
    }
  }
  // Rows a draft wrote are interned; the setup's rows, written without one, may repeat a value once more.
  assert.ok(objects.size <= 2 * values.size, `${objects.size} row objects for ${values.size} distinct rows`);
});
