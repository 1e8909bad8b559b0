import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, buildWorld, BDF, GiB, MiB, ioctl, mmapBar, leafAt } from './world.js';
import { leBytes } from '../../src/uapi/codec.js';
import { MAP_FIXED, MAP_SHARED } from '../../src/uapi/mman.js';
import { writeCommand } from './config-helpers.js';
import { EEXIST, EFAULT, EINVAL, ENODEV, ENOENT, ENOTTY } from '../../src/uapi/errno.js';
import { PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';
import { VFIO_CHECK_EXTENSION, VFIO_GET_API_VERSION, VFIO_GROUP_GET_DEVICE_FD, VFIO_GROUP_SET_CONTAINER } from '../../src/uapi/vfio.js';
import {
  VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_VADDR, VFIO_DMA_UNMAP_FLAG_ALL, VFIO_IOMMU_DIRTY_PAGES,
  VFIO_IOMMU_MAP_DMA, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU, vfio_iommu_type1_dma_unmap,
} from '../../src/uapi/vfio-iommu.js';
import { broken, copied, deviceDma, ioctlValue, mapDma, openIommufd, PAGE, unmapDma } from '../iommufd/helpers.js';

const BAR0 = 64 * GiB;

/** A container with the device's group (/dev/vfio/0) set to it (VFIO_GROUP_SET_CONTAINER). */
function containerWorld() {
  const w = buildWorld();
  const cfd = openIommufd(w, '/dev/vfio/vfio');
  const gfd = openIommufd(w, '/dev/vfio/0');
  assert.ok(cfd >= 0 && gfd >= 0);
  assert.equal(ioctl(w, gfd, VFIO_GROUP_SET_CONTAINER, leBytes(cfd, 4)), 0);
  return { w, cfd, gfd };
}

/** containerWorld() with VFIO_TYPE1v2_IOMMU set and the device fd from VFIO_GROUP_GET_DEVICE_FD. */
function typeOneWorld() {
  const { w, cfd, gfd } = containerWorld();
  assert.equal(ioctlValue(w, cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
  const devFd = ioctl(w, gfd, VFIO_GROUP_GET_DEVICE_FD, [...Buffer.from(BDF), 0]);
  assert.ok(devFd >= 0);
  return { w, devFd, cfd };
}

function entries(w: ReturnType<typeof buildWorld>) {
  return Object.values(w.state.vfio_containers).flatMap((c) => c.entries);
}

test('container ioctls: version, extension, SET_IOMMU once, nothing else before it', () => {
  const { w, cfd } = containerWorld();
  assert.equal(ioctl(w, cfd, VFIO_GET_API_VERSION, []), 0);
  assert.equal(ioctlValue(w, cfd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: PAGE }), -EINVAL, 'no IOMMU driver yet');
  assert.equal(ioctlValue(w, cfd, VFIO_SET_IOMMU, 2), -ENODEV);
  assert.equal(ioctlValue(w, cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
  assert.equal(ioctlValue(w, cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), -EINVAL, 'already set');
  assert.equal(ioctl(w, cfd, VFIO_IOMMU_DIRTY_PAGES, []), -ENOTTY);
  assert.equal(act(w, { op: 'open_dev', node: '/dev/nope', flags: 0 }), -ENOENT);
});

test('type1 MAP_DMA argument checks in vfio_dma_do_map order', () => {
  const { w, cfd } = containerWorld();
  assert.equal(ioctlValue(w, cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
  assert.equal(ioctl(w, cfd, VFIO_IOMMU_MAP_DMA, [32, 0, 0, 0]), -EFAULT);
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: PAGE, argsz: 8 }), -EINVAL);
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: PAGE, flags: 8 }), -EINVAL);
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: 0 }), -EINVAL);
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: PAGE, flags: 0 }), -EINVAL, 'no prot');
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: PAGE, flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_VADDR }), -EINVAL);
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: PAGE, flags: VFIO_DMA_MAP_FLAG_VADDR }), -ENOENT);
  assert.equal(mapDma(w, cfd, { vaddr: 0x1001, iova: 0, size: PAGE }), -EINVAL, 'unaligned vaddr');
  assert.equal(mapDma(w, cfd, { vaddr: 0x1000, iova: 0, size: PAGE }), -EFAULT, 'no VMA there');
  assert.deepEqual(Object.values(w.state.vfio_containers)[0]!.dmas, [], 'vfio_remove_dma on failure');
});

