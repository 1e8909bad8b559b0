/*
 * Regression tests for issue 15: every class of bad input the fuzz campaign
 * and the review found is answered with one line and exit 2 (never exit 3),
 * and incomplete work exits 4 and says so in text and JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { cliIn, assertUsage, ROOT } from './helpers.js';
import { GUP_FAST } from '../check/fixtures.js';

const { tmp: TMP, barmap, file } = cliIn('barmap-validation-');
const shipped = (name: string): string => readFileSync(join(ROOT, 'scenarios', name), 'utf8');

test('YAML anchors and aliases: an alias bomb and an unresolved alias are exit 2, in a scenario and inside a trace file', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
  assertUsage(barmap('run', file('bomb.yaml', bomb)), /^.*bomb\.yaml:1: aliases expand to too many nodes/);
  // one deleted &anchor line in a shipped scenario
  const text = shipped('fault+cmd-disable.yaml');
  const anchor = /&([\w-]+)/.exec(text)![1]!;
  const unresolved = text.replace(` &${anchor}`, '');
  assertUsage(barmap('run', file('unres.yaml', unresolved)), new RegExp(`unres\\.yaml:\\d+: alias \\*${anchor} has no anchor &${anchor} before it`));
  assertUsage(barmap('check', file('unres2.yaml', unresolved), '--max-states', '10'), /alias \*/);
  const trace = {
    version: 1, scenario: { name: 'x', file: 'x.yaml', source: unresolved }, design: 'legacy', arch: 'x86_64', defects: [],
    mode: 'bfs', bounds: { maxActions: 1, preemptions: 0 }, invariant: 'no-lock-leak', schedule: [],
  };
  assertUsage(barmap('replay', file('alias-trace.json', JSON.stringify(trace))), /alias-trace\.json: the embedded scenario does not load: .*alias \*/);
});

