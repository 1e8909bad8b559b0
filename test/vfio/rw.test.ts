import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, buildWorld, copiedOut, eventsOf, openDevice } from './world.js';
import { cfgRead, cfgWrite, writeCommand, writePowerState } from './config-helpers.js';
import { EFAULT, EINVAL, EIO } from '../../src/uapi/errno.js';
import { VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND, PCI_COMMAND_MEMORY, PCI_VENDOR_ID } from '../../src/uapi/pci_regs.js';

const BAR2 = VFIO_PCI_INDEX_TO_OFFSET(2);

test('BAR pwrite then pread goes to the device memory in aligned chunks', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(act(w, { op: 'pwrite', fd, offset: BAR2 + 0x10, data: [1, 2, 3, 4, 5, 6] }), 6);
  assert.deepEqual(eventsOf(w, 'access').map((e) => e.args['size']), [4, 2]);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2 + 0x11, count: 4 }), 4);
  assert.deepEqual(copiedOut(w), [2, 3, 4, 5]);
  assert.deepEqual(eventsOf(w, 'access').map((e) => e.args['size']), [1, 2, 1]);
});

test('BAR pread/pwrite is -EIO while memory is disabled (command or D3hot)', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  writeCommand(w, fd, 0);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2, count: 4 }), -EIO);
  assert.equal(act(w, { op: 'pwrite', fd, offset: BAR2, data: [1] }), -EIO);
  assert.equal(eventsOf(w, 'access').length, 0);
  writeCommand(w, fd, PCI_COMMAND_MEMORY);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2, count: 4 }), 4);
  writePowerState(w, fd, 3);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2, count: 4 }), -EIO);
});

test('BAR access bounds: past the BAR or an unimplemented BAR is -EINVAL; reads are clipped', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2 + 2 * 2 ** 20, count: 4 }), -EINVAL);
  assert.equal(act(w, { op: 'pread', fd, offset: VFIO_PCI_INDEX_TO_OFFSET(1), count: 4 }), -EINVAL);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2 + 2 * 2 ** 20 - 2, count: 8 }), 2);
  assert.equal(act(w, { op: 'pwrite', fd, offset: VFIO_PCI_INDEX_TO_OFFSET(6), data: [1] }), -EINVAL);
  assert.equal(act(w, { op: 'pread', fd, offset: VFIO_PCI_INDEX_TO_OFFSET(9), count: 4 }), -EINVAL);
});

test('config reads show the device and the command register', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(cfgRead(w, fd, PCI_VENDOR_ID, 4), 4);
  assert.deepEqual(copiedOut(w), [0xde, 0x10, 0x30, 0x23]);
  cfgRead(w, fd, PCI_COMMAND, 2);
  assert.equal(copiedOut(w)![0]! & PCI_COMMAND_MEMORY, PCI_COMMAND_MEMORY);
  writeCommand(w, fd, 0);
  cfgRead(w, fd, PCI_COMMAND, 2);
  assert.equal(copiedOut(w)![0]! & PCI_COMMAND_MEMORY, 0);
  assert.equal(cfgRead(w, fd, 4094, 4), -EFAULT);
});

test('a 4-byte write at PCI_COMMAND is a command write (and status is ignored)', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(cfgWrite(w, fd, PCI_COMMAND, [0, 0, 0xff, 0xff]), 4);
  assert.equal(w.state.vfio[w.vdev]!.vconfig_command & PCI_COMMAND_MEMORY, 0);
  assert.equal(w.state.pci[w.pdev]!.command & PCI_COMMAND_MEMORY, 0);
});
