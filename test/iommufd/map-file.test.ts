import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, GiB, ioctl } from '../vfio/world.js';
import type { World } from '../vfio/world.js';
import { exportDmaBuf, fileOfFd, dmabufOfFd } from '../dma-buf/helpers.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { EINVAL, EIO, ENODEV, ENOENT, EOPNOTSUPP } from '../../src/uapi/errno.js';
import { PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';
import { iommu_ioas_map_file } from '../../src/uapi/iommufd.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT } from '../../src/uapi/vfio.js';
import { vfio_device_detach_iommufd_pt } from '../../src/uapi/vfio-iommu.js';
import { encodeStruct } from '../../src/uapi/codec.js';
import {
  attachArg, bindArg, broken, copied, deviceDma, hwptEntries, iommufdWorld, mapFile, PAGE, unmapIova,
} from './helpers.js';

function closeFd(w: World, fd: number): number {
  return act(w, { op: 'close', fd });
}

const BAR0 = 64 * GiB;

function withDmaBuf(ranges = [{ offset: 4 * PAGE, length: 4 * PAGE }], o: { attach?: boolean } = {}) {
  const s = iommufdWorld(o);
  const bfd = exportDmaBuf(s.w, s.devFd, ranges);
  assert.ok(bfd >= 0);
  return { ...s, bfd, dmabuf: dmabufOfFd(s.w, bfd) };
}

test('MAP_FILE of a single-range VFIO dma-buf maps the BAR range and the device DMA reaches it', () => {
  const { w, ifd, ioas, bfd } = withDmaBuf();
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, start: PAGE, length: 2 * PAGE, iova: 0x100000, flags: 7 }), 0);
  assert.equal(Number(copied(w, iommu_ioas_map_file)['iova']), 0x100000);
  assert.deepEqual(hwptEntries(w).map((e) => [e.iova, e.paddr, e.len]), [[0x100000, BAR0 + 5 * PAGE, 2 * PAGE]]);
  assert.deepEqual(deviceDma(w, 0x100000 + PAGE + 8, true, 0x1234), { ret: 0, outcome: 'ok' });
  assert.equal(w.state.pci[w.pdev]!.memory[BAR0 + 6 * PAGE + 8], 0x34);
  assert.deepEqual(deviceDma(w, 0x100000 + 2 * PAGE), { ret: -EIO, outcome: 'iommu-fault' }, 'past the mapping');
  assert.deepEqual(broken(w), []);
});

test('MAP_FILE with an allocated IOVA, and without a device: mapped lazily, filled at attach', () => {
  const { w, ifd, ioas, bfd, devFd } = withDmaBuf(undefined, { attach: false });
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, length: 4 * PAGE }), 0);
  const iova = Number(copied(w, iommu_ioas_map_file)['iova']);
  assert.equal(iova % (4 * PAGE), 0, 'aligned to roundup_pow_of_two(length)');
  assert.ok(iova >= PAGE);
  assert.deepEqual(hwptEntries(w), []);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd)), 0);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas)), 0);
  assert.deepEqual(hwptEntries(w).map((e) => [e.iova, e.paddr]), [[iova, BAR0 + 4 * PAGE]]);
  assert.equal(deviceDma(w, iova).outcome, 'ok');
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_DETACH_IOMMUFD_PT, encodeStruct(vfio_device_detach_iommufd_pt, { argsz: 12 })), 0);
  assert.deepEqual(Object.values(w.state.hwpts), [], 'the automatic domain goes with its last device');
  assert.equal(deviceDma(w, iova).outcome, 'iommu-fault');
});


