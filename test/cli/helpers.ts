/* Running the built CLI from tests: one temporary working directory per test file. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN = join(ROOT, 'dist/src/cli/main.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI runner working in a fresh temporary directory, and a helper writing files there. */
export function cliIn(prefix: string): { tmp: string; barmap: (...args: string[]) => CliResult; file: (name: string, text: string) => string } {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  return {
    tmp,
    barmap: (...args) => {
      const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: tmp });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    file: (name, text) => {
      const p = join(tmp, name);
      writeFileSync(p, text);
      return p;
    },
  };
}

/** A usage error: exit 2, exactly one line on stderr, no stack trace. */
export function assertUsage(r: CliResult, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr + r.stdout);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one stderr line, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(lines[0]!, pattern);
}
