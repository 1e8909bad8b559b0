import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pciEnableDevice, pciWriteCommand } from '../../src/pci/device.js';
import { pciWorld } from './helpers.js';
import { ioportAccess, portToDev } from '../../src/pci/ioport.js';
import { physToBar } from '../../src/pci/memory.js';
import { PCI_COMMAND_IO, PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';

const world = (): ReturnType<typeof pciWorld> => pciWorld();

test('pci_enable_device() turns on I/O and memory decode for the BARs the function has', () => {
  const { k, pdev } = world();
  pciEnableDevice(k, pdev);
  assert.equal(k.get('pci', pdev).command, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
});

test('I/O ports are their own address space: a port number is not a memory address', () => {
  const { k, pdev } = world();
  assert.equal(portToDev(k, 0xe0ff)?.id, pdev);
  assert.equal(portToDev(k, 0xe100), null);
  assert.equal(physToBar(k, 0xe000), null);
});

test('an I/O access reaches the ports while PCI_COMMAND_IO is set, else it is a master abort', () => {
  const { k, pdev } = world();
  pciEnableDevice(k, pdev);
  assert.deepEqual(ioportAccess(k, 0xe010, 4, true, 0x12345678), { value: 0x12345678, outcome: 'ok' });
  assert.deepEqual(ioportAccess(k, 0xe011, 2, false, 0), { value: 0x3456, outcome: 'ok' });
  pciWriteCommand(k, pdev, PCI_COMMAND_MEMORY);
  assert.deepEqual(ioportAccess(k, 0xe010, 4, false, 0), { value: 0xffffffff, outcome: 'master-abort' });
  assert.deepEqual(ioportAccess(k, 0xe010, 4, true, 1), { value: 0xffffffff, outcome: 'master-abort' });
  pciWriteCommand(k, pdev, PCI_COMMAND_IO);
  assert.equal(ioportAccess(k, 0xe010, 4, false, 0).value, 0x12345678, 'the dropped write left the port as it was');
  assert.deepEqual(ioportAccess(k, 0x3f8, 1, false, 0), { value: 0xff, outcome: 'no-device' });
});
