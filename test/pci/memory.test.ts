import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import { legacy } from '../../src/designs/legacy.js';
import { createPciDev, pciFunctionReset, pciWriteCommand, pciSetPowerState } from '../../src/pci/device.js';
import { physAccess, pfnHasStructPage, pfnToBar } from '../../src/pci/memory.js';
import { PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';

const GiB = 2 ** 30;

function kernelWith(structPages: boolean, noCommandMemory = false): { k: Kernel; pdev: number } {
  const k = new Kernel(emptyKernelState('x86_64', 'legacy'), legacy);
  const pdev = createPciDev(k, {
    bdf: '0000:01:00.0', vendor: 1, device: 2, structPages, noCommandMemory,
    bars: [{ index: 0, size: GiB, base: 4 * GiB, is64: true, prefetchable: true }],
  });
  return { k, pdev };
}

test('decode off: the access is an Unsupported Request, reads all ones, writes dropped', () => {
  const { k } = kernelWith(false);
  const w = physAccess(k, 4 * GiB + 8, 4, true, 0x12345678);
  assert.equal(w.outcome, 'unsupported-request');
  const r = physAccess(k, 4 * GiB + 8, 4, false, 0);
  assert.deepEqual(r, { value: 0xffffffff, outcome: 'unsupported-request' });
  assert.deepEqual(k.get('pci', k.ids('pci')[0]!).memory, {});
});

test('decode on: stores land in the BAR and read back little-endian', () => {
  const { k, pdev } = kernelWith(false);
  pciWriteCommand(k, pdev, PCI_COMMAND_MEMORY);
  assert.equal(physAccess(k, 4 * GiB + 8, 4, true, 0x12345678).outcome, 'ok');
  assert.deepEqual(physAccess(k, 4 * GiB + 8, 4, false, 0), { value: 0x12345678, outcome: 'ok' });
  assert.equal(physAccess(k, 4 * GiB + 9, 1, false, 0).value, 0x56);
  assert.equal(physAccess(k, 4 * GiB + 8, 2, false, 0).value, 0x5678);
});

test('D3hot stops decoding even with the memory bit set', () => {
  const { k, pdev } = kernelWith(false);
  pciWriteCommand(k, pdev, PCI_COMMAND_MEMORY);
  pciSetPowerState(k, pdev, 'D3hot');
  assert.equal(physAccess(k, 4 * GiB, 4, false, 0).outcome, 'unsupported-request');
  pciSetPowerState(k, pdev, 'D0');
  assert.equal(physAccess(k, 4 * GiB, 4, false, 0).outcome, 'ok');
});

test('a function without the memory bit (no_command_memory) decodes regardless', () => {
  const { k } = kernelWith(false, true);
  assert.equal(physAccess(k, 4 * GiB, 4, false, 0).outcome, 'ok');
});

test('FLR clears the command register, returns to D0, counts the reset', () => {
  const { k, pdev } = kernelWith(false);
  pciWriteCommand(k, pdev, PCI_COMMAND_MEMORY);
  pciSetPowerState(k, pdev, 'D3hot');
  pciFunctionReset(k, pdev);
  const d = k.get('pci', pdev);
  assert.equal(d.command, 0);
  assert.equal(d.power, 'D0');
  assert.equal(d.resets, 1);
});

test('addresses outside every BAR reach no device', () => {
  const { k } = kernelWith(false);
  assert.equal(physAccess(k, 5 * GiB, 4, false, 0).outcome, 'no-device');
  assert.equal(physAccess(k, 4 * GiB - 4, 4, false, 0).outcome, 'no-device');
});

test('pfn lookups: BAR, struct pages only where the BAR has them', () => {
  const a = kernelWith(false);
  const pfn = (4 * GiB) / 4096 + 3;
  assert.deepEqual(pfnToBar(a.k, pfn), { pdev: a.pdev, bar: 0, offset: 3 * 4096 });
  assert.equal(pfnHasStructPage(a.k, pfn), false);
  assert.equal(pfnToBar(a.k, (5 * GiB) / 4096), null);
  assert.equal(pfnHasStructPage(a.k, (5 * GiB) / 4096), true); // RAM
  const b = kernelWith(true);
  assert.equal(pfnHasStructPage(b.k, pfn), true);
});
