import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliIn, assertUsage, MAIN } from './helpers.js';
import { GUP_FAST, GUP_FAST_SHORTEST } from '../check/fixtures.js';

const { tmp: TMP, barmap, file } = cliIn('barmap-check-');

test('check finds an undeclared violation (exit 1), saves its trace, and replay reproduces it', () => {
  const sc = file('gup.yaml', GUP_FAST);
  const r = barmap('check', sc, '--out', 'traces', '--verbose');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /gup-fast-agrees-with-gup +broken 19 \(load\+o_direct\) !/);
  assert.match(r.stdout, /BUG: gup-fast-agrees-with-gup in load\+o_direct \(design legacy, arch x86_64-pte-special-only\)/);
  assert.match(r.stdout, /^A-\d+:$/m);
  assert.match(r.stdout, /# FAIL load\+o_direct .*gup-fast-agrees-with-gup broke \(trace 19 transitions\)/);
  const files = readdirSync(join(TMP, 'traces'));
  assert.deepEqual(files, ['load_o_direct--legacy--x86_64-pte-special-only--gup-fast-agrees-with-gup.json']);
  const trace = join(TMP, 'traces', files[0]!);
  const tf = JSON.parse(readFileSync(trace, 'utf8')) as { version: number; schedule: unknown[]; defects: unknown[] };
  assert.equal(tf.version, 1);
  assert.equal(tf.schedule.length, GUP_FAST_SHORTEST);
  assert.deepEqual(tf.defects, []);

  const rp = barmap('replay', trace);
  assert.equal(rp.status, 1, rp.stderr);
  assert.match(rp.stdout, /load: addr=0x7e0000000000/);
  assert.match(rp.stdout, /\[t19\] +BUG: gup-fast-agrees-with-gup/);
  assert.match(rp.stdout, /# gup-fast-agrees-with-gup breaks again at the last transition/);

  const tampered = file('tampered.json', JSON.stringify({ ...tf, schedule: tf.schedule.slice(0, -1) }));
  const t = barmap('replay', tampered);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /does not break at the last transition/);

  const wrongThread = file('wrong.json', JSON.stringify({ ...tf, schedule: [{ ...(tf.schedule[1] as object), thread: 'Z' }] }));
  assertUsage(barmap('replay', wrongThread), /wrong\.json|schedule\[0\]: task \d+ is A, not Z/);
});

test('a declared violation is as expected: exit 0; --json prints one document', () => {
  const sc = file('declared.yaml', GUP_FAST.replace('  preemptions: 0', '  preemptions: 0\n  violates: [gup-fast-agrees-with-gup]'));
  const r = barmap('check', sc, '--json', '--out', 'traces2');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; cells: { invariant: string; status: string; length?: number }[]; jobs: unknown[] };
  assert.equal(doc.ok, true);
  assert.equal(doc.jobs.length, 1);
  const cell = doc.cells.find((c) => c.invariant === 'gup-fast-agrees-with-gup')!;
  assert.equal(cell.status, 'broken');
  assert.equal(cell.length, GUP_FAST_SHORTEST);
  assert.equal(doc.cells.find((c) => c.invariant === 'lock-order')!.status, 'n/a');
});

test('on x86_64 the scenario holds and expecting the violation is then a failure', () => {
  const sc = file('declared2.yaml', GUP_FAST.replace('  preemptions: 0', '  preemptions: 0\n  violates: [gup-fast-agrees-with-gup]'));
  const r = barmap('check', sc, '--arch', 'x86_64', '--out', 'traces3');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /# FAIL .*gup-fast-agrees-with-gup was expected to break \(violates:\) but held to the bound/);
});

test('--random finds and shrinks the violation, deterministically', () => {
  const sc = file('gup-r.yaml', GUP_FAST);
  const a = barmap('check', sc, '--random', '--seed', '3', '--walks', '10', '--depth', '60', '--max-actions', '4', '--json', '--out', 'tr');
  const b = barmap('check', sc, '--random', '--seed', '3', '--walks', '10', '--depth', '60', '--max-actions', '4', '--json', '--out', 'tr');
  assert.equal(a.status, 1, a.stderr);
  const cells = (s: string) => (JSON.parse(s) as { cells: unknown[] }).cells;
  assert.deepEqual(cells(a.stdout), cells(b.stdout));
  assert.match(a.stdout, /"invariant":"gup-fast-agrees-with-gup","status":"broken","length":19/);
});