test('real type1 MAP_DMA of a BAR mmap follows the PFNs (faulting them in) and maps them', () => {
  const { w, devFd, cfd } = typeOneWorld();
  const va = mmapBar(w, devFd, 0, 4 * PAGE, { off: 8 * PAGE });
  assert.equal(leafAt(w, va), null, 'nothing faulted yet');
  assert.equal(mapDma(w, cfd, { vaddr: va, iova: 0x10000, size: 4 * PAGE }), 0);
  assert.ok(w.events.some((e) => e.kind === 'fault'), 'fixup_user_fault ran the vfio fault handler');
  // Four PTE leaves with contiguous pfns: one chunk, one vfio_iommu_map().
  assert.deepEqual(entries(w).map((e) => [e.iova, e.len, e.paddr]), [[0x10000, 4 * PAGE, BAR0 + 8 * PAGE]]);
  assert.equal(mapDma(w, cfd, { vaddr: va, iova: 0x10000, size: PAGE }), -EEXIST);
  assert.deepEqual(deviceDma(w, 0x10000 + PAGE, true, 0x55), { ret: 0, outcome: 'ok' });
  assert.equal(w.state.pci[w.pdev]!.memory[BAR0 + 9 * PAGE], 0x55);
  assert.deepEqual(broken(w), []);
});

test('after a memory disable the IOMMU still maps the BAR: the device DMA is an unsupported request', () => {
  const { w, devFd, cfd } = typeOneWorld();
  const va = mmapBar(w, devFd, 0, 4 * PAGE);
  assert.equal(mapDma(w, cfd, { vaddr: va, iova: 0x10000, size: 4 * PAGE }), 0);
  writeCommand(w, devFd, 0);
  assert.equal(leafAt(w, va), null, 'the CPU mapping is zapped');
  assert.deepEqual(entries(w).map((e) => e.len), [4 * PAGE], 'the IOMMU mapping is not: no lifetime link');
  assert.ok(broken(w).includes('no-iommu-entry-on-disabled-bar'));
  const r = deviceDma(w, 0x10000);
  assert.equal(r.outcome, 'unsupported-request');
  assert.ok(broken(w).includes('no-access-to-disabled-bar'));
  writeCommand(w, devFd, PCI_COMMAND_MEMORY);
  assert.ok(!broken(w).includes('no-iommu-entry-on-disabled-bar'));
});

test('type1 MAP_DMA of a disabled BAR: the fault handler SIGBUSes, fixup_user_fault fails: -EFAULT', () => {
  const { w, devFd, cfd } = typeOneWorld();
  const va = mmapBar(w, devFd, 0, 4 * PAGE);
  writeCommand(w, devFd, 0);
  assert.equal(mapDma(w, cfd, { vaddr: va, iova: 0x10000, size: 4 * PAGE }), -EFAULT);
  assert.deepEqual(entries(w), []);
});

