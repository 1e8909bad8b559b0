import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { expectedViolations } from '../../src/scenario/check-section.js';
import { AS_BINDING } from '../check/fixtures.js';

/** The one-line error of loading `text`. */
function error(text: string): string {
  try {
    loadScenario(text, 's.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  assert.fail('expected a ScenarioError');
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('a valid check: section loads with its defaults', () => {
  const sc = loadScenario(AS_BINDING.replace('  maxActions: 2\n  preemptions: 0\n', ''), 'ok.yaml');
  assert.equal(sc.check?.maxActions, 2);
  assert.equal(sc.check?.preemptions, 2);
  assert.equal(sc.check?.alphabet['A']?.[0]?.as, 'm');
  assert.equal(sc.check?.alphabet['A']?.[1]?.action.op, 'load');
});

test('alphabet mistakes: file:line: path: message', () => {
  const unknownThread = AS_BINDING.replace('    A:\n      - mmap', '    Z:\n      - mmap');
  assert.match(error(unknownThread), new RegExp(`^s\\.yaml:${lineOf(unknownThread, '      - mmap')}: check\\.alphabet\\.Z: no thread 'Z' after the setup steps`));

  const unbound = AS_BINDING.replace('load: { addr: $m }', 'load: { addr: $nope }');
  assert.match(error(unbound), new RegExp(`^s\\.yaml:${lineOf(unbound, '$nope')}: check\\.alphabet\\.A\\[1\\]\\.load\\.addr: \\$nope is bound neither`));

  const twoOps = AS_BINDING.replace('      - load: { addr: $m }', '      - { load: { addr: $m }, exit: {} }');
  assert.match(error(twoOps), /check\.alphabet\.A\[1\]\.(exit|load): one op per alphabet entry/);

  const noOp = AS_BINDING.replace('      - load: { addr: $m }', '      - { as: x }');
  assert.match(error(noOp), /check\.alphabet\.A\[1\]: an alphabet entry is exactly one op/);

  const badArg = AS_BINDING.replace('load: { addr: $m }', 'load: { adr: $m }');
  assert.match(error(badArg), /check\.alphabet\.A\[1\]\.load\.adr: unknown key 'adr'.*did you mean 'addr'/);

  const badBound = AS_BINDING.replace('  preemptions: 0', '  preemptions: -1');
  assert.match(error(badBound), new RegExp(`:${lineOf(badBound, 'preemptions: -1')}: check\\.preemptions: preemptions \\(the preemption bound\\) is at least 0`));

  const badInv = AS_BINDING.replace('  preemptions: 0', '  preemptions: 0\n  invariants: [no-such-rule]');
  assert.match(error(badInv), /check\.invariants\[0\]: unknown invariant; invariants: .*no-deadlock/);

  const badKey = AS_BINDING.replace('  preemptions: 0', '  preemptions: 0\n  violates: { sparc: [no-deadlock] }');
  assert.match(error(badKey), /check\.violates\.sparc: expected an arch profile/);

  const extra = AS_BINDING.replace('  preemptions: 0', '  preemptions: 0\n  maxAction: 3');
  assert.match(error(extra), /check\.maxAction: unknown key 'maxAction' in check; did you mean 'maxActions'\?/);
});

test('expected violations: check.violates by design/arch, design, arch; else violates', () => {
  const base = { violates: ['lock-order'] };
  assert.deepEqual(expectedViolations(base, 'legacy', 'x86_64'), ['lock-order']);
  const sc = loadScenario(AS_BINDING.replace('  preemptions: 0', '  preemptions: 0\n  violates: { arm64: [no-deadlock], legacy/x86_64: [lock-order] }'), 'v.yaml');
  assert.deepEqual(expectedViolations(sc, 'legacy', 'arm64'), ['no-deadlock']);
  assert.deepEqual(expectedViolations(sc, 'legacy', 'x86_64'), ['lock-order']);
  assert.deepEqual(expectedViolations(sc, 'legacy', 'x86_64-pte-special-only'), []);
});
