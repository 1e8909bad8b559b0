import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../cli/helpers.js';

const PAIR = join(ROOT, 'dist/bench/pair.js');

test('node dist/bench/pair.js runs the same suite jobs on each build given and compares their times', () => {
  const r = spawnSync(process.execPath, [PAIR, ROOT, ROOT], {
    encoding: 'utf8', env: { ...process.env, ROUNDS: '2', EVERY: '270' },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2, r.stdout);
  for (const line of lines) assert.match(line, /: \d+ ms, \d+ ms over 2 round\(s\) of 2 jobs; \d\.\d{3} of the first's time; \d+ states$/);
  assert.match(lines[0]!, /1\.000 of the first's time/);
  const states = lines.map((l) => Number(/; (\d+) states$/.exec(l)![1]));
  assert.ok(states[0]! > 0 && states[0] === states[1], r.stdout);
});

test('node dist/bench/pair.js without a build says how to call it and exits 2', () => {
  const r = spawnSync(process.execPath, [PAIR], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^usage: node dist\/bench\/pair\.js DIR\.\.\./);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('node dist/bench/pair.js with a directory that holds no build names it and exits 2', () => {
  const r = spawnSync(process.execPath, [PAIR, ROOT, '/nonexistent-barmap'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, '/nonexistent-barmap: no dist/src/check/job.js there: give a barmap checkout and run npm run build in it first\n');
});
