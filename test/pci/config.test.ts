import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pciWorld } from './helpers.js';
import { EXP_CAP, MSIX_CAP, pciReadConfig } from '../../src/pci/config.js';
import { pciEnableRom } from '../../src/pci/rom.js';
import {
  PCI_BASE_ADDRESS_2, PCI_CAP_ID_MSIX, PCI_MSIX_FLAGS, PCI_MSIX_PBA, PCI_MSIX_TABLE, PCI_ROM_ADDRESS,
} from '../../src/uapi/pci_regs.js';
import type { PciMsix, PciRom } from '../../src/pci/types.js';

function dev(o: { rom?: PciRom; msix?: PciMsix } = {}) {
  return pciWorld(o);
}

test('an I/O BAR register shows the port base with the I/O space bit', () => {
  const { k, pdev } = dev();
  assert.equal(pciReadConfig(k.get('pci', pdev), PCI_BASE_ADDRESS_2, 4), 0xe001);
});

test('the ROM BAR register shows the base and the physical enable bit', () => {
  const { k, pdev } = dev({ rom: { base: 0xf1000000, size: 65536, imageSize: 2048 } });
  assert.equal(pciReadConfig(k.get('pci', pdev), PCI_ROM_ADDRESS, 4), 0xf1000000);
  pciEnableRom(k, pdev);
  assert.equal(pciReadConfig(k.get('pci', pdev), PCI_ROM_ADDRESS, 4), 0xf1000001);
});

test('without MSI-X the PCIe capability is last; with it the MSI-X capability follows at 0xb0', () => {
  const plain = dev();
  assert.equal(pciReadConfig(plain.k.get('pci', plain.pdev), EXP_CAP + 1, 1), 0);
  assert.equal(pciReadConfig(plain.k.get('pci', plain.pdev), MSIX_CAP, 1), 0);
  const { k, pdev } = dev({ msix: { vectors: 16, tableBar: 0, tableOffset: 0x2000, pbaBar: 0, pbaOffset: 0x3000 } });
  const d = k.get('pci', pdev);
  assert.equal(pciReadConfig(d, EXP_CAP + 1, 1), MSIX_CAP);
  assert.equal(pciReadConfig(d, MSIX_CAP, 2), PCI_CAP_ID_MSIX);
  assert.equal(pciReadConfig(d, MSIX_CAP + PCI_MSIX_FLAGS, 2), 15);
  assert.equal(pciReadConfig(d, MSIX_CAP + PCI_MSIX_TABLE, 4), 0x2000);
  assert.equal(pciReadConfig(d, MSIX_CAP + PCI_MSIX_PBA, 4), 0x3000);
});
