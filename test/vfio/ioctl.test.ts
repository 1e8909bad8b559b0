import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, copiedOut, eventsOf, ioctl, openDevice, MiB } from './world.js';
import { writeCommand } from './config-helpers.js';
import { msixMappableCap, vfioInfoCapShift } from '../../src/vfio/pci/ioctl.js';
import { decodeStruct, encodeStruct, hexBytes } from '../../src/uapi/codec.js';
import { EFAULT, EINVAL, ENOTTY } from '../../src/uapi/errno.js';
import {
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_SET, VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET, VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO, VFIO_DEVICE_RESET,
  VFIO_PCI_INDEX_TO_OFFSET, VFIO_REGION_INFO_FLAG_MMAP, VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE, vfio_device_feature, vfio_device_info, vfio_region_info,
  VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, VFIO_REGION_INFO_FLAG_CAPS, vfio_info_cap_header,
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

const IO_BARS = [
  { index: 0, size: 16 * 1024, base: 0xf0000000, is64: false, prefetchable: false },
  { index: 2, size: 256, base: 0xe000, is64: false, prefetchable: false, io: true },
];
const MSIX = { vectors: 16, tableBar: 0, tableOffset: 0x2000, pbaBar: 0, pbaOffset: 0x3000 };

test('GET_REGION_INFO: an I/O BAR is READ|WRITE with its size, never MMAP', () => {
  const { ret, info } = getRegion(2, buildWorld({ bars: IO_BARS }));
  assert.equal(ret, 0);
  assert.equal(info!['flags'], RW);
  assert.equal(info!['size'], 256n);
});

test('GET_REGION_INFO: BARs of a non_mappable_bars function have no MMAP', () => {
  const { info } = getRegion(0, buildWorld({ bars: IO_BARS, nonMappableBars: true }));
  assert.equal(info!['flags'], RW);
});

test('GET_REGION_INFO: the MSI-X BAR has CAPS; a short argsz is raised to 40 with cap_offset 0', () => {
  const w = buildWorld({ bars: IO_BARS, msix: MSIX });
  const fd = openDevice(w);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(0)), 0);
  const info = decodeStruct(vfio_region_info, copiedOut(w)!);
  assert.equal(info['flags'], RW | VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS);
  assert.equal(info['argsz'], 40);
  assert.equal(info['cap_offset'], 0);
});

test('GET_REGION_INFO: with room, the MSIX_MAPPABLE header follows the struct and cap_offset points at it', () => {
  const w = buildWorld({ bars: IO_BARS, msix: MSIX });
  const fd = openDevice(w);
  const arg = [...regionInfoArg(0, 40), ...new Array<number>(8).fill(0)];
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, arg), 0);
  const copies = eventsOf(w, 'return', 'copy_to_user');
  assert.deepEqual(copies.map((e) => e.args['offset']), [32, 0]);
  assert.deepEqual(decodeStruct(vfio_info_cap_header, hexBytes(String(copies[0]!.args['bytes']))), { id: VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, version: 1, next: 0 });
  assert.equal(decodeStruct(vfio_region_info, copiedOut(w)!)['cap_offset'], 32);
  // argsz says 40 but the buffer holds 32: copy_to_user of the chain faults
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(0, 40)), -EFAULT);
  // the other BAR has no capability
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(2, 40)), 0);
  assert.equal(decodeStruct(vfio_region_info, copiedOut(w)!)['flags'], RW);
});

test('vfio_info_cap_shift() adds the offset to every next pointer of a chain', () => {
  const chain = [
    ...encodeStruct(vfio_info_cap_header, { id: 1, version: 1, next: 8 }),
    ...encodeStruct(vfio_info_cap_header, { id: 3, version: 1, next: 0 }),
  ];
  const out = vfioInfoCapShift(chain, 32);
  assert.equal(decodeStruct(vfio_info_cap_header, out.slice(0, 8))['next'], 40);
  assert.equal(decodeStruct(vfio_info_cap_header, out.slice(8))['next'], 0);
  assert.deepEqual(vfioInfoCapShift(msixMappableCap(), 32), msixMappableCap());
});

test('GET_REGION_INFO of the ROM: READ and the BAR size, memory decode forced on under memory_lock and restored', () => {
  const w = buildWorld({ bars: IO_BARS, rom: { base: 0xf1000000, size: 65536, imageSize: 2048 } });
  const fd = openDevice(w);
  writeCommand(w, fd, 0);
  assert.equal(ioctl(w, fd, VFIO_DEVICE_GET_REGION_INFO, regionInfoArg(6)), 0);
  const info = decodeStruct(vfio_region_info, copiedOut(w)!);
  assert.equal(info['flags'], VFIO_REGION_INFO_FLAG_READ);
  assert.equal(info['size'], 65536n);
  assert.equal(info['offset'], BigInt(VFIO_PCI_INDEX_TO_OFFSET(6)));
  assert.ok(w.events.some((e) => e.fn === 'down_write'));
  assert.equal(w.state.pci[w.pdev]!.command, 0, 'the command register is restored');
  assert.equal(w.state.pci[w.pdev]!.romEnable, false);
  const bad = buildWorld({ bars: IO_BARS, rom: { base: 0xf1000000, size: 65536, imageSize: 0 } });
  const r = getRegion(6, bad);
  assert.deepEqual([r.info!['flags'], r.info!['size']], [0, 0n]);
});
