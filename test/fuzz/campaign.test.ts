/* `npm run fuzz -- N` as a user types it (a tiny campaign): the figures it prints and the summary it writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./campaign.js', import.meta.url));

test('a campaign of 12 cases prints exit statuses, exit 3, hangs, memory and writes fuzz-results.json', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'barmap-campaign-'));
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT']; // as a user runs it, not as a test file
  const r = spawnSync(process.execPath, [SCRIPT, '12', '--seed', '3'], { cwd, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^# barmap fuzz: 12 cases, seed 3, on \d+ cores/m);
  assert.match(r.stdout, /^cases 12 in \d+ s/m);
  assert.match(r.stdout, /^exit 3: 0; hangs over 10 s: 0; out of memory \(1024 MiB heap\): 0; slowest case [\d.]+ s; peak RSS of the whole run \d+ MiB$/m);
  const summary = JSON.parse(readFileSync(join(cwd, 'fuzz-results.json'), 'utf8')) as { cases: number; exit3: number; failures: unknown[] };
  assert.equal(summary.cases, 12);
  assert.equal(summary.exit3, 0);
  assert.deepEqual(summary.failures, []);
});
