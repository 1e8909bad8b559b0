import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, runPath, eventsOf } from '../vfio/world.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { pciWriteCommand } from '../../src/pci/device.js';
import { ENOTTY } from '../../src/uapi/errno.js';
import { PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';

test('pci_try_reset_function: save, disable, FLR, restore the command register', () => {
  const w = buildWorld();
  const k = new Kernel(w.state, w.design);
  pciWriteCommand(k, w.pdev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
  w.state = k.finish();
  assert.equal(runPath(w, 'pci_try_reset_function', { pdev: w.pdev, saved: 0 }), 0);
  assert.equal(w.state.pci[w.pdev]!.command, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
  assert.equal(w.state.pci[w.pdev]!.resets, 1);
  assert.deepEqual(eventsOf(w, 'device').map((e) => e.fn), ['pci_dev_save_and_disable', 'pcie_flr', 'pci_dev_restore']);
});

test('pci_try_reset_function without a reset method is -ENOTTY and changes nothing', () => {
  const w = buildWorld({ flr: false });
  assert.equal(runPath(w, 'pci_try_reset_function', { pdev: w.pdev, saved: 0 }), -ENOTTY);
  assert.equal(w.state.pci[w.pdev]!.resets, 0);
});
