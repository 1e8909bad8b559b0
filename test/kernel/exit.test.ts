import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run } from '../helpers/world.js';

test('exit of the last thread unmaps every VMA, closes every fd and drops all file references', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m1 = run(w, A, mmapAction(w.fd, 4096 * 4));
  let s = { ...w, state: m1.state };
  s = { ...s, state: run(s, A, mmapAction(w.fd, 4096 * 2)).state };
  s = { ...s, state: run(s, A, { op: 'load', addr: m1.ret, size: 4 }).state };
  s = { ...s, state: run(s, A, { op: 'dup', fd: w.fd }).state };
  assert.equal(s.state.files[w.file]!.f_count, 4);
  const mm = s.state.processes[w.pid]!.mm;
  const e = run(s, A, { op: 'exit' });
  assert.equal(e.state.tasks[A]!.dead, true);
  assert.equal(e.state.processes[w.pid]!.exited, true);
  assert.equal(e.state.processes[w.pid]!.mm, 0);
  assert.equal(e.state.mms[mm], undefined);
  assert.equal(e.state.files[w.file], undefined, 'the last fput freed the file');
  assert.deepEqual(e.state.inodes[w.inode]!.i_mapping.i_mmap, []);
  assert.equal(e.state.processes[w.pid]!.vars['closes'], 2);
  assert.ok(e.events.some((x) => x.kind === 'zap' && x.args['leaves'] === 1));
});

test('exit of one thread of two keeps the mm and files for the other', () => {
  const w = buildWorld({ threads: ['A', 'B'] });
  const [A, B] = [w.tids[0]!, w.tids[1]!];
  const m = run(w, A, mmapAction(w.fd, 4096));
  const e = run({ ...w, state: m.state }, A, { op: 'exit' });
  assert.equal(e.state.tasks[A]!.dead, true);
  assert.equal(e.state.processes[w.pid]!.exited, false);
  assert.equal(e.state.files[w.file]!.f_count, 2);
  const l = run({ ...w, state: e.state }, B, { op: 'load', addr: m.ret, size: 4 });
  assert.equal(l.ret, 0);
});
