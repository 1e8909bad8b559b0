import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliIn, assertUsage, ROOT } from './helpers.js';

const { barmap, file } = cliIn('barmap-cli-');

const ONE_OPEN = `name: one-open
description: open the device once
world:
  devices:
    - { name: gpu0, bdf: "0000:01:00.0", bars: [{ index: 0, size: 16K, base: 0xf0000000 }] }
  processes:
    - { name: P, threads: [A] }
steps:
  - thread: A
    open: { device: gpu0, flags: [O_RDWR] }
`;

test('--help lists the commands; --version prints the package version', () => {
  const h = barmap('--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Usage: barmap/);
  assert.match(h.stdout, /run \[options\] \[scenario\]/);
  assert.match(h.stdout, /list/);
  const rh = barmap('run', '--help');
  assert.equal(rh.status, 0);
  for (const f of ['--arch', '--design', '--state', '--json']) assert.match(rh.stdout, new RegExp(f));
  const v = barmap('--version');
  assert.equal(v.status, 0);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(v.stdout.trim(), pkg.version);
});

test('list shows scenarios, designs and arch profiles with descriptions', () => {
  const r = barmap('list');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Scenarios/);
  assert.match(r.stdout, /bar-mmap-access \(default\) +\S/);
  assert.match(r.stdout, /Designs[^\n]*\n +legacy \(default\) +upstream v6\.19/);
  assert.match(r.stdout, /Arch profiles[^\n]*\n +x86_64 \(default\) /);
  assert.match(r.stdout, /x86_64-pte-special-only/);
  assert.doesNotMatch(r.stdout, /does not load/);
  assert.match(r.stdout, /Invariants[^\n]*\n +no-access-to-disabled-bar +No CPU load\/store/);
  assert.match(r.stdout, /^ +no-deadlock +Some task inside the kernel can always make progress$/m);
  assert.doesNotMatch(r.stdout, /KERNEL\.md/);
  assert.match(r.stdout, /Patch stacks[^\n]*\n +rfc \(on legacy\): 7 patch\(es\), oldest first\n +vfio\/pci: Ensure VFIO barmap is set up before creating a DMABUF\n/);
  assert.match(r.stdout, /\n +dmabuf-vma@2 \(on legacy\): 3 patch\(es\)[^\n]*\n +iommufd: map the dma-buf[^\n]*\n +vfio\/pci: put a DMA-buf under every BAR mmap[^\n]*\n +vfio\/pci: BAR faults with full multi-range semantics\n/);
});

test('bad command lines: one stderr line, exit 2', () => {
  assertUsage(barmap('run', '--frobnicate'), /^barmap: unknown option '--frobnicate'/);
  assertUsage(barmap('frob'), /^barmap: unknown command 'frob'/);
  assertUsage(barmap(), /^barmap: no command; try barmap check/);
  assertUsage(barmap('run', 'no-such-scenario'), /^barmap: no scenario file or built-in scenario named 'no-such-scenario'; built-in: .*bar-mmap-access/);
  assertUsage(barmap('run', './missing.yaml'), /^barmap: no such file '\.\/missing\.yaml'/);
  assertUsage(barmap('run', '--arch', 'sparc'), /^barmap: unknown arch profile 'sparc'; profiles: x86_64/);
  assertUsage(barmap('run', '--design', 'legacyy'), /^barmap: unknown design 'legacyy'; did you mean legacy\?/);
  assertUsage(barmap('run', '--arch'), /argument missing/);
});

test('a bad scenario file: file:line: path: message, exit 2', () => {
  const p = file('bad.yaml', ONE_OPEN.replace('[O_RDWR]', '[O_RDWRR]'));
  assertUsage(barmap('run', p), new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10: steps\\[0\\]\\.open\\.flags: unknown open flag 'O_RDWRR'.*did you mean O_RDWR\\?`));
  const y = file('syntax.yaml', 'name: [\n');
  assertUsage(barmap('run', y), /syntax\.yaml:\d+: /);
});

test('a failed expect: the trace says so and the exit status is 1', () => {
  const p = file('mismatch.yaml', ONE_OPEN + '    expect: { ret: EINVAL }\n');
  const r = barmap('run', p);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /expect: check=ret expected=-EINVAL got=/);
  assert.match(r.stdout, /# FAIL steps\[0\] \(A: open\): expected ret -EINVAL, got /);
});

test('--json prints one JSON object per line', () => {
  const p = file('ok.yaml', ONE_OPEN);
  const r = barmap('run', p, '--json', '--state');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; kind?: string; fn?: string });
  assert.equal(lines[0]!.type, 'run');
  assert.ok(lines.some((l) => l.type === 'event' && l.kind === 'syscall' && l.fn === 'open'));
  assert.ok(lines.some((l) => l.type === 'event' && l.kind === 'return'));
  assert.ok(lines.some((l) => l.type === 'state'));
  assert.equal(lines[lines.length - 1]!.type, 'summary');
});

test('run of the default built-in scenario succeeds', () => {
  const r = barmap('run');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^# barmap run bar-mmap-access {2}arch=x86_64 {2}design=legacy/);
  assert.match(r.stdout, /every expect met/);
  const s = barmap('run', 'bar-mmap-access', '--state');
  assert.equal(s.status, 0);
  assert.match(s.stdout, /-- state after step 0 --/);
});
