import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INDEX_TO_OFFSET, VFIO_PCI_NUM_REGIONS, VFIO_PCI_OFFSET_MASK,
  VFIO_PCI_OFFSET_TO_INDEX, VFIO_PCI_ROM_REGION_INDEX, vfioPciOffsetInRegion,
} from '../../src/uapi/vfio.js';
import { MAP_SHARED_VALIDATE, mapFlagsName, protName, PROT_READ, PROT_WRITE, MAP_SHARED, MAP_FIXED } from '../../src/uapi/mman.js';
import { O_CLOEXEC, O_RDWR, openFmode, FMODE_READ, FMODE_WRITE, O_WRONLY } from '../../src/uapi/fcntl.js';

test('region index lives above bit 40 of the file offset', () => {
  assert.equal(VFIO_PCI_INDEX_TO_OFFSET(1), 2 ** 40);
  assert.equal(VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX), 7 * 2 ** 40);
  assert.equal(VFIO_PCI_OFFSET_TO_INDEX(VFIO_PCI_INDEX_TO_OFFSET(5) + 0x1234), 5);
  assert.equal(vfioPciOffsetInRegion(VFIO_PCI_INDEX_TO_OFFSET(5) + 0x1234), 0x1234);
  assert.equal(VFIO_PCI_OFFSET_MASK, 2 ** 40 - 1);
  assert.equal(VFIO_PCI_ROM_REGION_INDEX, 6);
  assert.equal(VFIO_PCI_NUM_REGIONS, 9);
});

test('mman and fcntl values are the generic ones', () => {
  assert.equal(MAP_SHARED_VALIDATE, 3);
  assert.equal(mapFlagsName(MAP_SHARED | MAP_FIXED), 'MAP_SHARED|MAP_FIXED');
  assert.equal(protName(PROT_READ | PROT_WRITE), 'PROT_READ|PROT_WRITE');
  assert.equal(O_CLOEXEC, 0x80000);
  assert.equal(O_RDWR, 2);
  assert.equal(openFmode(O_RDWR), FMODE_READ | FMODE_WRITE);
  assert.equal(openFmode(O_WRONLY), FMODE_WRITE);
});
