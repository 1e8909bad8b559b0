import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, mmapAction, run, kernelOf } from '../helpers/world.js';
import { allocFile } from '../../src/fs/file-table.js';
import { newInode } from '../../src/fs/address-space.js';
import { fdInstall } from '../../src/fs/fd.js';
import { MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_SYNC, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { O_RDONLY, O_RDWR } from '../../src/uapi/fcntl.js';
import { EACCES, EBADF, EEXIST, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP } from '../../src/uapi/errno.js';
import { VM_IO, VM_MAYSHARE, VM_MAYWRITE, VM_PFNMAP, VM_SHARED, VM_WRITE, vmFlagsHas } from '../../src/mm/types.js';
import { MMAP_BASE } from '../../src/mm/mmap.js';
import { runTask, startAction } from '../../src/check/exec.js';

const M2 = 2 ** 21;

test('mmap errno rules in the kernel order', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const ret = (a: Parameters<typeof mmapAction>[2], len = 4096, fd = w.fd) => run(w, A, mmapAction(fd, len, a)).ret;
  assert.equal(ret({ offset: 100 }), -EINVAL, 'offset not page aligned');
  assert.equal(ret({}, 0), -EINVAL, 'length 0');
  assert.equal(ret({}, 4096, 7), -EBADF, 'no such fd');
  assert.equal(ret({ flags: 0 }), -EINVAL, 'no sharing type');
  assert.equal(ret({ flags: MAP_SHARED_VALIDATE | MAP_SYNC }), -EOPNOTSUPP, 'unknown flag with MAP_SHARED_VALIDATE');
  assert.ok(ret({ flags: MAP_SHARED | MAP_SYNC }) > 0, 'MAP_SHARED ignores it');
  assert.equal(ret({ flags: MAP_PRIVATE }), -EINVAL, 'the driver refuses a private mapping');
  assert.equal(ret({ addr: 0x1001, flags: MAP_SHARED | MAP_FIXED }), -EINVAL, 'MAP_FIXED at an unaligned address');
  assert.equal(ret({ addr: 2 ** 47 - 4096, flags: MAP_SHARED | MAP_FIXED }, 8192), -ENOMEM, 'beyond TASK_SIZE');
  // A read-only file: PROT_WRITE + MAP_SHARED → -EACCES; no mmap op → -ENODEV.
  const k = kernelOf(w.state);
  const ino = newInode(k, 'anon', 0);
  const ro = fdInstall(k, w.pid, allocFile(k, { f_op: 'test_pfnmap_fops', f_inode: ino, f_mapping: ino, private_data: 0, f_flags: O_RDONLY, name: 'ro' }), false);
  const nm = fdInstall(k, w.pid, allocFile(k, { f_op: 'test_nommap_fops', f_inode: ino, f_mapping: ino, private_data: 0, f_flags: O_RDWR, name: 'nm' }), false);
  const w2 = { ...w, state: k.finish() };
  assert.equal(run(w2, A, mmapAction(ro, 4096)).ret, -EACCES);
  // do_mmap clears VM_SHARED|VM_MAYWRITE for a file not open for write; the driver
  // (like vfio_pci_core_mmap) then refuses the mapping as not VM_SHARED.
  const roTry = startAction(w2.state, w2.design, A, mmapAction(ro, 4096, { prot: PROT_READ }));
  const atDriver = runTask(roTry.state, w2.design, A, 'test_pfnmap_mmap:start');
  assert.equal(atDriver.stop, 'label');
  const frames = atDriver.state.tasks[A]!.frames;
  const flags = frames[frames.length - 1]!.locals['vm_flags'] as number;
  assert.ok(!vmFlagsHas(flags, VM_SHARED) && !vmFlagsHas(flags, VM_MAYWRITE) && vmFlagsHas(flags, VM_MAYSHARE));
  assert.equal(runTask(atDriver.state, w2.design, A).state.tasks[A]!.lastRet, -EINVAL);
  assert.equal(run(w2, A, mmapAction(nm, 4096)).ret, -ENODEV);
  // MAP_FIXED_NOREPLACE over an existing mapping.
  const m = run(w, A, mmapAction(w.fd, 4096));
  assert.equal(run({ ...w, state: m.state }, A, mmapAction(w.fd, 4096, { addr: m.ret, flags: MAP_SHARED | MAP_FIXED_NOREPLACE })).ret, -EEXIST);
});

test('mmap links the VMA into mm and i_mmap and takes a file reference', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  assert.equal(w.state.files[w.file]!.f_count, 1);
  const m = run(w, A, mmapAction(w.fd, 2 * M2, { offset: 4096 }));
  assert.equal(m.ret, MMAP_BASE - 2 * M2);
  const k = kernelOf(m.state);
  const mm = k.get('mms', k.get('processes', w.pid).mm);
  assert.equal(mm.vmas.length, 1);
  const v = mm.vmas[0]!;
  assert.equal(v.vm_pgoff, 1);
  assert.equal(v.vm_file, w.file);
  assert.ok(vmFlagsHas(v.vm_flags, VM_SHARED | VM_MAYSHARE | VM_WRITE | VM_IO | VM_PFNMAP));
  assert.equal(v.vm_ops, 'test_pfnmap_vm_ops');
  assert.deepEqual(v.vm_page_prot, { cache: 'UC', decrypted: true });
  assert.deepEqual(k.get('inodes', w.inode).i_mapping.i_mmap, [{ mm: mm.id, vma: v.id }]);
  assert.equal(k.get('files', w.file).f_count, 2, 'fd + vm_file (the fget of mmap was dropped)');
  // A hint is honoured when free; the next mapping goes below the first.
  const h = run({ ...w, state: m.state }, A, mmapAction(w.fd, 4096, { addr: 0x200000000 }));
  assert.equal(h.ret, 0x200000000);
  const n = run({ ...w, state: m.state }, A, mmapAction(w.fd, 4096));
  assert.equal(n.ret, MMAP_BASE - 2 * M2 - 4096);
});

