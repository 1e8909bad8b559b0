import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, buildWorld, GiB, MiB, load, leafAt, mmapBar, openDevice, BDF } from './world.js';
import { ENOENT } from '../../src/uapi/errno.js';
import { O_RDWR } from '../../src/uapi/fcntl.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';
import { vfioPciMemoryEnabled } from '../../src/vfio/pci/device.js';
import { Kernel } from '../../src/kernel/kernel.js';

test('open of a device vfio does not drive is -ENOENT', () => {
  const w = buildWorld();
  assert.equal(act(w, { op: 'open', device: '0000:09:00.0', flags: O_RDWR }), -ENOENT);
});

test('the first open enables the function; the file maps through the device inode', () => {
  const w = buildWorld();
  assert.equal(w.state.pci[w.pdev]!.command & PCI_COMMAND_MEMORY, 0);
  const fd = openDevice(w);
  assert.ok(fd >= 0);
  const v = w.state.vfio[w.vdev]!;
  assert.equal(v.open_count, 1);
  assert.equal(v.reset_works, true);
  assert.equal(w.state.pci[w.pdev]!.command & PCI_COMMAND_MEMORY, PCI_COMMAND_MEMORY);
  assert.equal(w.state.pci[w.pdev]!.resets, 1);
  assert.ok(vfioPciMemoryEnabled(new Kernel(w.state, w.design), w.vdev));
  const fdt = w.state.fdtables[w.state.processes[w.pid]!.fdtable]!;
  const file = w.state.files[fdt.fds[fd]!.file]!;
  assert.equal(fdt.fds[fd]!.cloexec, true);
  assert.equal(file.f_op, 'vfio_device_fops');
  assert.equal(file.f_inode, v.inode);
  assert.equal(file.f_mapping, v.inode);
  assert.equal(file.private_data, w.vdev);
  // a second open does not enable (or reset) again
  openDevice(w);
  assert.equal(w.state.vfio[w.vdev]!.open_count, 2);
  assert.equal(w.state.pci[w.pdev]!.resets, 1);
});

test('the last close disables: reset, state restored, open_count 0', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(act(w, { op: 'close', fd }), 0);
  const v = w.state.vfio[w.vdev]!;
  assert.equal(v.open_count, 0);
  assert.equal(v.barmap.some((b) => b), false);
  assert.equal(w.state.pci[w.pdev]!.resets, 2);
  assert.equal(w.state.pci[w.pdev]!.power, 'D0');
});

test('closing the fd while a mapping lives keeps the file (and the device open) until munmap', () => {
  const w = buildWorld({ bars: [{ index: 0, size: 2 * MiB, base: 64 * GiB, is64: true, prefetchable: true }] });
  const fd = openDevice(w);
  const va = mmapBar(w, fd, 0, 2 * MiB, { addr: 4 * GiB, flags: MAP_SHARED | MAP_FIXED });
  assert.equal(act(w, { op: 'close', fd }), 0);
  assert.equal(w.state.vfio[w.vdev]!.open_count, 1);
  const files = Object.values(w.state.files).filter((f) => f.private_data === w.vdev);
  assert.equal(files.length, 1);
  assert.equal(files[0]!.f_count, 1);
  assert.equal(load(w, va), 0);
  assert.ok(leafAt(w, va));
  assert.equal(act(w, { op: 'munmap', addr: va, length: 2 * MiB }), 0);
  assert.equal(Object.values(w.state.files).filter((f) => f.private_data === w.vdev).length, 0);
  assert.equal(w.state.vfio[w.vdev]!.open_count, 0);
  assert.equal(leafAt(w, va), null);
  void BDF;
});
