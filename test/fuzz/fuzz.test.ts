/*
 * The fuzz harness in `npm test`: a few hundred generated cases (scenarios,
 * ioctl argument bytes, command lines, results and trace files) with a fixed
 * seed, each judged by the CLI's promises (test/fuzz/campaign.ts), and every
 * case kept in test/fuzz/corpus/ (inputs that once broke barmap). Long
 * campaigns: `npm run fuzz -- N`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliPool } from './pool.js';
import { anyCase } from './cases.js';
import type { Case, Fixtures } from './cases.js';
import { LIMITS, judge, makeFixtures, runCase } from './campaign.js';

const ROOT = mkdtempSync(join(tmpdir(), 'barmap-fuzz-test-'));
// Timings are not asserted in tests: a case is a hang only past a minute (npm run fuzz holds cases to 10 s).
const pool = new CliPool({ ...LIMITS, timeoutMs: 60_000, recycleAfter: 200 });
after(async () => {
  await pool.close();
  rmSync(ROOT, { recursive: true, force: true });
});

let fixtures: Fixtures | undefined;
async function fx(): Promise<Fixtures> {
  fixtures ??= await makeFixtures(pool, ROOT, 100);
  return fixtures;
}

test('the judge holds the CLI to its promises', () => {
  const reply = (status: number, stderr: string) => ({ kind: 'exit' as const, reply: { id: 1, status, stderr, stdoutBytes: 0, ms: 1 } });
  assert.equal(judge(reply(2, 'barmap: bad\n')).ok, true);
  assert.equal(judge(reply(2, 'line one\nline two\n')).ok, false);
  assert.equal(judge(reply(3, 'barmap: internal error: x\n')).ok, false);
  assert.equal(judge(reply(4, '')).ok, true);
  assert.equal(judge({ kind: 'hang', ms: 10_000 }).ok, false);
  assert.equal(judge({ kind: 'oom', message: 'heap' }).ok, false);
});

test('300 generated cases: never exit 3, a hang or a multi-line usage error', async () => {
  const f = await fx();
  await fc.assert(
    fc.asyncProperty(anyCase(f), async (c: Case) => {
      const v = await runCase(pool, c, ROOT);
      assert.ok(v.ok, `${c.kind} ${c.argv.join(' ')}: ${v.what}: ${v.why ?? ''}`);
    }),
    { numRuns: 300, seed: 15, endOnFailure: true },
  );
});

test('the corpus of inputs that once broke barmap stays fixed', async () => {
  const dir = fileURLToPath(new URL('../../../test/fuzz/corpus/', import.meta.url));
  const files = readdirSync(dir).filter((n) => n.endsWith('.json'));
  assert.ok(files.length > 0);
  for (const name of files) {
    const c = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Case & { expect?: number };
    const v = await runCase(pool, c, ROOT);
    assert.ok(v.ok, `${name}: ${v.what}: ${v.why ?? ''}`);
    if (c.expect !== undefined) assert.equal(v.what, `exit ${c.expect}`, name);
  }
});