test('check and replay usage errors: one line, exit 2', () => {
  const sc = file('u.yaml', GUP_FAST);
  assertUsage(barmap('check', sc, '--design', 'legasy'), /^barmap: unknown design 'legasy' \(--design\); did you mean legacy\?/);
  assertUsage(barmap('check', sc, '--arch', 'sparc'), /^barmap: unknown arch profile 'sparc'/);
  assertUsage(barmap('check', sc, '--preemptions', 'two'), /^barmap: --preemptions takes a whole number/);
  assertUsage(barmap('check', sc, '--invariant', 'no-such'), /^barmap: unknown invariant 'no-such'/);
  assertUsage(barmap('check', sc, '--seed', '3'), /^barmap: --seed, --walks and --depth go with --random/);
  assertUsage(barmap('check', sc, '--defect', 'x'), /^barmap: unknown defect 'x'/);
  assertUsage(barmap('check', 'bar-mmap-access'), /has no check: section/);
  assertUsage(barmap('check', 'no-such-scenario'), /no scenario file or built-in scenario named/);
  assertUsage(barmap('check', file('bad.yaml', GUP_FAST.replace('$bar0 }', '$nope }'))), /bad\.yaml:\d+: check\.alphabet\.A\[0\]\.load\.addr: \$nope is bound neither/);
  assertUsage(barmap('replay'), /missing required argument 'file'/);
  assertUsage(barmap('replay', 'missing.json'), /cannot read trace file 'missing\.json'/);
  assertUsage(barmap('replay', file('notjson.json', '{')), /not JSON/);
  assertUsage(barmap('replay', file('v2.json', '{"version": 2}')), /trace file version 2 is not supported/);
  assertUsage(barmap('replay', file('partial.json', '{"version": 1, "design": "legacy"}')), /partial\.json: scenario: /);
});

test('check opens with the verdict per design and leaves the traces to their files unless --verbose', () => {
  const sc = file('verdict.yaml', GUP_FAST);
  const r = barmap('check', sc, '--design', 'legacy', '--design', 'rfc', '--out', 'tv');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /every design breaks \(1; the same on each, so it does not tell them apart\):\n {2}gup-fast-agrees-with-gup +19 +load\+o_direct +!/);
  assert.match(r.stdout, /legacy +nothing else/);
  assert.doesNotMatch(r.stdout, /BUG:|result matrix/);
  assert.match(r.stdout, /# --verbose prints the full matrix and every trace; barmap explain tv\/FILE says why one broke/);
  assert.ok(r.stdout.split('\n').length < 20, r.stdout);
});

test('--random: an invariant the walks did not break is "not found in N walks", never "holds to the bound"', () => {
  const sc = file('rand.yaml', GUP_FAST.replace('  preemptions: 0', '  preemptions: 0\n  violates: [no-access-to-disabled-bar]'));
  const r = barmap('check', sc, '--arch', 'x86_64', '--random', '--walks', '3', '--depth', '5', '--out', 'trr', '--verbose');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /legacy +nothing else found in 3 walks of depth 5/);
  assert.match(r.stdout, /no-access-to-disabled-bar was expected to break \(violates:\) but was not found in 3 walks of depth 5/);
  assert.match(r.stdout, /gup-fast-agrees-with-gup +not found/);
  assert.doesNotMatch(r.stdout, /held to the bound|holds to the bound/);
});

test('a job split over --workers 2 finds the same with stealing within levels turned on (BARMAP_STEAL=1)', () => {
  const run = (env: Record<string, string>): { states: number; found: [string, number][] } => {
    const r = spawnSync(process.execPath, [MAIN, 'check', 'munmap+cmd-disable', '--design', 'dmabuf-vma@1', '--arch', 'x86_64', '--workers', '2', '--json'], {
      encoding: 'utf8', cwd: TMP, env: { ...process.env, ...env },
    });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    type Split = { stolen: number[]; idleMs: number[]; barrierMs: number[] };
    const job = (JSON.parse(r.stdout) as { jobs: { stats: { states: number; workers?: number }; found: { invariant: string; schedule: unknown[] }[]; split?: Split }[] }).jobs[0]!;
    assert.equal(job.stats.workers, 2, 'the job was split');
    // --json says how the work was spread: per worker, nodes stolen within levels and ms waited.
    for (const k of ['stolen', 'idleMs', 'barrierMs'] as const) {
      assert.equal(job.split?.[k].length, 2, `split.${k} has one entry per worker`);
      assert.ok(job.split![k].every((x) => typeof x === 'number' && x >= 0), `split.${k} ${JSON.stringify(job.split![k])}`);
    }
    if (env['BARMAP_STEAL'] !== '1') assert.deepEqual(job.split?.stolen, [0, 0], 'without stealing within levels no node is stolen');
    return { states: job.stats.states, found: job.found.map((f) => [f.invariant, f.schedule.length]) };
  };
  const on = run({ BARMAP_STEAL: '1' });
  assert.ok(on.states > 1000);
  assert.deepEqual(on, run({ BARMAP_STEAL: '' }));
});
