/* The built-in suite's results equal the expected matrix documented in docs/check.md. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runJob } from '../../src/check/job.js';
import { jobsFor, suiteScenarios } from '../../src/cli/suite.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The rows of the table between the expected-matrix markers: scenario|design|arch -> result. */
export function documentedMatrix(md: string): Map<string, string> {
  const m = /<!-- expected-matrix:begin -->([\s\S]*?)<!-- expected-matrix:end -->/.exec(md);
  assert.ok(m, 'docs/check.md has the expected-matrix markers');
  const rows = new Map<string, string>();
  for (const line of m[1]!.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, ''));
    if (cells.length !== 4 || cells[0] === 'scenario' || /^-+$/.test(cells[0]!)) continue;
    rows.set(`${cells[0]}|${cells[1]}|${cells[2]}`, cells[3]!);
  }
  return rows;
}

/** A job's result as the table writes it: `all hold`, or `name (N), ...` in catalogue order. */
export function resultText(found: readonly { readonly invariant: string; readonly schedule: readonly unknown[] }[]): string {
  return found.map((f) => `${f.invariant} (${f.schedule.length})`).join(', ') || 'all hold';
}

test('the built-in suite gives the matrix docs/check.md documents', () => {
  const doc = documentedMatrix(readFileSync(join(ROOT, 'docs/check.md'), 'utf8'));
  const got = new Map<string, string>();
  for (const spec of jobsFor(suiteScenarios(), { defects: [] }, true)) {
    const r = runJob(spec);
    assert.equal(r.stats.complete, true, `${r.scenario} ${r.arch} explored completely`);
    got.set(`${r.scenario}|${r.design}|${r.arch}`, resultText(r.found));
    for (const f of r.found) assert.ok(r.expected.includes(f.invariant), `${r.scenario} ${r.arch}: ${f.invariant} is expected`);
  }
  if (process.env['BARMAP_WRITE_MATRIX'] === '1') writeMatrix(got);
  assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...doc].sort()));
});

/** BARMAP_WRITE_MATRIX=1: rewrite the documented table from the results (review the diff before committing). */
function writeMatrix(got: ReadonlyMap<string, string>): void {
  const file = join(ROOT, 'docs/check.md');
  const md = readFileSync(file, 'utf8');
  const rows = [...got].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => {
    const [scenario, design, arch] = k.split('|');
    return `| \`${scenario}\` | ${design} | ${arch} | ${v} |`;
  });
  const table = ['', '| scenario | design | arch | broken invariants (shortest trace, transitions) |', '|---|---|---|---|', ...rows, ''].join('\n');
  writeFileSync(file, md.replace(/(<!-- expected-matrix:begin -->)[\s\S]*?(<!-- expected-matrix:end -->)/, `$1${table}$2`));
}
