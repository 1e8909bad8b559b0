import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, ioctl } from '../vfio/world.js';
import { dmaBufWorld, dmabufOfFd, exportDmaBuf, fileOfFd } from './helpers.js';
import { EFAULT, EINVAL, ENOTTY, EACCES } from '../../src/uapi/errno.js';
import { encodeStruct } from '../../src/uapi/codec.js';
import {
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME, DMA_BUF_SET_NAME_A, DMA_BUF_SYNC_END,
  DMA_BUF_SYNC_READ, DMA_BUF_SYNC_RW, dma_buf_sync,
} from '../../src/uapi/dma-buf.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { O_CLOEXEC, O_RDONLY } from '../../src/uapi/fcntl.js';

const PAGE = 4096;

function setup(openFlags?: number) {
  const s = dmaBufWorld();
  const fd = exportDmaBuf(s.w, s.devFd, [{ offset: 0, length: 4 * PAGE }], openFlags === undefined ? {} : { openFlags });
  assert.ok(fd >= 0);
  return { ...s, fd };
}

const sync = (flags: number | bigint) => encodeStruct(dma_buf_sync, { flags });
const str = (s: string) => [...s].map((c) => c.charCodeAt(0));

test('mmap of a v6.19 vfio dma-buf fd: -EINVAL from dma_buf_mmap_internal, references balance', () => {
  const { w, fd } = setup();
  const file = fileOfFd(w, fd);
  const r = act(w, { op: 'mmap', addr: 0, length: PAGE, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, fd, offset: 0 });
  assert.equal(r, -EINVAL);
  const e = w.events.find((x) => x.fn === 'dma_buf_mmap_internal');
  assert.equal(e?.args['exporter_mmap'], 'none');
  assert.equal(w.state.files[file]!.f_count, 1);
  assert.equal(w.state.mms[w.state.processes[w.pid]!.mm]!.vmas.length, 0);
});

test('a read-only dma-buf fd refuses a shared writable mmap before the dma-buf core (-EACCES)', () => {
  const { w, fd } = setup(O_RDONLY | O_CLOEXEC);
  const r = act(w, { op: 'mmap', addr: 0, length: PAGE, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, fd, offset: 0 });
  assert.equal(r, -EACCES);
});

test('DMA_BUF_IOCTL_SYNC: fault, unknown flags, no direction → errno; valid brackets → 0', () => {
  const { w, fd } = setup();
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_SYNC, sync(DMA_BUF_SYNC_RW), true), -EFAULT);
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_SYNC, [0, 0, 0, 0]), -EFAULT);
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_SYNC, sync(8 | DMA_BUF_SYNC_READ)), -EINVAL);
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_SYNC, sync(2n ** 40n | 1n)), -EINVAL);
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_SYNC, sync(DMA_BUF_SYNC_END)), -EINVAL);
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_SYNC, sync(DMA_BUF_SYNC_READ)), 0);
  assert.equal(w.events.find((e) => e.fn === 'dma_buf_ioctl')?.args['access'], 'begin_cpu_access');
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_SYNC, sync(DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END)), 0);
  assert.equal(w.events.find((e) => e.fn === 'dma_buf_ioctl')?.args['access'], 'end_cpu_access');
});

test('DMA_BUF_SET_NAME: name stored; too long → -EINVAL; fault → -EFAULT; unknown ioctls → -ENOTTY', () => {
  const { w, fd } = setup();
  const dmabuf = dmabufOfFd(w, fd);
  assert.equal(ioctl(w, fd, DMA_BUF_SET_NAME, [...str('bar0-window'), 0]), 0);
  assert.equal(w.state.dmabufs[dmabuf]!.name, 'bar0-window');
  assert.equal(ioctl(w, fd, DMA_BUF_SET_NAME_A, [...str('x'.repeat(31)), 0]), 0);
  assert.equal(ioctl(w, fd, DMA_BUF_SET_NAME, [...str('x'.repeat(32)), 0]), -EINVAL);
  assert.equal(ioctl(w, fd, DMA_BUF_SET_NAME, str('abc')), -EFAULT);
  assert.equal(ioctl(w, fd, DMA_BUF_SET_NAME, [0], true), -EFAULT);
  assert.equal(w.state.dmabufs[dmabuf]!.name, 'x'.repeat(31));
  assert.equal(ioctl(w, fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, [1, 0, 0, 0, 0, 0, 0, 0]), -ENOTTY);
  assert.equal(ioctl(w, fd, 0x1234, []), -ENOTTY);
});

test('closing the only fd releases the dma-buf: file, inode, resv and private object go', () => {
  const { w, fd } = setup();
  const dmabuf = dmabufOfFd(w, fd);
  const d = w.state.dmabufs[dmabuf]!;
  assert.equal(act(w, { op: 'close', fd }), 0);
  assert.equal(w.state.dmabufs[dmabuf], undefined);
  assert.equal(w.state.files[d.file], undefined);
  assert.equal(w.state.inodes[d.inode], undefined);
  assert.equal(w.state.locks[d.resv], undefined);
  assert.deepEqual(w.state.vfio_dmabufs, {});
  assert.equal(w.state.vfio[w.vdev]!.registration, 2);
});
