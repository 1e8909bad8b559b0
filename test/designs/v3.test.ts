/* v3 (Matt Evans, on revoke@v7.1): BAR mmaps are dma-buf mappings; revoke through the feature is permanent; memattr. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { v3, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, VFIO_DMABUF_MEMATTR_WC } from '../../src/designs/v3/index.js';
import { leBytes } from '../../src/uapi/codec.js';
import { VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_FEATURE_SET } from '../../src/uapi/vfio.js';
import { EBADFD, ENODEV, ENOENT } from '../../src/uapi/errno.js';
import { MiB, leafAt, mmapBar } from '../vfio/world.js';
import type { World } from '../vfio/world.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { attach, dmabufOfFd, exportDmaBuf, map, privOf } from '../dma-buf/helpers.js';
import { PAGE, checkedAct, designWorld, mmapFdAction, vmaAt } from './helpers.js';
import type { Broken } from './helpers.js';

const ok = (b: Broken): string => [...b.entries()].map(([k, v]) => `${k}: ${v}`).join('; ');

/** VFIO_DEVICE_FEATURE ioctl with `feature` | SET and a payload of (fd, value). */
function featureSet(w: World, devFd: number, feature: number, payload: readonly number[], broken: Broken): number {
  const arg = [...leBytes(8 + payload.length, 4), ...leBytes(feature | VFIO_DEVICE_FEATURE_SET, 4), ...payload];
  return checkedAct(w, { op: 'ioctl', fd: devFd, cmd: VFIO_DEVICE_FEATURE, arg, argFault: false }, broken);
}

const revokeFd = (w: World, devFd: number, fd: number, b: Broken): number =>
  featureSet(w, devFd, VFIO_DEVICE_FEATURE_DMA_BUF, leBytes(fd, 4), b);

test('v3 4/9: a BAR mmap is a mapping of its own dma-buf (f_op->mmap), faulted through its ranges', () => {
  const { w, devFd } = designWorld(v3);
  const broken: Broken = new Map();
  const va = mmapBar(w, devFd, 0, 2 * MiB);
  const v = vmaAt(w, va);
  const d = w.state.files[v.vm_file]!;
  assert.equal(d.f_op, 'dma_buf_fops', 'vm_file is the dma-buf file');
  assert.equal(v.vm_pgoff, 0);
  checkedAct(w, { op: 'store', addr: va + 8, size: 4, value: 1 }, broken);
  assert.ok(leafAt(w, va) !== null);
  // A disable revokes the buffer, which zaps its own mapping (bar_needs_zap is off for vfio-pci core).
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(leafAt(w, va), null);
  assert.equal(broken.size, 0, ok(broken));
});

test('v3 8/9: revoke through VFIO_DEVICE_FEATURE_DMA_BUF (SET) is permanent: -EBADFD again, MSE on keeps it revoked', () => {
  const { w, devFd, importers } = designWorld(v3, { importers: [{ name: 'gpu', kind: 'dynamic' }] });
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  const dmabuf = dmabufOfFd(w, fd);
  const broken: Broken = new Map();
  const att = attach(w, importers['gpu']!, fd);
  assert.equal(map(w, att), 0);
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  checkedAct(w, { op: 'store', addr: va, size: 4, value: 5 }, broken);
  assert.equal(revokeFd(w, devFd, fd, broken), 0);
  assert.equal(privOf(w, dmabuf).revoked, true);
  assert.equal(w.state.attachments[att]!.mapped, null, 'the importer unmapped before the revoke returned');
  assert.equal(leafAt(w, va), null, 'the CPU mapping is zapped');
  assert.equal(revokeFd(w, devFd, fd, broken), -EBADFD);
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(writeCommand(w, devFd, 2), 2);
  assert.equal(privOf(w, dmabuf).revoked, true, 'memory enabled again: still revoked');
  assert.equal(map(w, att), -ENODEV);
  assert.equal(checkedAct(w, mmapFdAction(fd, 2 * MiB), broken), -ENODEV);
  assert.equal(broken.size, 0, ok(broken));
});

test('v3 9/9: VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR sets WC for the dma-buf mmap; an unknown attribute is -ENOENT', () => {
  const { w, devFd } = designWorld(v3);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  const broken: Broken = new Map();
  assert.equal(featureSet(w, devFd, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, [...leBytes(fd, 4), ...leBytes(7, 4)], broken), -ENOENT);
  assert.equal(featureSet(w, devFd, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, [...leBytes(fd, 4), ...leBytes(VFIO_DMABUF_MEMATTR_WC, 4)], broken), 0);
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  assert.deepEqual(vmaAt(w, va).vm_page_prot, { cache: 'WC', decrypted: true });
  assert.equal(PAGE, 4096);
  assert.equal(broken.size, 0, ok(broken));
});
