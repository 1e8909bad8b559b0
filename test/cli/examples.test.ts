/*
 * The example user designs, run from the CLI as a user types it: each breaks
 * its scenario with the shortest trace docs/designs.md gives, its base holds
 * on the same scenario, and its traces replay and export as C.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliIn, ROOT } from './helpers.js';

const { barmap, tmp } = cliIn('barmap-examples-');

interface Example {
  readonly file: string;
  readonly scenario: string;
  readonly base: string;
  readonly flags: readonly string[];
  /** invariant -> shortest length (transitions) on x86_64 */
  readonly breaks: Readonly<Record<string, number>>;
}

const EXAMPLES: readonly Example[] = [
  { file: 'insert-skips-memory-check.ts', scenario: 'fault+cmd-disable', base: 'legacy', flags: [],
    breaks: { 'no-leaf-on-disabled-bar': 33, 'no-access-to-disabled-bar': 40 } },
  { file: 'pin-allowed.ts', scenario: 'pin+cmd-disable.B16', base: 'legacy', flags: ['--no-defects'],
    breaks: { 'no-mapping-survives-revoke': 31, 'no-access-to-disabled-bar': 32 } },
  { file: 'cached-decode.ts', scenario: 'fault+cmd-disable', base: 'legacy', flags: [],
    breaks: { 'no-leaf-on-disabled-bar': 33, 'no-access-to-disabled-bar': 40 } },
  { file: 'dmabuf-vma-lockless-fault.ts', scenario: 'fault+cmd-disable', base: 'dmabuf-vma@4', flags: [],
    breaks: { 'no-leaf-on-disabled-bar': 43, 'no-access-to-disabled-bar': 51 } },
];

/** invariant -> schedule length of the trace files a check wrote. */
function traces(dir: string): Map<string, { file: string; length: number }> {
  const out = new Map<string, { file: string; length: number }>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const t = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { invariant: string; schedule: unknown[] };
    out.set(t.invariant, { file: join(dir, f), length: t.schedule.length });
  }
  return out;
}

for (const ex of EXAMPLES) {
  test(`examples/${ex.file} breaks ${ex.scenario} where ${ex.base} holds; its traces replay and export as C`, () => {
    const scenario = join(ROOT, 'scenarios', `${ex.scenario}.yaml`);
    const design = join(ROOT, 'examples', ex.file);
    const out = join(tmp, ex.file.replace(/\W/g, '_'));
    const r = barmap('check', scenario, '--design', design, '--arch', 'x86_64', ...ex.flags, '--out', out);
    // 1: not as the scenario expects; 0 where the scenario already expects these on every design (B16).
    assert.ok(r.status === 0 || r.status === 1, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`per design[\\s\\S]*${ex.file.replace('.ts', '')}`));
    const got = traces(out);
    assert.deepEqual(Object.fromEntries([...got].map(([k, v]) => [k, v.length])), ex.breaks);
    const base = barmap('check', scenario, '--design', ex.base, '--arch', 'x86_64', ...ex.flags, '--out', `${out}-base`);
    // 0, or 1 where the scenario expects the violations of every design (pin+cmd-disable.B16 names the defect's).
    assert.ok(base.status === 0 || base.status === 1, base.stderr + base.stdout);
    assert.equal(traces(`${out}-base`).size, 0, `${ex.base} holds on ${ex.scenario}`);
    for (const { file } of got.values()) {
      const rp = barmap('replay', file);
      assert.equal(rp.status, 1, `replay reproduces the violation: ${rp.stderr}${rp.stdout}`);
      const c = barmap('repro', file, '-o', `${file}.c`);
      assert.equal(c.status, 0, c.stderr);
      assert.ok(existsSync(`${file}.c`));
    }
  });
}
