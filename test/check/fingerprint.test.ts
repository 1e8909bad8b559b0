import { test } from 'node:test';
import assert from 'node:assert/strict';
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
