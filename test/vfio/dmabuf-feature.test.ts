import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, GiB, MiB } from './world.js';
import { writeCommand } from './config-helpers.js';
import { dmaBufFeatureArg, dmaBufWorld, dmabufOfFd, exportDmaBuf, fileOfFd, privOf } from '../dma-buf/helpers.js';
import { EFAULT, EINVAL, ENODEV, ENOMEM, EOVERFLOW, EMFILE } from '../../src/uapi/errno.js';
import {
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_PROBE,
  VFIO_DEVICE_FEATURE_SET,
} from '../../src/uapi/vfio.js';
import { O_RDWR } from '../../src/uapi/fcntl.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { NR_OPEN_MODEL } from '../../src/fs/fd.js';

const PAGE = 4096;
const DMA_BUF = VFIO_DEVICE_FEATURE_DMA_BUF;

test('every errno of VFIO_DEVICE_FEATURE_DMA_BUF, in the kernel order', () => {
  const { w, devFd } = dmaBufWorld();
  const ok = [{ offset: 0, length: PAGE }];
  // vfio_check_feature: SET is not supported, PROBE answers 0, neither GET nor SET, argsz < 16
  assert.equal(exportDmaBuf(w, devFd, ok, { featureFlags: VFIO_DEVICE_FEATURE_SET | DMA_BUF }), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, ok, { featureFlags: VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET | DMA_BUF }), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, ok, { featureFlags: VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | DMA_BUF }), 0);
  assert.equal(exportDmaBuf(w, devFd, ok, { featureFlags: VFIO_DEVICE_FEATURE_PROBE | DMA_BUF }), 0);
  assert.equal(exportDmaBuf(w, devFd, ok, { featureFlags: DMA_BUF }), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, ok, { argsz: 8 + 15 }), -EINVAL);
  // PROBE wins over a bad header: no copy is made
  assert.equal(exportDmaBuf(w, devFd, [], { featureFlags: VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | DMA_BUF, nr: 0 }), 0);
  // copy of the 16-byte header faults
  const short = dmaBufFeatureArg(ok).slice(0, 8 + 12);
  assert.equal(act(w, { op: 'ioctl', fd: devFd, cmd: VFIO_DEVICE_FEATURE, arg: short, argFault: false }), -EFAULT);
  // nr_ranges 0 / flags != 0 come before the region check
  assert.equal(exportDmaBuf(w, devFd, [], { nr: 0, region: 7 }), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, ok, { flags: 1, region: 7 }), -EINVAL);
  // region index >= VFIO_PCI_ROM_REGION_INDEX, before the ranges are read
  assert.equal(exportDmaBuf(w, devFd, [], { nr: 1, region: 6 }), -ENODEV);
  assert.equal(exportDmaBuf(w, devFd, [], { nr: 1, region: 9 }), -ENODEV);
  // memdup_array_user: too large for kmalloc, then the copy of the ranges faults
  assert.equal(exportDmaBuf(w, devFd, [], { nr: 2 ** 18 + 1 }), -ENOMEM);
  assert.equal(exportDmaBuf(w, devFd, ok, { nr: 2 }), -EFAULT);
  // validate_dmabuf_input: zero length, unaligned offset or length, sum overflow, bit 63
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: 0 }]), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0x800, length: PAGE }]), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE + 1 }]), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: 2n ** 63n }, { offset: 0, length: 2n ** 63n }]), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: 2n ** 63n }]), -EINVAL);
  // validation of every range comes before the BAR is looked at: a zero range after a bad BAR index
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: 0 }], { region: 1 }), -EINVAL);
  // no P2P provider: BAR 1 is not implemented
  assert.equal(exportDmaBuf(w, devFd, ok, { region: 1 }), -EINVAL);
  // fill_phys_vec: start + offset overflows phys_addr_t, then the range ends beyond the BAR
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 2n ** 64n - 2n ** 32n, length: PAGE }]), -EOVERFLOW);
  assert.equal(exportDmaBuf(w, devFd, [{ offset: GiB - PAGE, length: 2 * PAGE }]), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, [{ offset: GiB, length: PAGE }]), -EINVAL);
  // none of the failures left an object behind
  assert.deepEqual(w.state.dmabufs, {});
  assert.deepEqual(w.state.vfio_dmabufs, {});
  assert.equal(w.state.vfio[w.vdev]!.registration, 2);
  // device registration gone (unregistering device)
  const k = new Kernel(w.state, w.design);
  k.mut('vfio', w.vdev).registration = 0;
  w.state = k.finish();
  assert.equal(exportDmaBuf(w, devFd, ok), -ENODEV);
});

