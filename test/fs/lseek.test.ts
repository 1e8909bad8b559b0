import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, run } from '../helpers/world.js';
import { EBADF, EINVAL, ESPIPE } from '../../src/uapi/errno.js';
import { SEEK_END, SEEK_SET } from '../../src/uapi/fcntl.js';

test('lseek: -EBADF, -EINVAL for a whence above SEEK_MAX, -ESPIPE for a file without ->llseek', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  assert.equal(run(w, A, { op: 'lseek', fd: 7, offset: 0, whence: SEEK_SET }).ret, -EBADF);
  assert.equal(run(w, A, { op: 'lseek', fd: w.fd, offset: 0, whence: 5 }).ret, -EINVAL);
  const r = run(w, A, { op: 'lseek', fd: w.fd, offset: 0, whence: SEEK_END });
  assert.equal(r.ret, -ESPIPE);
  assert.equal(r.state.files[w.file]!.f_count, 1, 'fget and fput balance');
});
