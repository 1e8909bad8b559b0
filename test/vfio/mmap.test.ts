import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, buildWorld, eventsOf, GiB, MiB, mmapBar, openDevice } from './world.js';
import { EBADF, EINVAL } from '../../src/uapi/errno.js';
import { MAP_PRIVATE, MAP_SHARED_VALIDATE } from '../../src/uapi/mman.js';
import {
  VM_ALLOW_ANY_UNCACHED, VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_PFNMAP, VM_SHARED, vmFlagsHas,
} from '../../src/mm/types.js';
import { VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';

function why(w: ReturnType<typeof buildWorld>): string {
  const e = eventsOf(w, 'device', 'vfio_pci_core_mmap').pop();
  return String(e?.args['why'] ?? '');
}

test('mmap: index beyond VFIO_PCI_NUM_REGIONS is -EINVAL', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(mmapBar(w, fd, 9, 4096), -EINVAL);
  assert.equal(why(w), 'index >= VFIO_PCI_NUM_REGIONS + num_regions');
});

test('mmap: a private mapping is -EINVAL (!VM_SHARED)', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(mmapBar(w, fd, 0, 4096, { flags: MAP_PRIVATE }), -EINVAL);
  assert.equal(why(w), '!VM_SHARED');
});

test('mmap: ROM, config and VGA regions are -EINVAL (index >= ROM)', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  for (const index of [6, 7, 8]) {
    assert.equal(mmapBar(w, fd, index, 4096), -EINVAL);
    assert.equal(why(w), 'index >= VFIO_PCI_ROM_REGION_INDEX');
  }
});

test('mmap: a BAR vfio_pci_probe_mmaps refused is -EINVAL', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(mmapBar(w, fd, 1, 4096), -EINVAL); // unimplemented
  assert.equal(why(w), '!bar_mmap_supported');
  assert.equal(mmapBar(w, fd, 4, 4096), -EINVAL); // sub-page, not page-aligned
  assert.equal(why(w), '!bar_mmap_supported');
});

test('mmap: past PAGE_ALIGN(BAR length) is -EINVAL; up to it succeeds', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  assert.equal(mmapBar(w, fd, 2, 2 * MiB + 4096), -EINVAL);
  assert.equal(why(w), 'req_start + req_len > phys_len');
  assert.equal(mmapBar(w, fd, 2, 4096, { off: 2 * MiB }), -EINVAL);
  assert.ok(mmapBar(w, fd, 2, 4096, { off: 2 * MiB - 4096 }) > 0);
  // a sub-page BAR at a page start maps one whole page
  const w2 = buildWorld({ bars: [{ index: 1, size: 256, base: 0x80000000, is64: false, prefetchable: false }] });
  const fd2 = openDevice(w2);
  assert.ok(mmapBar(w2, fd2, 1, 4096) > 0);
  assert.equal(mmapBar(w2, fd2, 1, 8192), -EINVAL);
});

test('mmap: the VMA is an uncached, decrypted PFN map with vfio_pci_mmap_ops and the file offset kept', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  const addr = mmapBar(w, fd, 0, GiB, { flags: MAP_SHARED_VALIDATE });
  assert.ok(addr > 0);
  const mm = w.state.mms[w.state.processes[w.pid]!.mm]!;
  const vma = mm.vmas.find((v) => v.vm_start === addr)!;
  for (const f of [VM_SHARED, VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP, VM_ALLOW_ANY_UNCACHED]) {
    assert.ok(vmFlagsHas(vma.vm_flags, f));
  }
  assert.deepEqual(vma.vm_page_prot, { cache: 'UC', decrypted: true });
  assert.equal(vma.vm_ops, 'vfio_pci_mmap_ops');
  assert.equal(vma.vm_private_data, w.vdev);
  assert.equal(vma.vm_pgoff, VFIO_PCI_INDEX_TO_OFFSET(0) / 4096);
  assert.equal(w.state.vfio[w.vdev]!.barmap[0], true);
  // the VMA is in the device inode's i_mmap, where the zap will look
  const inode = w.state.inodes[w.state.vfio[w.vdev]!.inode]!;
  assert.ok(inode.i_mapping.i_mmap.some((r) => r.vma === vma.id));
});

test('mmap of a closed fd number is -EBADF, before vfio is asked', () => {
  const w = buildWorld();
  const fd = openDevice(w);
  act(w, { op: 'close', fd });
  assert.equal(mmapBar(w, fd, 0, 4096), -EBADF);
  assert.equal(eventsOf(w, 'device', 'vfio_pci_core_mmap').length, 0);
});

test('mmap: vm_end < vm_start is -EINVAL (not reachable through mmap(2); the path directly)', async () => {
  const { runPath } = await import('./world.js');
  const w = buildWorld();
  const fd = openDevice(w);
  const fdt = w.state.fdtables[w.state.processes[w.pid]!.fdtable]!;
  const file = fdt.fds[fd]!.file;
  const r = runPath(w, 'vfio_pci_core_mmap', {
    file, mm: 0, vma: 0, vm_start: 0x20000, vm_end: 0x10000, vm_pgoff: 0, vm_flags: VM_SHARED,
    vm_page_prot: null, vm_file: file, vm_ops: '', vm_private_data: null,
  });
  assert.equal(r, -EINVAL);
  assert.equal(why(w), 'vm_end < vm_start');
});

test('mmap: an I/O BAR, any BAR of a non_mappable_bars function and the ROM are -EINVAL; the MSI-X BAR maps whole', () => {
  const bars = [
    { index: 0, size: 16 * 1024, base: 0xf0000000, is64: false, prefetchable: false },
    { index: 2, size: 256, base: 0xe000, is64: false, prefetchable: false, io: true },
  ];
  const msix = { vectors: 16, tableBar: 0, tableOffset: 0x2000, pbaBar: 0, pbaOffset: 0x3000 };
  const w = buildWorld({ bars, msix, rom: { base: 0xf1000000, size: 65536, imageSize: 2048 } });
  const fd = openDevice(w);
  assert.equal(mmapBar(w, fd, 2, 4096), -EINVAL);
  assert.equal(why(w), '!bar_mmap_supported');
  assert.equal(mmapBar(w, fd, 6, 4096), -EINVAL);
  assert.equal(why(w), 'index >= VFIO_PCI_ROM_REGION_INDEX');
  assert.ok(mmapBar(w, fd, 0, 16 * 1024) > 0, 'the table page is not carved out');
  const z = buildWorld({ bars, nonMappableBars: true });
  const zfd = openDevice(z);
  assert.equal(mmapBar(z, zfd, 0, 4096), -EINVAL);
  assert.equal(why(z), '!bar_mmap_supported');
});
