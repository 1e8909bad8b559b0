import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import { createProcess } from '../../src/kernel/sched/process.js';
import { testDesign } from '../helpers/pfnmap-driver.js';

test('createProcess makes a process with an empty mm, fd table and one task per thread', () => {
  const k = new Kernel(emptyKernelState('x86_64', testDesign.name), testDesign);
  const { pid, tids } = createProcess(k, 'qemu', ['A', 'B']);
  const p = k.get('processes', pid);
  assert.equal(p.name, 'qemu');
  assert.equal(p.exited, false);
  const mm = k.get('mms', p.mm);
  assert.deepEqual(mm.vmas, []);
  assert.deepEqual(mm.pgd.entries, []);
  assert.equal(k.get('locks', mm.mmap_lock).class, 'mmap_lock');
  assert.equal(k.get('locks', mm.page_table_lock).class, 'page_table_lock');
  assert.deepEqual(k.get('fdtables', p.fdtable).fds, []);
  assert.deepEqual(tids.map((t) => k.get('tasks', t).name), ['A', 'B']);
  for (const t of tids) {
    const task = k.get('tasks', t);
    assert.equal(task.pid, pid);
    assert.deepEqual([task.frames, task.blockedOn, task.held, task.pending, task.lastRet, task.dead], [[], null, [], [], null, false]);
  }
  const second = createProcess(k, 'other', ['X']);
  assert.notEqual(second.pid, pid);
  assert.notEqual(k.get('processes', second.pid).mm, p.mm);
});
