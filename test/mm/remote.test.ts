import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run } from '../helpers/world.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
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