test('MAP_FILE of a multi-range dma-buf is -EOPNOTSUPP (vfio_pci_dma_buf_iommufd_map) and leaves nothing', () => {
  const { w, ifd, ioas, bfd } = withDmaBuf([{ offset: 0, length: PAGE }, { offset: 8 * PAGE, length: PAGE }]);
  const file = fileOfFd(w, bfd);
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, length: PAGE }), -EOPNOTSUPP);
  assert.deepEqual(w.state.attachments, {});
  assert.deepEqual(w.state.iopt_pages, {});
  assert.deepEqual(w.state.ioas[Object.keys(w.state.ioas).map(Number)[0]!]!.areas, []);
  assert.equal(w.state.files[file]!.f_count, 1, 'dma_buf_put on the error path');
  assert.deepEqual(broken(w), []);
});

test('MAP_FILE beyond the buffer is -EINVAL; of a revoked buffer -ENODEV', () => {
  const { w, ifd, ioas, bfd, devFd } = withDmaBuf();
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, start: PAGE, length: 4 * PAGE }), -EINVAL);
  writeCommand(w, devFd, 0);
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, length: PAGE }), -ENODEV);
});

test('revoke (memory disable) unmaps the IOMMU entries; the device faults; un-revoke does not re-map', () => {
  const { w, ifd, ioas, bfd, devFd, dmabuf } = withDmaBuf();
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, length: 4 * PAGE, iova: 0x200000, flags: 7 }), 0);
  assert.equal(deviceDma(w, 0x200000).outcome, 'ok');
  writeCommand(w, devFd, 0);
  assert.deepEqual(hwptEntries(w), []);
  assert.equal(w.state.iopt_pages[Object.keys(w.state.iopt_pages).map(Number)[0]!]!.dmabuf!.phys.len, 0);
  assert.equal(deviceDma(w, 0x200000).outcome, 'iommu-fault');
  assert.deepEqual(broken(w), []);
  writeCommand(w, devFd, PCI_COMMAND_MEMORY);
  assert.equal(w.state.vfio_dmabufs[w.state.dmabufs[dmabuf]!.priv]!.revoked, false);
  assert.deepEqual(hwptEntries(w), [], 'iopt_revoke_notify returns early for revoked pages');
  assert.equal(deviceDma(w, 0x200000).outcome, 'iommu-fault');
  // the area is still there: unmap removes it and detaches the dma-buf
  assert.equal(unmapIova(w, ifd, ioas, 0x200000, 4 * PAGE), 0);
  assert.deepEqual(w.state.attachments, {});
  assert.deepEqual(broken(w), []);
});

test('unmap leaves nothing behind: entries, area, pages, attachment and its file reference', () => {
  const { w, ifd, ioas, bfd } = withDmaBuf();
  const file = fileOfFd(w, bfd);
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, length: 4 * PAGE, iova: 0x200000, flags: 7 }), 0);
  assert.equal(w.state.files[file]!.f_count, 2);
  assert.equal(unmapIova(w, ifd, ioas, 0x200000, PAGE), -ENOENT, 'a partly covered area is -ENOENT');
  assert.equal(unmapIova(w, ifd, ioas, 0, 2n ** 64n - 1n), 0, 'unmap all');
  assert.deepEqual(hwptEntries(w), []);
  assert.deepEqual(w.state.iopt_pages, {});
  assert.deepEqual(w.state.attachments, {});
  assert.equal(w.state.files[file]!.f_count, 1);
  assert.equal(unmapIova(w, ifd, ioas, 0x200000, PAGE), -ENOENT, 'nothing unmapped is -ENOENT');
  assert.deepEqual(broken(w), []);
});

test('closing every fd releases the binding, the iommufd and the dma-buf', () => {
  const { w, ifd, ioas, bfd, devFd } = withDmaBuf();
  assert.equal(mapFile(w, ifd, { ioas, fd: bfd, length: 4 * PAGE, iova: 0x200000, flags: 7 }), 0);
  for (const fd of [bfd, devFd, ifd]) assert.equal(closeFd(w, fd), 0);
  assert.deepEqual(w.state.idevs, {});
  assert.deepEqual(w.state.iommufds, {});
  assert.deepEqual(w.state.hwpts, {});
  assert.deepEqual(w.state.dmabufs, {});
  assert.deepEqual(broken(w), []);
});
