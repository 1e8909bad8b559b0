import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ioctl, mmapBar, GiB } from '../vfio/world.js';
import { exportDmaBuf, fileOfFd } from '../dma-buf/helpers.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { Vma } from '../../src/mm/types.js';
import { stack } from '../../src/designs/patch.js';
import { compatMapDmaBufWith } from '../../src/designs/common/compat-map-dmabuf.js';
import { legacy } from '../../src/designs/legacy.js';
import { VFIO_PCI_MMAP_OPS, vmaToPfn } from '../../src/vfio/pci/index.js';
import { EFAULT, EINVAL, ENODEV, ENOTTY } from '../../src/uapi/errno.js';
import { VFIO_CHECK_EXTENSION, VFIO_GET_API_VERSION } from '../../src/uapi/vfio.js';
import {
  VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_VADDR, VFIO_DMA_UNMAP_FLAG_ALL, VFIO_IOMMU_DIRTY_PAGES, VFIO_IOMMU_MAP_DMA, VFIO_SET_IOMMU,
  VFIO_TYPE1v2_IOMMU, VFIO_UPDATE_VADDR, vfio_iommu_type1_dma_unmap,
} from '../../src/uapi/vfio-iommu.js';
import { broken, copied, deviceDma, hwptEntries, ioctlValue, iommufdWorld, mapDma, PAGE, setCompatIoas, unmapDma } from './helpers.js';

const BAR0 = 64 * GiB;

/**
 * A test design: legacy plus a VMA → dma-buf hook that finds a vfio dma-buf
 * of the VMA's device whose one range holds the VMA's first PFN.
 */
const vmaDesign = stack(legacy, {
  name: 'test-vma-dmabuf',
  description: 'legacy with a VMA → dma-buf lookup for BAR mmaps',
  patches: [compatMapDmaBufWith((k: Kernel, vma: Vma, vaddr: number) => {
    if (vma.vm_ops !== VFIO_PCI_MMAP_OPS) return null;
    const phys = vmaToPfn(k, vma) * PAGE + (vaddr - vma.vm_start);
    for (const id of k.ids('vfio_dmabufs')) {
      const p = k.get('vfio_dmabufs', id);
      const r = p.phys_vec[0]!;
      if (p.vdev === vma.vm_private_data && phys >= r.paddr && phys < r.paddr + r.len) {
        return { dmabuf: p.dmabuf, offset: phys - r.paddr };
      }
    }
    return null;
  }, 'test: look up the dma-buf by physical address', 'test')],
});

function compatWorld(design = legacy) {
  const s = iommufdWorld({ design });
  assert.equal(setCompatIoas(s.w, s.ifd, s.ioas), 0);
  const va = mmapBar(s.w, s.devFd, 0, 4 * PAGE, { off: 4 * PAGE });
  const bfd = exportDmaBuf(s.w, s.devFd, [{ offset: 4 * PAGE, length: 4 * PAGE }]);
  assert.ok(va > 0 && bfd >= 0);
  return { ...s, va, bfd };
}

