import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act as runAct, buildWorld, eventsOf, GiB, ioctl, leafAt, load, MiB, mmapBar, openDevice, pending, BDF } from './world.js';
import type { World } from './world.js';
import { writeCommand, writeFlr, writePowerState } from './config-helpers.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { createPciDev } from '../../src/pci/device.js';
import { vfioPciRegisterDevice } from '../../src/vfio/pci/device.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { O_RDWR } from '../../src/uapi/fcntl.js';
import { VFIO_DEVICE_RESET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';

const BARS = [
  { index: 0, size: 2 * MiB, base: 64 * GiB, is64: true, prefetchable: true },
  { index: 2, size: 2 * MiB, base: 64 * GiB + 2 * MiB, is64: true, prefetchable: false },
];
const OTHER = '0000:02:00.0';

/** Two BARs of our device and one BAR of another vfio device, all mapped and faulted in. */
function setup(): { w: World; fd: number; vas: number[]; other: number } {
  const w = buildWorld({ bars: BARS });
  const k = new Kernel(w.state, w.design);
  const p2 = createPciDev(k, { bdf: OTHER, vendor: 1, device: 2, bars: [{ index: 0, size: 2 * MiB, base: 80 * GiB, is64: true, prefetchable: true }] });
  vfioPciRegisterDevice(k, p2);
  w.state = k.finish();
  const fd = openDevice(w);
  const fd2 = runAct(w, { op: 'open', device: OTHER, flags: O_RDWR });
  const vas = [
    mmapBar(w, fd, 0, 2 * MiB, { addr: 4 * GiB, flags: MAP_SHARED | MAP_FIXED }),
    mmapBar(w, fd, 2, 2 * MiB, { addr: 4 * GiB + 2 * MiB, flags: MAP_SHARED | MAP_FIXED }),
  ];
  const other = mmapBar(w, fd2, 0, 2 * MiB, { addr: 4 * GiB + 4 * MiB, flags: MAP_SHARED | MAP_FIXED });
  for (const va of [...vas, other]) {
    assert.equal(load(w, va), 0);
    assert.ok(leafAt(w, va));
  }
  return { w, fd, vas, other };
}

function assertZapped(w: World, vas: readonly number[], other: number): void {
  for (const va of vas) assert.equal(leafAt(w, va), null, `leaf at ${va.toString(16)} survived the zap`);
  assert.ok(leafAt(w, other), 'the other device\'s mapping was zapped');
  const zap = eventsOf(w, 'zap', 'vfio_pci_zap_bars');
  assert.equal(zap.length, 1);
  assert.equal(zap[0]!.args['start'], '0x0');
  assert.equal(zap[0]!.args['len'], '0x' + (6 * 2 ** 40).toString(16));
  const removed = eventsOf(w, 'zap', 'unmap_mapping_range').reduce((n, e) => n + Number(e.args['leaves']), 0);
  assert.equal(removed, vas.length);
}

test('PCI_COMMAND write without MEMORY zaps every BAR leaf of the device, only those', () => {
  const { w, fd, vas, other } = setup();
  assert.equal(writeCommand(w, fd, 0), 2);
  assertZapped(w, vas, other);
  assert.equal(w.state.pci[w.pdev]!.command & PCI_COMMAND_MEMORY, 0);
});

test('v6.19 zaps on any PCI_COMMAND write without MEMORY, even when memory was already off', () => {
  const { w, fd, vas, other } = setup();
  writeCommand(w, fd, 0);
  writeCommand(w, fd, 0x4); // bus master only: still no MEMORY
  assert.equal(eventsOf(w, 'zap', 'vfio_pci_zap_bars').length, 1);
  void vas; void other;
});

test('D3hot through PM_CTRL zaps; faults SIGBUS until D0', () => {
  const { w, fd, vas, other } = setup();
  assert.equal(writePowerState(w, fd, 3), 2);
  assertZapped(w, vas, other);
  assert.equal(w.state.pci[w.pdev]!.power, 'D3hot');
  load(w, vas[0]!);
  assert.deepEqual(pending(w), ['SIGBUS']);
  writePowerState(w, fd, 0);
  assert.equal(load(w, vas[1]!), 0);
  assert.ok(leafAt(w, vas[1]!));
});

test('FLR through the PCIe DEVCTL zaps, resets, and memory is usable again after the restore', () => {
  const { w, fd, vas, other } = setup();
  const resets = w.state.pci[w.pdev]!.resets;
  assert.equal(writeFlr(w, fd), 2);
  assertZapped(w, vas, other);
  assert.equal(w.state.pci[w.pdev]!.resets, resets + 1);
  assert.equal(load(w, vas[0]!), 0);
  assert.ok(leafAt(w, vas[0]!));
});

test('VFIO_DEVICE_RESET zaps under memory_lock and resets the function', () => {
  const { w, fd, vas, other } = setup();
  const resets = w.state.pci[w.pdev]!.resets;
  assert.equal(ioctl(w, fd, VFIO_DEVICE_RESET, []), 0);
  assertZapped(w, vas, other);
  assert.equal(w.state.pci[w.pdev]!.resets, resets + 1);
  const locks = w.events.filter((e) => e.kind === 'lock' && String(e.args['lock']).includes(BDF)).map((e) => e.fn);
  assert.deepEqual(locks, ['down_write', 'up']);
  // the zap ran while memory_lock was held for write
  const iDown = w.events.findIndex((e) => e.kind === 'lock' && e.fn === 'down_write' && String(e.args['lock']).includes('memory_lock'));
  const iZap = w.events.findIndex((e) => e.kind === 'zap' && e.fn === 'vfio_pci_zap_bars');
  const iUp = w.events.findIndex((e) => e.kind === 'lock' && e.fn === 'up' && String(e.args['lock']).includes('memory_lock'));
  assert.ok(iDown < iZap && iZap < iUp);
  assert.equal(load(w, vas[0]!), 0);
});

test('a PCI_COMMAND write that keeps MEMORY does not zap', () => {
  const { w, fd, vas } = setup();
  writeCommand(w, fd, PCI_COMMAND_MEMORY);
  assert.equal(eventsOf(w, 'zap', 'vfio_pci_zap_bars').length, 0);
  assert.ok(leafAt(w, vas[0]!));
});