test('a deeply nested or oversized YAML file is refused at once', () => {
  const t0 = Date.now();
  assertUsage(barmap('run', file('deep.yaml', 'a: ' + '['.repeat(200_000))), /deep\.yaml:1: more than 64 nested/);
  assertUsage(barmap('run', file('dashes.yaml', 'a:\n' + '- '.repeat(100_000))), /dashes\.yaml:2: more than 32 nested sequences/);
  assertUsage(barmap('run', file('big.yaml', '#'.repeat(2 << 20))), /big\.yaml' is 2 MiB; barmap reads at most 1 MiB/);
  assert.ok(Date.now() - t0 < 20_000); // a guard against the 27 s of the report, not a timing assertion
});

test('--out that cannot be written is exit 2 before the search', () => {
  file('plain', 'x');
  const sc = 'fault+cmd-disable';
  assertUsage(barmap('check', sc, '--out', 'plain/traces'), /--out 'plain\/traces' cannot be created: '.*plain' is a file/);
  assertUsage(barmap('check', sc, '--out', 'plain'), /--out 'plain' is a file, not a directory/);
  assertUsage(barmap('check', sc, '--out', '/proc/barmap-traces'), /is under \/proc, not a place for files/);
  assertUsage(barmap('check', sc, '--out', 'plain/r.json'), /--out 'plain\/r\.json' cannot be created/);
  assertUsage(barmap('check', sc, '--html', 'plain/r.html'), /--html 'plain\/r\.html' cannot be created/);
  assertUsage(barmap('run', 'bar-mmap-access', '--html', '/sys/x.html'), /under \/sys/);
  assertUsage(barmap('merge', 'x.json', '--out', 'plain/m.json'), /--out 'plain\/m\.json' cannot be created/);
  assertUsage(barmap('report', 'x.json', '-o', 'plain/r.html'), /-o 'plain\/r\.html' cannot be created/);
});

test('numbers out of range and --workers beyond the cores are exit 2', () => {
  const sc = 'fault+cmd-disable';
  assertUsage(barmap('check', sc, '--workers', '200'), /--workers 200 is more than this machine's \d+ cores; give at most \d+, or add --force-workers/);
  assertUsage(barmap('check', sc, '--workers', '100000', '--force-workers'), /--workers 100000 is more than \d+ \(4 per core/);
  assertUsage(barmap('check', sc, '--workers', '0'), /--workers takes a whole number from 1/);
  assertUsage(barmap('check', sc, '--max-actions', '99999999999999999999'), /--max-actions takes a whole number from 1 to 1,000, not '99999999999999999999'/);
  assertUsage(barmap('check', sc, '--max-states', '1.5'), /--max-states takes a whole number/);
  assertUsage(barmap('check', sc, '--shard', '99999999/99999999999'), /--shard takes i\/N/);
});

test('--shard with --out DIR is exit 2; a search cut by --max-states exits 4 and says incomplete in text and JSON', () => {
  assertUsage(barmap('check', 'fault+cmd-disable', '--shard', '0/2', '--out', 'dir'), /--shard writes a results file for barmap merge: give --out FILE\.json/);
  const text = barmap('check', 'fault+cmd-disable', '--max-states', '30', '--workers', '1', '--out', 'cut');
  assert.equal(text.status, 4, text.stderr);
  assert.match(text.stdout, /# INCOMPLETE fault\+cmd-disable \(design legacy, arch x86_64\): cut at max-states 30 after \d+ states/);
  assert.match(text.stdout, /# INCOMPLETE: 1 job\(s\) did not finish.*\(exit 4\)/);
  assert.doesNotMatch(text.stdout, /every result is as expected/);
  const json = barmap('check', 'fault+cmd-disable', '--max-states', '30', '--workers', '1', '--json', '--out', 'cut');
  assert.equal(json.status, 4, json.stderr);
  const doc = JSON.parse(json.stdout) as { complete: boolean; incomplete: string[]; jobs: { stats: { complete: boolean; stop: string } }[] };
  assert.equal(doc.complete, false);
  assert.equal(doc.incomplete.length, 1);
  assert.equal(doc.jobs[0]!.stats.stop, 'max-states');
  // a cut shard also exits 4
  const shard = barmap('check', 'fault+cmd-disable', '--shard', '0/2', '--max-states', '30', '--workers', '1', '--out', 'cut-0.json');
  assert.equal(shard.status, 4, shard.stderr);
});

test('barmap merge refuses a corrupt shard, a broken embedded scenario and a shard of another command line', () => {
  for (const i of [0, 1]) {
    const r = barmap('check', 'fault+cmd-disable', '--shard', `${i}/2`, '--workers', '1', '--out', `sh-${i}.json`);
    assert.equal(r.status, 0, r.stderr);
  }
  const good = barmap('merge', 'sh-0.json', 'sh-1.json', '--out', 'merged');
  assert.equal(good.status, 0, good.stderr);
  const doc = JSON.parse(readFileSync(join(TMP, 'sh-1.json'), 'utf8')) as { outcomes: { spec: { source: { text: string } }; result: Record<string, unknown> & { stats: Record<string, unknown>; keys: string; bounds: Record<string, unknown> } }[] };
  const variant = (name: string, edit: (d: typeof doc) => void): string => {
    const d = structuredClone(doc);
    edit(d);
    return file(name, JSON.stringify(d));
  };
  const o = (d: typeof doc) => d.outcomes[0]!;
  assertUsage(barmap('merge', 'sh-0.json', variant('types.json', (d) => { o(d).result.stats['states'] = 'many'; })), /types\.json: outcomes\[0\]\.result\.stats\.states: .*expected number/);
  assertUsage(barmap('merge', 'sh-0.json', variant('nostats.json', (d) => { delete (o(d).result as Record<string, unknown>)['stats']; })), /nostats\.json: outcomes\[0\]\.result\.stats: /);
  assertUsage(barmap('merge', 'sh-0.json', variant('keys.json', (d) => { o(d).result.keys = o(d).result.keys.slice(0, -4); })), /keys\.json: outcomes\[0\]\.result\.keys: keys must be a whole number of 8-byte state keys/);
  assertUsage(barmap('merge', 'sh-0.json', variant('scen.json', (d) => { o(d).spec.source.text = o(d).spec.source.text.replace('steps:', 'stepz:'); })), /scen\.json: outcomes\[0\]: the embedded scenario does not load: .*steps: missing/);
  assertUsage(barmap('merge', 'sh-0.json', variant('bounds.json', (d) => { o(d).result.bounds['maxActions'] = 1; })), /shard 1\/2 differs from shard 0\/2 in its bounds/);
  assertUsage(barmap('merge', 'sh-0.json', variant('text.json', (d) => { o(d).spec.source.text += '\n# edited\n'; })), /shard 1\/2 differs from shard 0\/2 in its scenario text/);
  assertUsage(barmap('merge', 'sh-0.json', file('cut.json', readFileSync(join(TMP, 'sh-1.json'), 'utf8').slice(0, 500))), /cut\.json: not JSON/);
});

test('hand-edited traces are refused at the transition where they diverge; bad versions and bytes are one line', () => {
  const r = barmap('check', file('gup.yaml', GUP_FAST), '--out', 'tr', '--workers', '1');
  assert.equal(r.status, 1, r.stderr);
  const path = join(TMP, 'tr', readdirSync(join(TMP, 'tr'))[0]!);
  const tf = JSON.parse(readFileSync(path, 'utf8')) as { schedule: { at: string; fp?: string; action?: { entry?: number; resolved: Record<string, unknown> } }[] };
  assert.ok(tf.schedule.every((s) => /^[0-9a-f]{16}$/.test(s.fp ?? '')), 'every transition records a fingerprint');
  const edit = (name: string, f: (t: typeof tf) => void): string => {
    const t = structuredClone(tf);
    f(t);
    return file(name, JSON.stringify(t));
  };
  const inKernel = tf.schedule.findIndex((s) => s.at !== 'user');
  const action = tf.schedule.findIndex((s) => s.action !== undefined && Object.keys(s.action.resolved).some((k) => k !== 'op' && typeof s.action!.resolved[k] === 'number'));
  assertUsage(barmap('replay', edit('at.json', (t) => { t.schedule[inKernel]!.at = 'vfio_pci_mmap_huge_fault:nowhere'; })), new RegExp(`at\\.json: schedule\\[${inKernel}\\]: thread \\w+ is at .* not vfio_pci_mmap_huge_fault:nowhere as recorded`));
  assertUsage(barmap('replay', edit('entry.json', (t) => { t.schedule[action]!.action!.entry = 7; })), new RegExp(`entry\\.json: schedule\\[${action}\\]: thread \\w+ has no alphabet entry 7`));
  assertUsage(barmap('replay', edit('offset.json', (t) => {
    const res = t.schedule[action]!.action!.resolved;
    const k = Object.keys(res).find((x) => x !== 'op' && typeof res[x] === 'number')!;
    res[k] = (res[k] as number) + 0x1000;
  })), new RegExp(`offset\\.json: schedule\\[${action}\\]: .*(fingerprint [0-9a-f]{16}, not [0-9a-f]{16} as recorded|the model refused)`));
  assertUsage(barmap('replay', edit('version.json', (t) => { (t as unknown as Record<string, unknown>)['version'] = '1'; })), /trace file version "1" \(a string, not a number\) is not supported; this barmap reads version 1 \(the number 1\)/);
  assertUsage(barmap('replay', file('latin1.json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1'))), /not JSON|not UTF-8/);
  const bin = join(TMP, 'bin.json');
  writeFileSync(bin, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
  assertUsage(barmap('replay', bin), /trace file '.*bin\.json' is not UTF-8 text/);
  assertUsage(barmap('replay', file('corrupt.json', readFileSync(path, 'utf8').slice(0, 200))), /corrupt\.json: not JSON \(/);
  assertUsage(barmap('replay', '/dev/zero'), /'\/dev\/zero' is not a regular file/);
});

test('--force-workers allows more workers than cores', () => {
  const r = barmap('check', 'fault+cmd-disable', '--max-states', '30', '--workers', String(availableParallelism() + 1), '--force-workers', '--out', 'forced');
  assert.equal(r.status, 4, r.stderr);
});

test('BAR kinds in a scenario: a bad ROM or MSI-X, a pread out: of 8 bytes and an unbound expect var are one line, exit 2', () => {
  const msix = shipped('msix-region.yaml');
  assertUsage(barmap('run', file('msix-bar.yaml', msix.replace('tableBar: 0', 'tableBar: 1'))), /msix-bar\.yaml:\d+: world\.devices\[0\]\.msix: the table BAR1 is not an implemented memory BAR/);
  assertUsage(barmap('run', file('msix-out.yaml', msix.replace('offset: 0xb2, count: 2, out: ctrl }', 'offset: 0xb2, count: 8, out: ctrl }'))), /msix-out\.yaml:\d+: steps\[3\]\.pread\.out: out: binds the bytes of a 1-, 2- or 4-byte read; count is 8/);
  assertUsage(barmap('run', file('msix-var.yaml', msix.replace('vars: { next: 0xb0 }', 'vars: { nxt: 0xb0 }'))), /steps\[1\]\.expect\.vars\.nxt: \$nxt is not bound/);
  const rom = shipped('rom-region.yaml');
  assertUsage(barmap('run', file('rom-size.yaml', rom.replace('rom: { size: 64K', 'rom: { size: 1K'))), /rom: a ROM BAR's size is a power of two from 2K to 16M, not 1024/);
});

test('barmap run passes the BAR-kind and MSI-X scenarios on every arch profile, as a user types it', () => {
  for (const name of ['io-bar', 'rom-region', 'bar-not-mmappable', 'msix-region']) {
    for (const arch of ['x86_64', 'x86_64-pte-special-only', 'arm64']) {
      const r = barmap('run', join(ROOT, 'scenarios', `${name}.yaml`), '--arch', arch);
      assert.equal(r.status, 0, `${name} on ${arch}: ${r.stdout.slice(-400)}`);
      assert.match(r.stdout, /every expect met/);
    }
  }
});