test('compat ioctls on an iommufd: API version, extensions, SET_IOMMU, unknown commands', () => {
  const { w, ifd, ioas } = iommufdWorld({ attach: false });
  assert.equal(ioctl(w, ifd, VFIO_GET_API_VERSION, []), 0);
  assert.equal(ioctlValue(w, ifd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
  assert.equal(ioctlValue(w, ifd, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR), 0, 'VADDR is not emulated');
  assert.equal(ioctlValue(w, ifd, VFIO_SET_IOMMU, 2), -EINVAL);
  assert.equal(ioctlValue(w, ifd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), -ENODEV, 'no compat IOAS yet');
  assert.equal(setCompatIoas(w, ifd, ioas), 0);
  assert.equal(ioctlValue(w, ifd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
  assert.equal(ioctl(w, ifd, VFIO_IOMMU_DIRTY_PAGES, []), -ENOTTY);
});

test('compat MAP_DMA argument checks: copy, argsz, flags (VADDR refused), compat IOAS', () => {
  const { w, ifd, ioas } = iommufdWorld({ attach: false });
  assert.equal(mapDma(w, ifd, { vaddr: 0x1000, iova: 0x1000, size: PAGE }), -ENODEV);
  assert.equal(setCompatIoas(w, ifd, ioas), 0);
  assert.equal(ioctl(w, ifd, VFIO_IOMMU_MAP_DMA, [32, 0, 0, 0]), -EFAULT, 'short copy');
  assert.equal(mapDma(w, ifd, { vaddr: 0x1000, iova: 0x1000, size: PAGE }), 0, 'no domain: nothing is pinned yet');
  assert.equal(mapDma(w, ifd, { vaddr: 0x1000, iova: 0x1000, size: PAGE }), -17, '-EEXIST: the IOVA is taken');
  assert.equal(mapDma(w, ifd, { vaddr: 0x1000, iova: 0x1000, size: PAGE, argsz: 31 }), -EINVAL);
  assert.equal(mapDma(w, ifd, { vaddr: 0x1000, iova: 0x1000, size: PAGE, flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_VADDR }), -EINVAL);
  assert.equal(mapDma(w, ifd, { vaddr: 0x1000, iova: 0x1000, size: 0 }), -EINVAL);
});

test('compat MAP_DMA of a BAR VA on legacy: no dma-buf behind the VMA, GUP refuses the PFN map: -EFAULT', () => {
  const { w, ifd, va } = compatWorld();
  assert.equal(mapDma(w, ifd, { vaddr: va, iova: 0x800000, size: 4 * PAGE }), -EFAULT);
  // v6.19 looks for no dma-buf behind the VMA: straight to the user-pages path
  assert.ok(!w.events.some((e) => e.fn === 'vma_to_dmabuf'));
  assert.deepEqual(hwptEntries(w), []);
  assert.equal(deviceDma(w, 0x800000).outcome, 'iommu-fault');
  assert.deepEqual(broken(w), []);
});

test('compat MAP_DMA through the design\'s VMA → dma-buf hook maps the dma-buf, exactly as the VMA, revoked with it', () => {
  const { w, ifd, va, devFd, bfd } = compatWorld(vmaDesign);
  const file = fileOfFd(w, bfd);
  assert.equal(mapDma(w, ifd, { vaddr: va + PAGE, iova: 0x800000, size: 2 * PAGE }), 0);
  assert.deepEqual(hwptEntries(w).map((e) => [e.iova, e.paddr, e.len]), [[0x800000, BAR0 + 5 * PAGE, 2 * PAGE]]);
  assert.equal(w.state.files[file]!.f_count, 2, 'the attachment holds the dma-buf');
  assert.equal(deviceDma(w, 0x800000 + 4, true, 7).outcome, 'ok');
  assert.deepEqual(broken(w), []);
  writeCommand(w, devFd, 0);
  assert.deepEqual(hwptEntries(w), [], 'revoked with the dma-buf');
  assert.equal(deviceDma(w, 0x800000).outcome, 'iommu-fault');
  assert.deepEqual(broken(w), []);
  assert.equal(unmapDma(w, ifd, { iova: 0x800000, size: 2 * PAGE }), 0);
  assert.equal(Number(copied(w, vfio_iommu_type1_dma_unmap)['size']), 2 * PAGE);
  assert.equal(w.state.files[file]!.f_count, 1);
  assert.deepEqual(broken(w), []);
});

test('compat-map-follows-vma breaks when an entry maps another pfn than the VMA', () => {
  const { w, ifd, va } = compatWorld(vmaDesign);
  assert.equal(mapDma(w, ifd, { vaddr: va, iova: 0x800000, size: 4 * PAGE }), 0);
  const k = new Kernel(w.state, w.design);
  const h = Object.values(w.state.hwpts)[0]!;
  k.mut('hwpts', h.id).entries = h.entries.map((e) => ({ ...e, paddr: e.paddr + PAGE }));
  w.state = k.finish();
  assert.ok(broken(w).includes('compat-map-follows-vma'));
});

test('compat UNMAP_DMA: flags other than ALL -EINVAL, ALL with a range -EINVAL, ALL unmaps everything', () => {
  const { w, ifd, va } = compatWorld(vmaDesign);
  assert.equal(mapDma(w, ifd, { vaddr: va, iova: 0x800000, size: 4 * PAGE }), 0);
  assert.equal(unmapDma(w, ifd, { iova: 0, size: 0, flags: 1 }), -EINVAL);
  assert.equal(unmapDma(w, ifd, { iova: 0x800000, size: 0, flags: VFIO_DMA_UNMAP_FLAG_ALL }), -EINVAL);
  assert.equal(unmapDma(w, ifd, { iova: 0x800000, size: PAGE }), -2, 'cannot split an area (-ENOENT)');
  assert.equal(unmapDma(w, ifd, { iova: 0, size: 0, flags: VFIO_DMA_UNMAP_FLAG_ALL }), 0);
  assert.deepEqual(hwptEntries(w), []);
  assert.deepEqual(broken(w), []);
});
