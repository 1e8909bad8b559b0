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

  // any other name may be a user design's; a near miss of a built-in name is a typo
  const badKey = AS_BINDING.replace('  preemptions: 0', '  preemptions: 0\n  violates: { x86-64: [no-deadlock] }');
  assert.match(error(badKey), /check\.violates\.x86-64: 'x86-64' is not a built-in design or arch profile; did you mean x86_64\?/);

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

test('check.violates keys: design patterns, and a lineage inherits its base unless named itself', () => {
  const sc = loadScenario(AS_BINDING.replace('  preemptions: 0',
    "  preemptions: 0\n  violates: { 'dmabuf-vma@*': [no-deadlock], dmabuf-vma@5: [lock-order], 'dmabuf-vma@*/arm64': [lock-order, no-deadlock], mine-too: [] }"), 'v.yaml');
  assert.deepEqual(expectedViolations(sc, 'dmabuf-vma@2', 'x86_64'), ['no-deadlock']);
  assert.deepEqual(expectedViolations(sc, 'dmabuf-vma@5', 'x86_64'), ['lock-order'], 'an exact name before a pattern');
  assert.deepEqual(expectedViolations(sc, 'dmabuf-vma@2', 'arm64'), ['lock-order', 'no-deadlock'], 'design/arch before design');
  assert.deepEqual(expectedViolations(sc, 'legacy', 'x86_64'), []);
  // a user design stacked on dmabuf-vma@2 inherits its expectations; one the scenario names does not
  assert.deepEqual(expectedViolations(sc, ['mine', 'dmabuf-vma@2'], 'x86_64'), ['no-deadlock']);
  assert.deepEqual(expectedViolations(sc, ['mine-too', 'dmabuf-vma@2'], 'x86_64'), []);
  const bad = (key: string): string => error(AS_BINDING.replace('  preemptions: 0', `  preemptions: 0\n  violates: { '${key}': [no-deadlock] }`));
  assert.match(bad('dmabuf-vam@4'), /'dmabuf-vam@4' is not a built-in design or arch profile; did you mean dmabuf-vma@4\?/);
  assert.match(bad('rfc-*'), /pattern 'rfc-\*' matches no built-in design/);
  assert.match(bad('legacy/sparc'), /'sparc' is not an arch profile/);
});
