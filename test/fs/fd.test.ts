import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, run, kernelOf } from '../helpers/world.js';
import { fdInstall, fdLookup, NR_OPEN_MODEL } from '../../src/fs/fd.js';
import { getFile } from '../../src/fs/file-table.js';
import { EBADF, EINVAL, EMFILE, ENOTTY } from '../../src/uapi/errno.js';

test('dup gives the lowest free fd on the same file and takes a reference; close drops it', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  assert.equal(w.fd, 0);
  const d = run(w, A, { op: 'dup', fd: 0 });
  assert.equal(d.ret, 1);
  assert.equal(d.state.files[w.file]!.f_count, 2);
  const c = run({ ...w, state: d.state }, A, { op: 'close', fd: 0 });
  assert.equal(c.ret, 0);
  assert.equal(c.state.files[w.file]!.f_count, 1);
  assert.equal(kernelOf(c.state).get('fdtables', c.state.processes[w.pid]!.fdtable).fds[0], null);
  const d2 = run({ ...w, state: c.state }, A, { op: 'dup', fd: 1 });
  assert.equal(d2.ret, 0, 'the freed slot is reused first');
  assert.equal(run({ ...w, state: c.state }, A, { op: 'close', fd: 0 }).ret, -EBADF);
  assert.equal(run(w, A, { op: 'dup', fd: 5 }).ret, -EBADF);
  // Last close frees the file (__fput).
  const last = run({ ...w, state: c.state }, A, { op: 'close', fd: 1 });
  assert.equal(last.state.files[w.file], undefined);
  assert.ok(last.events.some((e) => e.kind === 'file' && e.fn === '__fput'));
});

test('fd_install keeps close-on-exec per fd; dup clears it; -EMFILE at the limit', () => {
  const w = buildWorld();
  const k = kernelOf(w.state);
  getFile(k, w.file);
  const fd = fdInstall(k, w.pid, w.file, true);
  assert.equal(fd, 1);
  const t = k.get('fdtables', k.get('processes', w.pid).fdtable);
  assert.deepEqual(t.fds[1], { file: w.file, cloexec: true });
  assert.deepEqual(t.fds[0], { file: w.file, cloexec: false });
  assert.equal(fdLookup(k, w.pid, 1), w.file);
  assert.equal(fdLookup(k, w.pid, 9), 0);
  for (let i = 2; i < NR_OPEN_MODEL; i++) {
    getFile(k, w.file);
    assert.equal(fdInstall(k, w.pid, w.file, false), i);
  }
  const s = { ...w, state: k.finish() };
  const before = s.state.files[w.file]!.f_count;
  const d = run(s, w.tids[0]!, { op: 'dup', fd: 1 });
  assert.equal(d.ret, -EMFILE);
  assert.equal(d.state.files[w.file]!.f_count, before, 'the reference dup took is dropped again');
});

test('ioctl without unlocked_ioctl is -ENOTTY, bad fd -EBADF; pread without f_op->read is -EINVAL', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const r = run(w, A, { op: 'ioctl', fd: 0, cmd: 0x3b64, arg: [], argFault: false });
  assert.equal(r.ret, -ENOTTY);
  assert.equal(r.state.files[w.file]!.f_count, 1, 'fdget reference dropped');
  assert.equal(run(w, A, { op: 'ioctl', fd: 3, cmd: 0, arg: [], argFault: false }).ret, -EBADF);
  assert.equal(run(w, A, { op: 'pread', fd: 0, offset: 0, count: 4 }).ret, -EINVAL);
  assert.equal(run(w, A, { op: 'pread', fd: 0, offset: -1, count: 4 }).ret, -EINVAL);
  assert.equal(run(w, A, { op: 'pwrite', fd: 2, offset: 0, data: [1] }).ret, -EBADF);
});
