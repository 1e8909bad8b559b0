import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run } from '../helpers/world.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED } from '../../src/uapi/mman.js';
import { EFAULT, EIO, ESRCH } from '../../src/uapi/errno.js';
import type { UserAction } from '../../src/kernel/syscalls.js';

const BASE = 0x7e0000000000;

test('remote access to a PFN map: no vm_ops->access, so nothing moves and the BAR is not touched', () => {
  const w = buildWorld({ threads: ['A', 'B'] });
  const [A, B] = [w.tids[0]!, w.tids[1]!];
  const m = run(w, A, mmapAction(w.fd, 8192, { addr: BASE, flags: MAP_SHARED | MAP_FIXED }));
  const s = { ...w, state: run({ ...w, state: m.state }, A, { op: 'load', addr: BASE, size: 4 }).state };
  const via = (v: string, pid = 0): UserAction => ({ op: 'remote_access', via: v, pid, addr: BASE, len: 8, value: 1 });
  const want: [string, number][] = [
    ['ptrace_peekdata', -EIO], ['ptrace_pokedata', -EIO], ['proc_mem_read', -EIO], ['proc_mem_write', -EIO],
    ['process_vm_readv', -EFAULT], ['process_vm_writev', -EFAULT],
  ];
  for (const [v, ret] of want) {
    const r = run(s, B, via(v, w.pid));
    assert.equal(r.ret, ret, v);
    assert.ok(!r.events.some((e) => e.kind === 'access'), `${v}: no access reaches memory`);
  }
  assert.equal(run(s, B, via('ptrace_peekdata', 9999)).ret, -ESRCH);
});

test('remote access to anonymous memory copies the bytes; a poke breaks the target\'s COW', () => {
  const w = buildWorld({ threads: ['A', 'B'] });
  const [A, B] = [w.tids[0]!, w.tids[1]!];
  let s = { ...w, state: run(w, A, { op: 'mmap', addr: BASE, length: 4096, prot: 3, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, fd: -1, offset: 0 }).state };
  assert.equal(run(s, B, { op: 'remote_access', via: 'ptrace_peekdata', pid: w.pid, addr: BASE, len: 8, value: 0 }).ret, 0, 'the zero page reads 0');
  s = { ...s, state: run(s, A, { op: 'store', addr: BASE, size: 4, value: 0x1234 }).state };
  const f = run(s, A, { op: 'fork', child: 'C' });
  s = { ...s, state: f.state };
  assert.equal(run(s, B, { op: 'remote_access', via: 'ptrace_peekdata', pid: f.ret, addr: BASE, len: 8, value: 0 }).ret, 0x1234);
  const p = run(s, B, { op: 'remote_access', via: 'proc_mem_write', pid: f.ret, addr: BASE, len: 4, value: 0x99 });
  assert.equal(p.ret, 4);
  s = { ...s, state: p.state };
  assert.equal(run(s, B, { op: 'remote_access', via: 'process_vm_readv', pid: f.ret, addr: BASE, len: 4, value: 0 }).ret, 4);
  assert.equal(run(s, A, { op: 'load', addr: BASE, size: 4 }).ret, 0x1234, 'the parent\'s page is untouched');
});
