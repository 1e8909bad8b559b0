import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pciEnableDevice } from '../../src/pci/device.js';
import { MEM_AND_IO_BARS, pciWorld } from './helpers.js';
import {
  pciDisableRom, pciEnableRom, pciGetRomSize, pciMapRom, pciUnmapRom, romContentByte, romRead,
} from '../../src/pci/rom.js';
import type { PciRom } from '../../src/pci/types.js';

const ROM: PciRom = { base: 0xf1000000, size: 64 * 1024, imageSize: 3 * 512 };

function dev(rom: PciRom | undefined, enable = true) {
  const w = pciWorld({ bars: [MEM_AND_IO_BARS[0]!], ...(rom ? { rom } : {}) });
  if (enable) pciEnableDevice(w.k, w.pdev);
  return w;
}

test('the model ROM holds one image: 0xAA55, a PCIR structure marking it last, its length in 512-byte units', () => {
  assert.equal(romContentByte(ROM, 0) | (romContentByte(ROM, 1) << 8), 0xaa55);
  assert.equal(romContentByte(ROM, 0x18), 0x1c);
  assert.deepEqual([0, 1, 2, 3].map((i) => romContentByte(ROM, 0x1c + i)), [0x50, 0x43, 0x49, 0x52]);
  assert.equal(romContentByte(ROM, 0x1c + 16), 3);
  assert.equal(romContentByte(ROM, 0x1c + 21), 0x80);
  assert.equal(romContentByte({ ...ROM, imageSize: 0 }, 0), 0);
});

test('pci_map_rom() enables the ROM and sizes the image; pci_unmap_rom() disables it', () => {
  const { k, pdev } = dev(ROM);
  assert.equal(k.get('pci', pdev).romEnable, false);
  assert.equal(pciMapRom(k, pdev), 3 * 512);
  assert.equal(k.get('pci', pdev).romEnable, true);
  assert.equal(romRead(k.get('pci', pdev), 0, 2).value, 0xaa55);
  pciUnmapRom(k, pdev);
  assert.equal(k.get('pci', pdev).romEnable, false);
  assert.deepEqual(romRead(k.get('pci', pdev), 0, 2), { value: 0xffff, outcome: 'unsupported-request' });
});

test('pci_map_rom() fails and leaves the ROM disabled without a valid image or memory decode', () => {
  const bad = dev({ ...ROM, imageSize: 0 });
  assert.equal(pciMapRom(bad.k, bad.pdev), null);
  assert.equal(bad.k.get('pci', bad.pdev).romEnable, false);
  const off = dev(ROM, false); // PCI_COMMAND_MEMORY clear: the signature reads as all ones
  assert.equal(pciMapRom(off.k, off.pdev), null);
  assert.equal(off.k.get('pci', off.pdev).romEnable, false);
  const none = dev(undefined);
  assert.equal(pciMapRom(none.k, none.pdev), null);
  assert.equal(pciEnableRom(none.k, none.pdev), -1);
});

test('pci_get_rom_size() never exceeds the window, and reads nothing while the ROM is disabled', () => {
  const { k, pdev } = dev({ ...ROM, size: 2048, imageSize: 2048 });
  pciEnableRom(k, pdev);
  assert.equal(pciGetRomSize(k.get('pci', pdev), 2048), 2048);
  assert.equal(pciGetRomSize(k.get('pci', pdev), 1024), 1024);
  pciDisableRom(k, pdev);
  assert.equal(pciGetRomSize(k.get('pci', pdev), 2048), 0);
});
