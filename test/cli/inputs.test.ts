/* Checks of the CLI's inputs: files read, paths written, numbers and workers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWritableDir, checkWritableFile, coreCount, readTextFile, wholeNumber, workerCount } from '../../src/cli/inputs.js';
import { UsageError } from '../../src/cli/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'barmap-inputs-'));
const usage = (f: () => unknown, pattern: RegExp): void => {
  assert.throws(f, (e: unknown) => e instanceof UsageError && !e.message.includes('\n') && pattern.test(e.message));
};

test('readTextFile reads regular UTF-8 files within the limit', () => {
  const p = join(tmp, 'a.txt');
  writeFileSync(p, '\uFEFFhello ü');
  assert.equal(readTextFile(p, 'scenario', 100), 'hello ü');
  usage(() => readTextFile(p, 'scenario', 4), /is \d+ bytes; barmap reads at most 4 bytes/);
  writeFileSync(p, Buffer.from([0x61, 0xff]));
  usage(() => readTextFile(p, 'scenario', 100), /is not UTF-8 text/);
  usage(() => readTextFile(tmp, 'scenario', 100), /is not a regular file/);
  usage(() => readTextFile('/dev/zero', 'scenario', 100), /is not a regular file/);
  usage(() => readTextFile(join(tmp, 'none'), 'scenario', 100), /cannot read scenario .*ENOENT/);
});

test('output paths: creatable, a directory where one is needed, not on a pseudo file system', () => {
  const file = join(tmp, 'f');
  writeFileSync(file, 'x');
  checkWritableDir(join(tmp, 'new', 'deeper'), '--out');
  checkWritableFile(join(tmp, 'new', 'r.json'), '--out');
  checkWritableFile(file, '--out');
  usage(() => checkWritableDir(file, '--out'), /is a file, not a directory/);
  usage(() => checkWritableDir(join(file, 'x'), '--out'), /cannot be created: .* is a file/);
  usage(() => checkWritableFile(join(file, 'x.json'), '--out'), /'.*f\/x\.json' cannot be created/);
  usage(() => checkWritableFile(tmp, '--html'), /exists and is not a regular file/);
  usage(() => checkWritableDir('/proc/self/x', '--out'), /is under \/proc/);
  usage(() => checkWritableFile('/sys/kernel/x.json', '--out'), /is under \/sys/);
  usage(() => checkWritableDir('/dev/shm-not-here/x', '--out'), /is under \/dev/);
});

test('whole numbers in range; workers bounded by the cores unless forced', () => {
  assert.equal(wholeNumber('--n', undefined, 1, 10), undefined);
  assert.equal(wholeNumber('--n', '10', 1, 10), 10);
  for (const bad of ['0', '11', '-1', '1.5', '1e3', '0x10', '99999999999999999999', '', 'x']) usage(() => wholeNumber('--n', bad, 1, 10), /--n takes a whole number from 1 to 10/);
  const cores = coreCount();
  assert.equal(workerCount(undefined, false), cores);
  assert.equal(workerCount(String(cores), false), cores);
  usage(() => workerCount(String(cores + 1), false), /more than this machine's \d+ cores; .*--force-workers/);
  assert.equal(workerCount(String(cores * 4), true), cores * 4);
  usage(() => workerCount(String(cores * 4 + 1), true), /4 per core/);
  usage(() => workerCount('100000', true), /4 per core/);
});
