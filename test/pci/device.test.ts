import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEM_AND_IO_BARS, pciWorld } from './helpers.js';
import {
  PCI_ROM_RESOURCE, msixProblem, pciResourceIsMem, pciResourceLen, pciResourceStart, romProblem,
} from '../../src/pci/device.js';

const BARS = MEM_AND_IO_BARS;

test('resources: the ROM is resource 6 and memory; an I/O BAR is not memory', () => {
  const { k, pdev } = pciWorld({ rom: { base: 0xf1000000, size: 65536, imageSize: 0 } });
  const d = k.get('pci', pdev);
  assert.equal(pciResourceStart(d, PCI_ROM_RESOURCE), 0xf1000000);
  assert.equal(pciResourceLen(d, PCI_ROM_RESOURCE), 65536);
  assert.deepEqual([0, 1, 2, PCI_ROM_RESOURCE].map((i) => pciResourceIsMem(d, i)), [true, false, false, true]);
  assert.equal(d.romEnable, false);
  assert.equal(d.nonMappableBars, false);
});

test('romProblem() and msixProblem() refuse what the PCI core would not size', () => {
  assert.equal(romProblem({ base: 0xf1000000, size: 65536, imageSize: 2048 }), null);
  assert.match(romProblem({ base: 0xf1000000, size: 1024, imageSize: 0 })!, /from 2K to 16M/);
  assert.match(romProblem({ base: 0xf1000800, size: 65536, imageSize: 0 })!, /naturally aligned/);
  assert.match(romProblem({ base: 0xf1000000, size: 65536, imageSize: 100 })!, /multiple of 512/);
  const ok = { vectors: 16, tableBar: 0, tableOffset: 0x2000, pbaBar: 0, pbaOffset: 0x3000 };
  assert.equal(msixProblem(ok, BARS), null);
  assert.match(msixProblem({ ...ok, tableBar: 2 }, BARS)!, /table BAR2 is not an implemented memory BAR/);
  assert.match(msixProblem({ ...ok, pbaBar: 4 }, BARS)!, /PBA BAR4/);
  assert.match(msixProblem({ ...ok, tableOffset: 0x3ff8 }, BARS)!, /inside BAR0/);
  assert.match(msixProblem({ ...ok, vectors: 0 }, BARS)!, /1\.\.2048/);
  assert.throws(() => pciWorld({ msix: { ...ok, tableBar: 2 } }), /table BAR2/);
});