test('MAP_FIXED over a mapping unmaps what it replaces', () => {
  const w = buildWorld();
  const A = w.tids[0]!;
  const m = run(w, A, mmapAction(w.fd, 3 * 4096));
  let s = { ...w, state: m.state };
  s = { ...s, state: run(s, A, { op: 'load', addr: m.ret + 4096, size: 4 }).state };
  const f = run(s, A, mmapAction(w.fd, 4096, { addr: m.ret + 4096, offset: 0x10000, flags: MAP_SHARED | MAP_FIXED }));
  assert.equal(f.ret, m.ret + 4096);
  const k = kernelOf(f.state);
  const mm = k.get('mms', k.get('processes', w.pid).mm);
  assert.deepEqual(mm.vmas.map((v) => [v.vm_start - m.ret, v.vm_end - m.ret, v.vm_pgoff]), [[0, 4096, 0], [4096, 8192, 16], [8192, 12288, 2]]);
  assert.equal(k.get('inodes', w.inode).i_mapping.i_mmap.length, 3);
  assert.equal(k.get('files', w.file).f_count, 4);
  assert.ok(f.events.some((e) => e.kind === 'zap' && e.args['leaves'] === 1), 'the faulted page was zapped');
});

test('->mmap that swaps vm_file then fails releases the new file, not the mapped one (B5)', () => {
  const w = buildWorld({ fops: 'test_swap_fail_fops' });
  const k = kernelOf(w.state);
  const ino = newInode(k, 'dma-buf', 0);
  const other = allocFile(k, { f_op: 'test_pfnmap_fops', f_inode: ino, f_mapping: ino, private_data: 0, f_flags: O_RDWR, name: 'other' });
  k.mut('files', w.file).private_data = other;
  const s = { ...w, state: k.finish() };
  const r = run(s, w.tids[0]!, mmapAction(w.fd, 4096));
  assert.equal(r.ret, -ENOMEM);
  assert.equal(r.state.files[w.file]!.f_count, 1, 'the mapped file is back to its fd reference');
  assert.equal(r.state.files[other]!.f_count, 1, 'the swapped-in file lost exactly the reference vma_set_file took');
  assert.equal(kernelOf(r.state).get('mms', r.state.processes[w.pid]!.mm).vmas.length, 0);
});

test('->mmap_prepare replacing vm_file hands its reference to the VMA (v6.19 file_doesnt_need_get)', () => {
  const w = buildWorld({ fops: 'test_prepare_fops' });
  const k = kernelOf(w.state);
  const ino = newInode(k, 'dma-buf', 0);
  const other = allocFile(k, { f_op: 'test_pfnmap_fops', f_inode: ino, f_mapping: ino, private_data: 0, f_flags: O_RDWR, name: 'other' });
  k.mut('files', w.file).private_data = other;
  const r = run({ ...w, state: k.finish() }, w.tids[0]!, mmapAction(w.fd, 4096));
  assert.ok(r.ret > 0);
  const v = kernelOf(r.state).get('mms', r.state.processes[w.pid]!.mm).vmas[0]!;
  assert.equal(v.vm_file, other);
  assert.equal(r.state.files[other]!.f_count, 2, 'its own plus the one the hook handed over');
  assert.equal(r.state.files[w.file]!.f_count, 1, 'the mapped file is not referenced by the VMA');
  assert.equal(r.state.inodes[ino]!.i_mapping.i_mmap.length, 1, 'the VMA is in the new file\'s i_mmap');
  assert.equal(r.state.inodes[w.inode]!.i_mapping.i_mmap.length, 0);
});

test('a task that faults blocks on mmap_lock held by an in-flight mmap', () => {
  const w = buildWorld({ threads: ['A', 'B'] });
  const [A, B] = [w.tids[0]!, w.tids[1]!];
  const m = run(w, A, mmapAction(w.fd, 4096));
  // A starts a second mmap and stops inside mmap_region (mmap_lock held for write).
  const a = runTask(startAction(m.state, w.design, A, mmapAction(w.fd, 4096)).state, w.design, A, 'mmap_region:link_mm');
  assert.equal(a.stop, 'label');
  const b = runTask(startAction(a.state, w.design, B, { op: 'load', addr: m.ret, size: 4 }).state, w.design, B);
  assert.equal(b.stop, 'blocked');
  const lock = b.state.mms[b.state.processes[w.pid]!.mm]!.mmap_lock;
  assert.deepEqual(b.state.tasks[B]!.blockedOn, { lock, mode: 'read' });
  assert.ok(b.events.some((e) => e.kind === 'lock' && e.fn === 'wait'));
  const a2 = runTask(b.state, w.design, A);
  assert.equal(a2.stop, 'done');
  const b2 = runTask(a2.state, w.design, B);
  assert.equal(b2.stop, 'done');
  assert.equal(b2.state.tasks[B]!.lastRet, 0);
  void PROT_WRITE;
});
