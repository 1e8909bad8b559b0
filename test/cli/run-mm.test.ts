/* The mm scenarios of issue 12 (mremap, madvise, lseek, THP, remote access, anonymous memory) through the CLI as a user types them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, assertUsage, cliIn } from './helpers.js';

const { barmap, file } = cliIn('barmap-run-mm-');
const SCENARIOS = ['mremap+cmd-disable', 'mremap-pmd', 'madvise', 'lseek', 'thp-madvise', 'thp-never', 'remote-access', 'anon+bar-pin'];

for (const name of SCENARIOS) {
  test(`barmap run ${name} meets every expect on every arch profile`, () => {
    for (const arch of ['x86_64', 'x86_64-pte-special-only', 'arm64']) {
      const r = barmap('run', name, '--arch', arch);
      assert.equal(r.status, 0, `${arch}: ${r.stderr}${r.stdout.slice(-400)}`);
      assert.match(r.stdout, /every expect met/);
    }
  });
}

test('barmap run: a wrong madvise advice or THP setting is one line, exit 2', () => {
  const src = readFileSync(join(ROOT, 'scenarios/thp-never.yaml'), 'utf8');
  assertUsage(barmap('run', file('bad-advice.yaml', src.replace('advice: MADV_HUGEPAGE', 'advice: MADV_HUGEPAEG'))), /MADV_HUGEPAGE/);
  assertUsage(barmap('run', file('bad-thp.yaml', src.replace('thp: never', 'thp: sometimes'))), /always, madvise or never/);
});

test('barmap check races mremap against the memory disable and the zap reaches the moved VMA', () => {
  const r = barmap('check', 'mremap+cmd-disable', '--design', 'legacy', '--arch', 'x86_64', '--workers', '1', '--out', 'traces');
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /legacy\s+nothing else/);
});
