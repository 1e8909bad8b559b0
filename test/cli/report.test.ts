import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUP_FAST } from '../check/fixtures.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const TMP = mkdtempSync(join(tmpdir(), 'barmap-report-cli-'));

function barmap(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: TMP, env: { ...process.env, FORCE_COLOR: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const data = (html: string): { kind: string; traces: { id: string }[]; jobs?: unknown[] } =>
  JSON.parse(/<script type="application\/json" id="barmap-data">(.*?)<\/script>/s.exec(html)![1]!) as { kind: string; traces: { id: string }[]; jobs?: unknown[] };

test('check --html and report RESULTS.json / trace files write one self-contained page', () => {
  writeFileSync(join(TMP, 'g.yaml'), GUP_FAST);
  const c = barmap('check', 'g.yaml', '--design', 'legacy', '--json', '--out', 'tr', '--html', 'check.html');
  assert.equal(c.status, 1, c.stderr); // the fixture does not declare the violation it finds
  writeFileSync(join(TMP, 'results.json'), c.stdout);
  const fromCheck = data(readFileSync(join(TMP, 'check.html'), 'utf8'));
  assert.equal(fromCheck.kind, 'check');
  assert.equal(fromCheck.traces.length, 1);
  assert.equal(fromCheck.jobs?.length, 1);

  const r = barmap('report', 'results.json', '-o', 'r.html');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^# wrote r\.html: 1 trace\(s\), 1 job\(s\)/);
  assert.deepEqual(data(readFileSync(join(TMP, 'r.html'), 'utf8')).traces.map((t) => t.id), fromCheck.traces.map((t) => t.id));

  const traces = readdirSync(join(TMP, 'tr')).map((f) => join('tr', f));
  const t = barmap('report', ...traces, '-o', 't.html');
  assert.equal(t.status, 0, t.stderr);
  assert.equal(data(readFileSync(join(TMP, 't.html'), 'utf8')).traces.length, 1);

  const bad = barmap('report', 'g.yaml');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^barmap: g\.yaml: not JSON/);
});

test('run and replay: --format html on stdout, --html beside the text, --format json = --json', () => {
  const h = barmap('run', 'bar-mmap-access', '--format', 'html');
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /^<!doctype html>/);
  assert.equal(data(h.stdout).kind, 'run');

  const both = barmap('run', 'bar-mmap-access', '--html', 'run.html');
  assert.match(both.stdout, /^# barmap run bar-mmap-access/);
  assert.ok(existsSync(join(TMP, 'run.html')));
  assert.ok(!both.stdout.includes('\x1b['), 'no colour when piped');

  assert.equal(barmap('run', 'bar-mmap-access', '--format', 'json').stdout, barmap('run', 'bar-mmap-access', '--json').stdout);
  const u = barmap('run', '--format', 'xml');
  assert.equal(u.status, 2);
  assert.match(u.stderr, /^barmap: unknown --format 'xml'; formats: text, json, html/);

  const tr = readdirSync(join(TMP, 'tr')).map((f) => join('tr', f))[0]!;
  const rp = barmap('replay', tr, '--html', 'replay.html');
  assert.equal(rp.status, 1, rp.stderr);
  assert.equal(data(readFileSync(join(TMP, 'replay.html'), 'utf8')).kind, 'replay');
});

test('repro writes C to a file or stdout; usage errors are one line', () => {
  const tr = readdirSync(join(TMP, 'tr')).map((f) => join('tr', f))[0];
  if (tr === undefined) return; // the first test writes the traces
  const r = barmap('repro', tr, '--bar', '0');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\/\*\n \* barmap reproducer: gup-fast-agrees-with-gup/);
  const bad = barmap('repro', tr, '--bar', '9');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^barmap: --bar takes a BAR index 0-5/);
});
