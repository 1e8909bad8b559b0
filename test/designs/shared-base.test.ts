import { vmaDmaBuf } from '../../src/designs/common/vfio-dmabuf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { sharedBase } from '../../src/designs/shared-base/index.js';
import { legacy } from '../../src/designs/legacy.js';
import { VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';
import { EINVAL } from '../../src/uapi/errno.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { GiB, MiB, leafAt, pending } from '../vfio/world.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { dmabufOfFd, exportDmaBuf, fileOfFd } from '../dma-buf/helpers.js';
import { PAGE, checkedAct, designWorld, mmapFdAction, vmaAt } from './helpers.js';
import type { Broken } from './helpers.js';

const BAR0_PFN = (64 * GiB) / PAGE;
const ok = (b: Broken): string => [...b.entries()].map(([k, v]) => `${k}: ${v}`).join('; ');

test('shared-base: one vm_operations_struct serves the BAR mmap and the dma-buf mmap, each in its own address_space', () => {
  const { w, devFd } = designWorld(sharedBase);
  const broken: Broken = new Map();
  const bar = checkedAct(w, {
    op: 'mmap', addr: 0, length: 2 * MiB, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, fd: devFd,
    offset: VFIO_PCI_INDEX_TO_OFFSET(0) + 2 * MiB,
  }, broken);
  const fd = exportDmaBuf(w, devFd, [{ offset: 6 * MiB, length: 2 * MiB }, { offset: 0, length: 2 * MiB }]);
  const buf = checkedAct(w, mmapFdAction(fd, 4 * MiB), broken);
  const vb = vmaAt(w, bar);
  const vd = vmaAt(w, buf);
  assert.equal(vb.vm_ops, vd.vm_ops);
  assert.equal(vb.vm_file, fileOfFd(w, devFd));
  assert.equal(vd.vm_file, w.state.dmabufs[dmabufOfFd(w, fd)]!.file);
  for (const [va, pfn] of [[bar, BAR0_PFN + 512], [buf, BAR0_PFN + 1536], [buf + 2 * MiB, BAR0_PFN]] as const) {
    checkedAct(w, { op: 'store', addr: va + 4, size: 4, value: 9 }, broken);
    assert.deepEqual(leafAt(w, va), { level: 'pmd', pfn, base: va });
  }
  const k = new Kernel(w.state, w.design);
  assert.equal(vmaDmaBuf(k, vb), null, 'a vfio-file VMA has no dma-buf');
  assert.equal(vmaDmaBuf(k, vd), dmabufOfFd(w, fd));
  assert.equal(broken.size, 0, ok(broken));
  // the disable zaps both address spaces: the device inode and the dma-buf's
  assert.equal(checkedAct(w, { op: 'pwrite', fd: devFd, offset: 7 * 2 ** 40 + 4, data: [0, 0] }, broken), 2);
  assert.equal(leafAt(w, bar), null);
  assert.equal(leafAt(w, buf), null);
  assert.equal(leafAt(w, buf + 2 * MiB), null);
  checkedAct(w, { op: 'load', addr: bar, size: 4 }, broken);
  checkedAct(w, { op: 'load', addr: buf, size: 4 }, broken);
  assert.deepEqual(pending(w), ['SIGBUS', 'SIGBUS']);
  assert.equal(writeCommand(w, devFd, 2), 2);
  assert.equal(checkedAct(w, { op: 'load', addr: buf + 2 * MiB + 4, size: 4 }, broken), 9);
  assert.equal(broken.size, 0, ok(broken));
});

test('shared-base: closing the device with a live dma-buf mmap cleans up (and zaps) before the disable', () => {
  const { w, devFd } = designWorld(sharedBase);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  checkedAct(w, { op: 'store', addr: va, size: 4, value: 1 }, broken);
  assert.equal(checkedAct(w, { op: 'close', fd: devFd }, broken), 0);
  assert.equal(leafAt(w, va), null);
  checkedAct(w, { op: 'load', addr: va, size: 4 }, broken);
  assert.deepEqual(pending(w), ['SIGBUS'], 'the buffer outlived its device: vdev NULL');
  assert.equal(broken.size, 0, ok(broken));
});

test('legacy: the dma-buf fd cannot be mmapped and no VMA has a dma-buf under it', () => {
  const { w, devFd } = designWorld(legacy);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  assert.equal(checkedAct(w, mmapFdAction(fd, 2 * MiB), new Map()), -EINVAL);
  const bar = checkedAct(w, {
    op: 'mmap', addr: 0, length: 2 * MiB, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, fd: devFd, offset: 0,
  }, new Map());
  assert.equal(vmaDmaBuf(new Kernel(w.state, w.design), vmaAt(w, bar)), null);
});
