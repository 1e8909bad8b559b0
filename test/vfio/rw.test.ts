import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, buildWorld, copiedOut, eventsOf, openDevice } from './world.js';
import { cfgRead, cfgWrite, writeCommand, writePowerState } from './config-helpers.js';
import { EFAULT, EINVAL, EIO, ENOMEM } from '../../src/uapi/errno.js';
import { runTask, startAction } from '../../src/check/exec.js';
import { VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PCI_VENDOR_ID } from '../../src/uapi/pci_regs.js';

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

const IO_BARS = [
  { index: 0, size: 16384, base: 0xf0000000, is64: false, prefetchable: false },
  { index: 2, size: 256, base: 0xe000, is64: false, prefetchable: false, io: true },
];

test('an I/O BAR is read and written without memory_lock or the memory test (test_mem false)', () => {
  const w = buildWorld({ bars: IO_BARS });
  const fd = openDevice(w);
  assert.equal(act(w, { op: 'pwrite', fd, offset: BAR2 + 4, data: [1, 2, 3, 4] }), 4);
  assert.equal(eventsOf(w, 'lock').length + w.events.filter((e) => e.fn === 'down_read').length, 0);
  assert.equal(eventsOf(w, 'access')[0]!.args['port'], '0xe004');
  writeCommand(w, fd, PCI_COMMAND_MEMORY); // I/O decode off
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2 + 4, count: 4 }), 4);
  assert.deepEqual(copiedOut(w), [0xff, 0xff, 0xff, 0xff]);
  assert.equal(eventsOf(w, 'access')[0]!.args['outcome'], 'master-abort');
  writeCommand(w, fd, PCI_COMMAND_IO);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR2 + 4, count: 4 }), 4);
  assert.deepEqual(copiedOut(w), [1, 2, 3, 4]);
  assert.equal(act(w, { op: 'pread', fd, offset: 0, count: 4 }), -EIO, 'BAR0 is memory: tested');
});

const MSIX = { vectors: 16, tableBar: 0, tableOffset: 0x2000, pbaBar: 0, pbaOffset: 0x3000 };
const BAR0 = VFIO_PCI_INDEX_TO_OFFSET(0);

test('the MSI-X table is excluded: reads fill 0xFF, writes are dropped, the bytes around it reach the device', () => {
  const w = buildWorld({ bars: IO_BARS, msix: MSIX });
  const fd = openDevice(w);
  const v = w.state.vfio[w.vdev]!;
  assert.deepEqual([v.msix_bar, v.msix_offset, v.msix_size], [0, 0x2000, 256]);
  assert.equal(act(w, { op: 'pwrite', fd, offset: BAR0 + 0x1ffe, data: [1, 2, 3, 4, 5, 6] }), 6);
  assert.deepEqual(eventsOf(w, 'access').map((e) => e.args['phys']), ['0xf0001ffe']);
  assert.equal(w.state.pci[w.pdev]!.memory[0xf0002000], undefined);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR0 + 0x1ffe, count: 4 }), 4);
  assert.deepEqual(copiedOut(w), [1, 2, 0xff, 0xff]);
  assert.equal(act(w, { op: 'pwrite', fd, offset: BAR0 + 0x20ff, data: [7, 8] }), 2);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR0 + 0x20ff, count: 2 }), 2);
  assert.deepEqual(copiedOut(w), [0xff, 8]);
  assert.equal(act(w, { op: 'pread', fd, offset: BAR0 + 0x3000, count: 4 }), 4, 'the PBA is not excluded');
  assert.equal(eventsOf(w, 'access').length, 1);
});

const ROM_INDEX = VFIO_PCI_INDEX_TO_OFFSET(6);

test('a ROM read holds the ROM enabled from pci_map_rom() to pci_unmap_rom(), at most 4 bytes a chunk', () => {
  const w = buildWorld({ bars: IO_BARS, rom: { base: 0xf1000000, size: 65536, imageSize: 1024 } });
  const fd = openDevice(w);
  const started = startAction(w.state, w.design, w.tids[0]!, { op: 'pread', fd, offset: ROM_INDEX, count: 8 });
  const r = runTask(started.state, w.design, w.tids[0]!, 'vfio_pci_bar_rw:finish');
  assert.equal(r.stop, 'label');
  assert.equal(r.state.pci[w.pdev]!.romEnable, true);
  assert.equal(act(w, { op: 'pread', fd, offset: ROM_INDEX, count: 8 }), 8);
  assert.deepEqual(copiedOut(w)!.slice(0, 2), [0x55, 0xaa]);
  assert.deepEqual(eventsOf(w, 'access').map((e) => e.args['size']), [4, 4]);
  assert.equal(w.state.pci[w.pdev]!.romEnable, false);
  assert.equal(act(w, { op: 'pread', fd, offset: ROM_INDEX + 1020, count: 8 }), 8);
  assert.deepEqual(copiedOut(w)!.slice(4), [0xff, 0xff, 0xff, 0xff], 'past the image: 0xFF');
  writeCommand(w, fd, PCI_COMMAND_IO);
  assert.equal(act(w, { op: 'pread', fd, offset: ROM_INDEX, count: 4 }), -ENOMEM);
  assert.equal(w.state.pci[w.pdev]!.romEnable, false);
});
