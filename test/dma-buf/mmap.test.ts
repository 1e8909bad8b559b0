import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, buildWorld } from '../vfio/world.js';
import type { World } from '../vfio/world.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { path } from '../../src/kernel/sched/path.js';
import type { Value } from '../../src/kernel/sched/types.js';
import { extendDesign } from '../helpers/extend-design.js';
import { legacy } from '../../src/designs/legacy.js';
import { dmaBufExport, dmaBufFd } from '../../src/dma-buf/export.js';
import { allocFile } from '../../src/fs/file-table.js';
import { fdInstall } from '../../src/fs/fd.js';
import { newInode } from '../../src/fs/address-space.js';
import { mmapVma, setMmapVma } from '../../src/mm/mmap-vma.js';
import { EINVAL, ENOMEM } from '../../src/uapi/errno.js';
import { O_RDWR } from '../../src/uapi/fcntl.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';

const PAGE = 4096;
type L = { readonly [k: string]: Value; dmabuf: number; file: number; r: number };

/** A test exporter: its mmap succeeds for priv 1 and fails -ENOMEM otherwise. */
const exporterMmap = path<L>()('test_exporter_mmap', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    if (d.priv !== 1) return cx.ret(-ENOMEM);
    setMmapVma(cx, { vm_ops: '', vm_private_data: d.id });
    cx.ret(0);
  },
});
const nop = path<L>()('test_exporter_nop', 'entry', { entry: (cx) => cx.ret(0) });
/** A driver whose ->mmap forwards into the dma-buf in private_data at page offset 1 (as drm prime mmap does). */
const driverMmap = path<L>()('test_driver_mmap', 'entry', {
  entry: (cx) => {
    const dmabuf = cx.k.get('files', cx.l.file).private_data;
    cx.call('dma_buf_mmap', { dmabuf, pgoff: mmapVma(cx).vm_pgoff + 1 }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

const design = extendDesign(legacy, {
  name: 'test-dmabuf-mmap', description: 'test exporter with ->mmap and a forwarding driver',
  paths: [exporterMmap, nop, driverMmap],
  fileOps: [{ name: 'test_driver_fops', mmap: driverMmap }],
  dmaBufOps: [
    { name: 'test_ops', map_dma_buf: nop, unmap_dma_buf: nop, release: nop, mmap: exporterMmap },
    { name: 'test_ops_nommap', map_dma_buf: nop, unmap_dma_buf: nop, release: nop },
  ],
});

/** A dma-buf of 4 pages (ops, priv) with an fd, and a driver file over it with an fd. */
function setup(ops: string, priv: number): { w: World; bufFd: number; drvFd: number; buf: number; drv: number } {
  const w = buildWorld({ design });
  const k = new Kernel(w.state, design);
  const id = dmaBufExport(k, { ops, size: 4 * PAGE, flags: O_RDWR, priv, exp_name: 'test' });
  assert.ok(id > 0);
  const bufFd = dmaBufFd(k, w.pid, id, 0);
  const ino = newInode(k, 'anon', 0);
  const drv = allocFile(k, { f_op: 'test_driver_fops', f_inode: ino, f_mapping: ino, private_data: id, f_flags: O_RDWR, name: 'test-driver' });
  const drvFd = fdInstall(k, w.pid, drv, false);
  w.state = k.finish();
  return { w, bufFd, drvFd, buf: k.get('dmabufs', id).file, drv };
}

const mmap = (w: World, fd: number, pages: number, offset = 0) =>
  act(w, { op: 'mmap', addr: 0, length: pages * PAGE, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, fd, offset });

function counts(w: World, ...files: number[]): number[] {
  return files.map((f) => w.state.files[f]!.f_count);
}

test('dma_buf_mmap success: the VMA takes the dma-buf file and the buffer-relative pgoff', () => {
  const { w, drvFd, buf, drv } = setup('test_ops', 1);
  const va = mmap(w, drvFd, 2);
  assert.ok(va > 0);
  const vma = w.state.mms[w.state.processes[w.pid]!.mm]!.vmas[0]!;
  assert.equal(vma.vm_file, buf);
  assert.equal(vma.vm_pgoff, 1);
  assert.deepEqual(counts(w, buf, drv), [2, 1], 'vma_set_file moved the VMA reference to the dma-buf file');
  const ino = w.state.files[buf]!.f_mapping;
  assert.equal(w.state.inodes[ino]!.i_mapping.i_mmap.length, 1, 'the VMA is linked in the dma-buf inode\'s i_mmap');
});

test('dma_buf_mmap error paths keep every reference count (no restore in v6.19, B1/B5)', () => {
  // exporter without ->mmap
  let s = setup('test_ops_nommap', 1);
  assert.equal(mmap(s.w, s.drvFd, 1), -EINVAL);
  assert.deepEqual(counts(s.w, s.buf, s.drv), [1, 1]);
  // beyond the buffer: pgoff 1 + 4 pages > 4
  s = setup('test_ops', 1);
  assert.equal(mmap(s.w, s.drvFd, 4), -EINVAL);
  assert.deepEqual(counts(s.w, s.buf, s.drv), [1, 1]);
  assert.equal(s.w.events.find((e) => e.fn === 'dma_buf_mmap')?.args['ret'], -EINVAL);
  // the exporter fails after vma_set_file: the core fputs the dma-buf file the VMA holds now
  s = setup('test_ops', 2);
  assert.equal(mmap(s.w, s.drvFd, 1), -ENOMEM);
  assert.deepEqual(counts(s.w, s.buf, s.drv), [1, 1]);
  assert.equal(s.w.state.mms[s.w.state.processes[s.w.pid]!.mm]!.vmas.length, 0);
});

test('dma_buf_mmap_internal: offset checks against the buffer, then the exporter', () => {
  const { w, bufFd, buf } = setup('test_ops', 1);
  assert.equal(mmap(w, bufFd, 4, PAGE), -EINVAL);
  assert.deepEqual(counts(w, buf), [1]);
  const va = mmap(w, bufFd, 3, PAGE);
  assert.ok(va > 0);
  assert.deepEqual(counts(w, buf), [2]);
  assert.equal(act(w, { op: 'munmap', addr: va, length: 3 * PAGE }), 0);
  assert.deepEqual(counts(w, buf), [1]);
});
