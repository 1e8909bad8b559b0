import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliIn, assertUsage } from './helpers.js';
import { GUP_FAST } from '../check/fixtures.js';

const { tmp, barmap, file } = cliIn('barmap-explain-');

test('explain TRACE: the setup, the transitions that matter per CPU, both sides of the rule', () => {
  const sc = file('gup.yaml', GUP_FAST);
  assert.equal(barmap('check', sc, '--out', 'traces').status, 1);
  const trace = join('traces', readdirSync(join(tmp, 'traces'))[0]!);
  const r = barmap('explain', trace);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^gup-fast-agrees-with-gup breaks in load\+o_direct \(design legacy, arch x86_64-pte-special-only\) after 19 transitions\.$/);
  assert.match(r.stdout, /Setup \(2 scenario steps, run before the search\):\n {2}A: open\(device=gpu0\(0000:01:00\.0\) flags=O_RDWR\) -> 0\n {2}A: mmap\(/);
  assert.match(r.stdout, /CPU A-\d+\n/);
  assert.match(r.stdout, / {2}t11 vmf_insert_pfn_pmd\(va=0x7e0000000000 level=pmd pfn=0x4000000/);
  assert.match(r.stdout, /What breaks: page pfn=0x4000000 of BAR0/);
  assert.match(r.stdout, /The rule \(gup-fast-agrees-with-gup\): /);
  assert.match(r.stdout, new RegExp(`Full trace: barmap replay ${trace.replace(/[.+]/g, '\\$&')}`));
  assert.ok(lines.length < 60, `a short account, got ${lines.length} lines`);
  // a trace that no longer breaks at its end: explained, exit 1
  const tf = JSON.parse(readFileSync(join(tmp, trace), 'utf8')) as { schedule: unknown[] };
  const cut = file('cut.json', JSON.stringify({ ...tf, schedule: tf.schedule.slice(0, 3) }));
  const c = barmap('explain', cut);
  assert.equal(c.status, 1);
  assert.match(c.stdout, /NOTE: the recorded violation does not break again/);
});

test('explain usage errors: one line, exit 2', () => {
  assertUsage(barmap('explain'), /missing required argument 'trace'/);
  assertUsage(barmap('explain', 'missing.json'), /cannot read trace file 'missing\.json'/);
  assertUsage(barmap('explain', file('v2.json', '{"version": 2}')), /trace file version 2 is not supported/);
});
