import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, copiedOut, ioctl, openDevice, MiB } from './world.js';
import { decodeStruct, encodeStruct } from '../../src/uapi/codec.js';
import { EFAULT, EINVAL, ENOTTY } from '../../src/uapi/errno.js';
import {
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_SET, VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET, VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO, VFIO_DEVICE_RESET,
  VFIO_PCI_INDEX_TO_OFFSET, VFIO_REGION_INFO_FLAG_MMAP, VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE, vfio_device_feature, vfio_device_info, vfio_region_info,
} from '../../src/uapi/vfio.js';

const RW = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

function regionInfoArg(index: number, argsz = 32): number[] {
  return encodeStruct(vfio_region_info, { argsz, index });
}

function getRegion(index: number, world = buildWorld()) {
  const fd = openDevice(world);
  const ret = ioctl(world, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(index));
  const out = copiedOut(world);
  return { ret, info: out ? decodeStruct(vfio_region_info, out) : null };
}

test('GET_REGION_INFO: argsz below minsz is -EINVAL', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(0, 31)), -EINVAL);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(0, 0)), -EINVAL);
});

test('GET_REGION_INFO: a faulting or short buffer is -EFAULT (before the argsz check)', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(0), true), -EFAULT);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(0, 8).slice(0, 16)), -EFAULT);
});

test('GET_REGION_INFO: VGA without has_vga, and every index beyond, is -EINVAL', () => {
  assert.equal(getRegion(8).ret, -EINVAL);
  assert.equal(getRegion(9).ret, -EINVAL);
  assert.equal(getRegion(0xffffffff).ret, -EINVAL);
});

test('GET_REGION_INFO: a mappable BAR has READ|WRITE|MMAP, its size, offset index<<40', () => {
  const { ret, info } = getRegion(2);
  assert.equal(ret, 0);
  assert.equal(info!['flags'], RW | VFIO_REGION_INFO_FLAG_MMAP);
  assert.equal(info!['size'], BigInt(2 * MiB));
  assert.equal(info!['offset'], BigInt(VFIO_PCI_INDEX_TO_OFFSET(2)));
  assert.equal(info!['index'], 2);
  assert.equal(info!['argsz'], 32);
});

test('GET_REGION_INFO: a sub-page BAR that does not start a page has no MMAP flag', () => {
  // DEFAULT_BARS' BAR4: 256 bytes at page offset 0x100
  const { ret, info } = getRegion(4);
  assert.equal(ret, 0);
  assert.equal(info!['flags'], RW);
  assert.equal(info!['size'], 256n);
});

test('GET_REGION_INFO: a sub-page BAR at a page start is mmappable (vfio_pci_probe_mmaps reserves the page)', () => {
  const w = buildWorld({ bars: [{ index: 1, size: 256, base: 0x80000000, is64: false, prefetchable: false }] });
  const { info } = getRegion(1, w);
  assert.equal(info!['flags'], RW | VFIO_REGION_INFO_FLAG_MMAP);
});

test('GET_REGION_INFO: an unimplemented BAR has size 0 and no flags; ROM is empty; config is 4K R/W', () => {
  const bar1 = getRegion(1);
  assert.equal(bar1.ret, 0);
  assert.equal(bar1.info!['flags'], 0);
  assert.equal(bar1.info!['size'], 0n);
  assert.equal(bar1.info!['offset'], BigInt(VFIO_PCI_INDEX_TO_OFFSET(1)));
  const rom = getRegion(6);
  assert.equal(rom.info!['flags'], 0);
  assert.equal(rom.info!['size'], 0n);
  const cfg = getRegion(7);
  assert.equal(cfg.info!['flags'], RW);
  assert.equal(cfg.info!['size'], 4096n);
  assert.equal(cfg.info!['offset'], BigInt(VFIO_PCI_INDEX_TO_OFFSET(7)));
});

test('GET_INFO: PCI|RESET, 9 regions, 5 irqs; copies min(argsz, 24) bytes', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_INFO, encodeStruct(vfio_device_info, { argsz: 24 })), 0);
  const out = copiedOut(w)!;
  assert.equal(out.length, 24);
  const info = decodeStruct(vfio_device_info, out);
  assert.equal(info['flags'], VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
  assert.equal(info['num_regions'], 9);
  assert.equal(info['num_irqs'], 5);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_INFO, encodeStruct(vfio_device_info, { argsz: 16 }).slice(0, 16)), 0);
  assert.equal(copiedOut(w)!.length, 16);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_INFO, encodeStruct(vfio_device_info, { argsz: 15 })), -EINVAL);
});

test('GET_INFO without FLR: no RESET flag, and VFIO_DEVICE_RESET is -EINVAL', () => {
  const w = buildWorld({ flr: false });
  const fd = openDevice(w);
  ioctl(w, fd, VFIO_DEVICE_GET_INFO, encodeStruct(vfio_device_info, { argsz: 24 }));
  assert.equal(decodeStruct(vfio_device_info, copiedOut(w)!)['flags'], VFIO_DEVICE_FLAGS_PCI);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_RESET, []), -EINVAL);
});

test('unknown ioctl is -ENOTTY; FEATURE header checks', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(ioctl(w, fd, 0x3b00, []), -ENOTTY);
  const feat = (argsz: number, flags: number) => encodeStruct(vfio_device_feature, { argsz, flags });
  assert.equal(ioctl(w, fd, VFIO_DEVICE_FEATURE, feat(4, VFIO_DEVICE_FEATURE_GET)), -EINVAL);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_FEATURE, feat(8, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)), -EINVAL);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_FEATURE, feat(8, 1 << 20)), -EINVAL);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_FEATURE, feat(8, VFIO_DEVICE_FEATURE_GET), true), -EFAULT);
  // a feature vfio_pci_core_ioctl_feature() does not know; LOW_POWER_ENTRY (3) is SET only: GET is -EINVAL
  assert.equal(ioctl(w, fd, VFIO_DEVICE_FEATURE, feat(8, VFIO_DEVICE_FEATURE_GET | 0x3f)), -ENOTTY);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_FEATURE, feat(8, VFIO_DEVICE_FEATURE_GET | 3)), -EINVAL);
});