test('type1 UNMAP_DMA: checks, no splitting in v2, unmap of everything, size copied back', () => {
  const { w, devFd, cfd } = typeOneWorld();
  const va = mmapBar(w, devFd, 0, 4 * PAGE);
  assert.equal(mapDma(w, cfd, { vaddr: va, iova: 0x10000, size: 4 * PAGE }), 0);
  assert.equal(unmapDma(w, cfd, { iova: 0x10000, size: PAGE }), -EINVAL, 'straddles the end');
  assert.equal(unmapDma(w, cfd, { iova: 0x10000, size: 4 * PAGE, flags: VFIO_DMA_UNMAP_FLAG_ALL }), -EINVAL);
  assert.equal(unmapDma(w, cfd, { iova: 0x10001, size: PAGE }), -EINVAL);
  assert.equal(unmapDma(w, cfd, { iova: 0, size: 0x100000 }), 0);
  assert.equal(Number(copied(w, vfio_iommu_type1_dma_unmap)['size']), 4 * PAGE);
  assert.deepEqual(entries(w), []);
  assert.equal(deviceDma(w, 0x10000).outcome, 'iommu-fault');
  assert.deepEqual(broken(w), []);
});

/** MAP_DMA of `size` bytes of a mapping of BAR0 at a 2M-aligned address (offset `off`), on x86_64; the events. */
function mapHuge(size: number, off: number) {
  const { w, devFd, cfd } = typeOneWorld();
  const va = mmapBar(w, devFd, 0, 16 * MiB, { addr: 0x7e0000000000, flags: MAP_SHARED | MAP_FIXED, off });
  assert.equal(mapDma(w, cfd, { vaddr: va, iova: 0x40000000, size }), 0);
  return { w, va };
}

test('type1 MAP_DMA of a huge PFN mapping takes a whole PMD leaf per vaddr_get_pfns(): 8 look-ups for 16 MiB', () => {
  const { w } = mapHuge(16 * MiB, 0);
  const faults = w.events.filter((e) => e.kind === 'fault' && e.fn === 'vfio_pci_mmap_huge_fault' && e.args['ret'] === 'VM_FAULT_NOPAGE');
  assert.equal(faults.length, 8, 'fixup_user_fault once per 2M leaf');
  assert.ok(faults.every((e) => e.args['order'] === 9));
  const maps = w.events.filter((e) => e.kind === 'iommu' && e.fn === 'vfio_iommu_map');
  assert.equal(maps.length, 1, 'the leaves are contiguous: one chunk');
  assert.equal(maps[0]!.args['npage'], 4096);
  assert.deepEqual(entries(w).map((e) => [e.iova, e.len, e.paddr]), [[0x40000000, 16 * MiB, BAR0]]);
  assert.deepEqual(broken(w), []);
});

test('type1 MAP_DMA counts the pages from the address to the end of its leaf, at most what is left', () => {
  // 3M from offset 0: one whole 2M leaf, then 1M of the next one.
  const { w } = mapHuge(3 * MiB, 0);
  assert.deepEqual(entries(w).map((e) => [e.len, e.paddr]), [[3 * MiB, BAR0]]);
  assert.equal(w.state.vfio_containers[Object.keys(w.state.vfio_containers)[0] as unknown as number]!.dmas[0]!.size, 3 * MiB);
});

test('type1 MAP_DMA: a leaf whose pfns do not continue the chunk ends it; each chunk is one vfio_iommu_map()', () => {
  const { w, devFd, cfd } = typeOneWorld();
  const va = 0x7e0000000000;
  mmapBar(w, devFd, 0, 2 * MiB, { addr: va, flags: MAP_SHARED | MAP_FIXED });
  mmapBar(w, devFd, 0, 2 * MiB, { addr: va + 2 * MiB, flags: MAP_SHARED | MAP_FIXED, off: 8 * MiB });
  assert.equal(mapDma(w, cfd, { vaddr: va, iova: 0x40000000, size: 4 * MiB }), 0);
  const maps = w.events.filter((e) => e.kind === 'iommu' && e.fn === 'vfio_iommu_map');
  assert.deepEqual(maps.map((e) => e.args['npage']), [512, 512]);
  assert.deepEqual(entries(w).map((e) => [e.iova, e.len, e.paddr]), [
    [0x40000000, 2 * MiB, BAR0], [0x40000000 + 2 * MiB, 2 * MiB, BAR0 + 8 * MiB],
  ]);
});
