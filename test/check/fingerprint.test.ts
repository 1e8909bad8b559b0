import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TrackingKernel } from '../../src/check/tracking-kernel.js';
import { fingerprint, fingerprintHex, fingerprintKept, hashValue } from '../../src/check/fingerprint.js';
import { forSuiteStates } from './suite-states.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { newLock } from '../../src/kernel/locking/rwsem.js';
import type { Design } from '../../src/designs/types.js';

const design: Design = { name: 't', description: '', paths: new Map(), fileOps: {}, vmOps: {} };

test('equal plain data hashes alike whatever the key order', () => {
  assert.deepEqual(hashValue({ a: 1, b: [1, 'x'] }), hashValue({ b: [1, 'x'], a: 1 }));
});

test('a change anywhere changes the hash', () => {
  const base = { a: 1, b: [1, 'x'], c: { d: true } };
  const h = fingerprintHex(hashValue(base));
  for (const other of [
    { a: 2, b: [1, 'x'], c: { d: true } },
    { a: 1, b: [1, 'y'], c: { d: true } },
    { a: 1, b: [1, 'x'], c: { d: false } },
    { a: 1, b: ['x', 1], c: { d: true } },
    { a: 1, b: [1, 'x'], c: { d: true }, e: null },
    { a: '1', b: [1, 'x'], c: { d: true } },
  ]) {
    assert.notEqual(fingerprintHex(hashValue(other)), h, JSON.stringify(other));
  }
});

test('states equal but for nextId share a fingerprint; any row change does not', () => {
  const k1 = new Kernel(emptyKernelState('x86_64', 't'), design);
  newLock(k1, 'mmap_lock', 'mm 1');
  const s1 = k1.finish();
  const s2 = { ...s1, nextId: s1.nextId + 5 };
  assert.deepEqual(fingerprint(s1), fingerprint(s2));
  const k2 = new Kernel(s1, design);
  k2.mut('locks', 1).writer = 3;
  assert.notDeepEqual(fingerprint(k2.finish()), fingerprint(s1));
  assert.notDeepEqual(fingerprint({ ...s1, arch: 'arm64' }), fingerprint(s1));
  assert.notDeepEqual(fingerprint({ ...s1, lockdep: 1 }), fingerprint(s1));
});

test('incremental fingerprints equal from-scratch ones on states of every suite job', () => {
  let checked = 0;
  forSuiteStates(200, ({ spec, before, state }) => {
    assert.ok(fingerprintKept(before), 'the state the step started from has its fingerprint');
    assert.ok(fingerprintKept(state), 'the draft kept the next state\'s fingerprint, updated from the rows it wrote');
    const incremental = fingerprint(state);
    // structuredClone gives fresh objects: no cached row hashes, no kept table sums.
    assert.deepEqual(incremental, fingerprint(structuredClone(state)), `${spec.source.file} ${spec.design} ${spec.arch}`);
    checked++;
  });
  assert.ok(checked > 30_000, `checked ${checked} states`);
});

test('a row hashed from its last version equals the row hashed whole, whatever fields a step sets, adds or deletes', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: false }), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null), fc.constant(undefined));
  const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom('x', 'y'), leaf));
  const edit = fc.oneof(
    fc.record({ op: fc.constant('set' as const), key, value }),
    // the value another field of the row holds, by identity (a step moving a nested value)
    fc.record({ op: fc.constant('share' as const), key, from: key }),
    fc.record({ op: fc.constant('delete' as const), key }),
  );
  fc.assert(fc.property(fc.dictionary(key, value), fc.array(fc.array(edit, { maxLength: 4 }), { minLength: 1, maxLength: 6 }), (first, steps) => {
    const k0 = new TrackingKernel(emptyKernelState('x86_64', 't'), design);
    const id = k0.add('locks', () => first as never);
    let s = k0.finish();
    for (const step of steps) {
      const before = s;
      fingerprint(before);
      const k = new TrackingKernel(before, design);
      const row = k.mut('locks', id) as unknown as Record<string, unknown>;
      for (const e of step) {
        if (e.op === 'set') row[e.key] = e.value;
        else if (e.op === 'share') row[e.key] = row[e.from];
        else delete row[e.key];
      }
      s = k.finish();
      assert.ok(fingerprintKept(s));
      assert.deepEqual(fingerprint(s), fingerprint(structuredClone(s)), JSON.stringify(s.locks[id]));
    }
  }), { numRuns: 300 });
});