test('a multi-range export: fd, size, phys ranges, registration, O_CLOEXEC, starts unrevoked', () => {
  const { w, devFd } = dmaBufWorld();
  const bar0 = 64 * GiB;
  const fd = exportDmaBuf(w, devFd, [
    { offset: 2 * MiB, length: 2 * PAGE }, { offset: 0, length: PAGE }, { offset: 0, length: PAGE },
  ]);
  assert.ok(fd >= 0);
  const d = w.state.dmabufs[dmabufOfFd(w, fd)]!;
  assert.equal(d.size, 4 * PAGE);
  assert.equal(d.ops, 'vfio_pci_dmabuf_ops');
  const p = privOf(w, d.id);
  // overlapping and repeated ranges are not rejected in v6.19
  assert.deepEqual(p.phys_vec, [
    { paddr: bar0 + 2 * MiB, len: 2 * PAGE }, { paddr: bar0, len: PAGE }, { paddr: bar0, len: PAGE },
  ]);
  assert.equal(p.revoked, false);
  assert.equal(p.vdev, w.vdev);
  assert.deepEqual(w.state.vfio[w.vdev]!.dmabufs, [p.id]);
  assert.equal(w.state.vfio[w.vdev]!.registration, 3);
  const t = w.state.processes[w.pid]!.fdtable;
  assert.equal(w.state.fdtables[t]!.fds[fd]!.cloexec, true);
  const f = w.state.files[fileOfFd(w, fd)]!;
  assert.equal(f.f_count, 1);
  assert.equal(f.f_op, 'dma_buf_fops');
  assert.equal(f.f_flags, O_RDWR);
  assert.equal(w.state.inodes[f.f_mapping]!.kind, 'dma-buf');
  assert.notEqual(f.f_mapping, w.state.vfio[w.vdev]!.inode, 'the dma-buf has its own address_space');
});

test('a dma-buf exported while memory decoding is off starts revoked', () => {
  const { w, devFd } = dmaBufWorld();
  assert.equal(writeCommand(w, devFd, 0), 2);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }]);
  assert.ok(fd >= 0);
  assert.equal(privOf(w, dmabufOfFd(w, fd)).revoked, true);
  const reg = w.events.find((e) => e.fn === 'vfio_pci_dma_buf_register');
  assert.equal(reg?.args['revoked'], true);
});

test('dma_buf_fd failing (-EMFILE): v6.19 frees priv and drops the registration before the release runs', () => {
  const { w, devFd } = dmaBufWorld();
  const k = new Kernel(w.state, w.design);
  const t = k.get('processes', w.pid).fdtable;
  const fds = [...k.get('fdtables', t).fds];
  const dev = fds[devFd]!;
  while (fds.length < NR_OPEN_MODEL) fds.push(dev);
  k.mut('fdtables', t).fds = fds;
  k.mut('files', dev.file).f_count = k.get('files', dev.file).f_count + NR_OPEN_MODEL - 1;
  w.state = k.finish();
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }]), -EMFILE);
  // the deferred __fput ran the release on a freed vfio_pci_dma_buf
  assert.ok(w.events.some((e) => e.kind === 'warn' && e.fn === 'vfio_pci_dma_buf_release'));
  assert.deepEqual(w.state.dmabufs, {});
  // and the device list still names the freed object
  assert.equal(w.state.vfio[w.vdev]!.dmabufs.length, 1);
});
