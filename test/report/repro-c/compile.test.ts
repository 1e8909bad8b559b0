/**
 * Every trace the checker writes for the shipped scenarios (the built-in
 * suite and the defect scenarios, legacy design; BARMAP_REPRO_ALL=1 for
 * every design) and a few scripted runs become C reproducers that compile
 * with `cc -Wall -Werror -pthread`. One reproducer also runs without a
 * device and reports the mismatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseTraceFile } from '../../../src/check/trace-file.js';
import { reproFromTrace } from '../../../src/report/repro-c/index.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const CC = spawnSync('sh', ['-c', 'command -v cc'], { encoding: 'utf8' }).stdout.trim();

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 << 20 });
}

function compile(file: string): void {
  const r = spawnSync(CC, ['-Wall', '-Werror', '-pthread', '-o', '/dev/null', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${file} does not compile:\n${r.stderr.slice(0, 3000)}`);
}

test('every shipped trace gives a C reproducer that compiles with -Wall -Werror', (t) => {
  if (!CC) {
    if (process.env['CI'] === 'true') assert.fail('no cc in CI: .ci/run must install gcc');
    t.skip('no C compiler (apt-get install gcc)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'barmap-repro-'));
  try {
    const design = process.env['BARMAP_REPRO_ALL'] ? [] : ['--design', 'legacy'];
    cli(['check', ...design, '--out', join(dir, 'traces'), '--json']);
    const defects = readdirSync(join(ROOT, 'scenarios')).filter((f) => /\.B\d+\.yaml$/.test(f)).map((f) => join('scenarios', f));
    cli(['check', ...defects, '--out', join(dir, 'traces'), '--json']);
    const traces = readdirSync(join(dir, 'traces')).filter((f) => f.endsWith('.json'));
    assert.ok(traces.length >= 4, `traces written: ${traces.join(', ')}`);
    for (const f of traces) {
      const out = join(dir, f.replace(/\.json$/, '.c'));
      const r = cli(['repro', join(dir, 'traces', f), '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      compile(out);
    }
    for (const sc of ['fork+cmd-disable', 'fault+cmd-disable', 'ioctl-region-info-errors', 'mmap-errors', 'cmd-disable+access.B3']) {
      const out = join(dir, `${sc}.run.c`);
      const r = cli(['repro', sc, '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      compile(out);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reproducer says what it expected and what it saw, and exits 1 on a mismatch', (t) => {
  if (!CC) { t.skip('no C compiler'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'barmap-repro-run-'));
  try {
    const src = join(dir, 'r.c');
    const bin = join(dir, 'r');
    assert.equal(cli(['repro', 'cmd-disable+fault+cmd-enable', '-o', src]).status, 0);
    const c = readFileSync(src, 'utf8');
    assert.match(c, /check_sig\("steps\[\d+\] A: load of 4 bytes", sig, SIGBUS\);/, 'the SIGBUS the model predicts is checked');
    const b = spawnSync(CC, ['-Wall', '-pthread', '-o', bin, src], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const r = spawnSync(bin, ['-d', join(dir, 'no-such-vfio-device'), '-i', 'none'], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /steps\[0\] A: open\s+expected an fd \(model: 0\), saw -1 errno=2 \(No such file or directory\): MISMATCH/);
    assert.match(r.stdout, /FAIL: \d+ mismatch\(es\) with the model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the reproducer of a race: threads, guarded uapi, iommufd bind, the order user space cannot force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'barmap-repro-o-'));
  try {
    assert.equal(cli(['check', 'o_direct+cmd-disable', '--arch', 'x86_64-pte-special-only', '--design', 'legacy', '--out', dir, '--json']).status, 0);
    const f = join(dir, 'o_direct_cmd-disable--legacy--x86_64-pte-special-only--no-access-to-disabled-bar.json');
    const c = reproFromTrace(parseTraceFile(readFileSync(f, 'utf8'), f), { device: '/dev/vfio/devices/vfio3', bar: 2 });
    writeFileSync(join(dir, 'o.c'), c);
    assert.match(c, /#define DEFAULT_DEVICE "\/dev\/vfio\/devices\/vfio3"/);
    assert.match(c, /#define DEFAULT_BAR 2/);
    assert.match(c, /#ifndef VFIO_DEVICE_FEATURE_DMA_BUF\n#define VFIO_DEVICE_FEATURE_DMA_BUF 11/);
    assert.match(c, /#ifndef VFIO_DEVICE_BIND_IOMMUFD/);
    assert.match(c, /ioctl\(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind\)/);
    assert.match(c, /pthread_create\(&th\[nth\+\+\], NULL, thread_A, NULL\)/);
    assert.match(c, /pthread_create\(&th\[nth\+\+\], NULL, thread_B, NULL\)/);
    assert.match(c, /ret = o_direct_rw\(0, v_bar0, 0x2000ULL\);/);
    assert.match(c, /pwrite\(\(int\)v_fd, data, 2, \(off_t\)\(reg_off\(\(int\)v_fd, 7\) \+ 0x4ULL \/\* PCI_COMMAND \*\/\)\)/);
    assert.match(c, /In the trace A \(t18\) is inside the kernel at o_direct_rw:\w+ when this starts\. User space cannot/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
