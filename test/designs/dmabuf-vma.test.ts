import { vmaDmaBuf } from '../../src/designs/common/vfio-dmabuf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { dmabufVma } from '../../src/designs/dmabuf-vma/index.js';
import { findDesign } from '../../src/designs/index.js';
import { extendDesign } from '../helpers/extend-design.js';
import { dmaBufMmapPath } from '../../src/designs/common/dmabuf-mmap.js';
import { vfioPciDmabufOps } from '../../src/vfio/pci/dmabuf.js';
import { VFIO_PCI_MMAP_OPS } from '../../src/vfio/pci/mmap.js';
import { VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND } from '../../src/uapi/pci_regs.js';
import { EINVAL } from '../../src/uapi/errno.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { GiB, MiB, leafAt, pending } from '../vfio/world.js';
import type { World } from '../vfio/world.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { dmabufOfFd, exportDmaBuf, fileOfFd } from '../dma-buf/helpers.js';
import { PAGE, checkNow, checkedAct, designWorld, mmapFdAction, vmaAt } from './helpers.js';
import type { Broken } from './helpers.js';

const BAR0_PFN = (64 * GiB) / PAGE;

/** BAR0 mmap of `len` bytes at region offset `off`, checked step by step. */
function mmapBar0(w: World, fd: number, len: number, broken: Broken, off = 0): number {
  return checkedAct(w, {
    op: 'mmap', addr: 0, length: len, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, fd,
    offset: VFIO_PCI_INDEX_TO_OFFSET(0) + off,
  }, broken);
}

for (const stage of [1, 2, 3, 4, 5] as const) {
  test(`dmabuf-vma@${stage}: a BAR mmap is a VMA on a fresh single-range dma-buf that holds the vfio file`, () => {
    const design = findDesign(`dmabuf-vma@${stage}`)!;
    const { w, devFd } = designWorld(design);
    const broken: Broken = new Map();
    const va = mmapBar0(w, devFd, 2 * MiB, broken, 4 * MiB);
    assert.ok(va > 0);
    const v = vmaAt(w, va);
    const f = w.state.files[v.vm_file]!;
    assert.equal(f.f_op, 'dma_buf_fops', 'vm_file is the dma-buf file');
    assert.equal(v.vm_pgoff, 0, 'vm_pgoff is a page offset in the buffer');
    const d = w.state.dmabufs[f.private_data]!;
    const p = w.state.vfio_dmabufs[d.priv]!;
    assert.deepEqual(p.phys_vec, [{ paddr: 64 * GiB + 4 * MiB, len: 2 * MiB }]);
    assert.deepEqual(w.state.vfio[w.vdev]!.dmabufs, [p.id]);
    assert.equal(w.state.files[fileOfFd(w, devFd)]!.f_count, 2, 'fd + priv->vfile');
    assert.equal(f.f_count, 1, 'the VMA holds the export\'s reference');
    assert.deepEqual(w.state.inodes[f.f_mapping]!.i_mapping.i_mmap.map((r) => r.vma), [v.id]);
    assert.deepEqual(w.state.inodes[w.state.vfio[w.vdev]!.inode]!.i_mapping.i_mmap, []);
    assert.equal(vmaDmaBuf(new Kernel(w.state, w.design), v), d.id);
    assert.equal(broken.size, 0, [...broken.values()].join('; '));
    // munmap releases the buffer, which puts the vfio file
    assert.equal(checkedAct(w, { op: 'munmap', addr: va, length: 2 * MiB }, broken), 0);
    assert.equal(w.state.dmabufs[d.id], undefined);
    assert.equal(w.state.files[fileOfFd(w, devFd)]!.f_count, 1);
    assert.deepEqual(w.state.vfio[w.vdev]!.dmabufs, []);
    assert.equal(broken.size, 0, [...broken.values()].join('; '));
  });
}

/** Map 2M of BAR0, fault it, disable memory, touch it again; what broke and where the leaf is. */
function faultDisableRefault(stage: 1 | 2 | 3 | 4 | 5) {
  const { w, devFd } = designWorld(dmabufVma(stage));
  const broken: Broken = new Map();
  const va = mmapBar0(w, devFd, 2 * MiB, broken);
  assert.equal(checkedAct(w, { op: 'store', addr: va + 8, size: 4, value: 0x1234 }, broken), 0);
  const first = leafAt(w, va);
  // the disable as a checked action: zap-reaches-every-mapping judges the walks when it returns
  assert.equal(checkedAct(w, { op: 'pwrite', fd: devFd, offset: VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX) + PCI_COMMAND, data: [0, 0] }, broken), 2);
  checkNow(w, broken);
  const afterDisable = leafAt(w, va);
  const ret = checkedAct(w, { op: 'load', addr: va + 8, size: 4 }, broken);
  return { w, devFd, va, broken, first, afterDisable, ret };
}

for (const stage of [1, 2, 3] as const) {
  test(`dmabuf-vma@${stage}: the zap still walks the device inode and misses the dma-buf's VMAs`, () => {
    const r = faultDisableRefault(stage);
    assert.deepEqual(r.first, { level: 'pmd', pfn: BAR0_PFN, base: r.va });
    assert.ok(r.broken.has('zap-reaches-every-mapping'), 'the faulted VMA is not where vfio_pci_zap_bars looks');
    assert.deepEqual(r.afterDisable, r.first, 'the disable left the leaf in place');
    assert.ok(r.broken.has('no-leaf-on-disabled-bar'));
    assert.equal(r.ret, 0xffffffff, 'the load went through the stale leaf to a BAR that does not decode (all ones)');
    assert.ok(r.broken.has('no-access-to-disabled-bar'));
  });
}

for (const stage of [4, 5] as const) {
  test(`dmabuf-vma@${stage}: every zap site reaches the dma-buf's address_space; refault SIGBUS, then maps again`, () => {
    const r = faultDisableRefault(stage);
    assert.deepEqual(r.first, { level: 'pmd', pfn: BAR0_PFN, base: r.va });
    assert.equal(r.afterDisable, null, 'vfio_pci_zap_bars zapped the dma-buf mapping');
    assert.deepEqual(pending(r.w), ['SIGBUS']);
    assert.equal(r.broken.size, 0, [...r.broken.values()].join('; '));
    assert.equal(writeCommand(r.w, r.devFd, 0x2), 2);
    assert.equal(checkedAct(r.w, { op: 'load', addr: r.va + 8, size: 4 }, r.broken), 0x1234);
    assert.equal(leafAt(r.w, r.va)!.level, 'pmd');
    assert.equal(r.broken.size, 0, [...r.broken.values()].join('; '));
  });
}

test('dmabuf-vma@3: the fault handler refuses a revoked buffer (SIGBUS) while memory is off', () => {
  const { w, devFd } = designWorld(dmabufVma(3));
  const broken: Broken = new Map();
  const va = mmapBar0(w, devFd, 2 * MiB, broken);
  assert.equal(writeCommand(w, devFd, 0), 2);
  const p = Object.values(w.state.vfio_dmabufs)[0]!;
  assert.equal(p.revoked, true, 'vfio_pci_dma_buf_move revoked the BAR-mmap dma-buf');
  checkedAct(w, { op: 'load', addr: va, size: 4 }, broken);
  assert.deepEqual(pending(w), ['SIGBUS']);
  assert.equal(leafAt(w, va), null);
});

test('dmabuf-vma@1..4: the dma-buf fd has no mmap; @5 maps a multi-range export with the right pfns', () => {
  const ranges = [{ offset: 0, length: 2 * MiB }, { offset: 8 * MiB, length: 2 * MiB }];
  for (const stage of [1, 4] as const) {
    const { w, devFd } = designWorld(dmabufVma(stage));
    const fd = exportDmaBuf(w, devFd, ranges);
    const broken: Broken = new Map();
    assert.equal(checkedAct(w, mmapFdAction(fd, 4 * MiB), broken), -EINVAL);
  }
  const { w, devFd } = designWorld(dmabufVma(5));
  const fd = exportDmaBuf(w, devFd, ranges);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 4 * MiB), broken);
  assert.ok(va > 0);
  assert.equal(vmaAt(w, va).vm_ops, VFIO_PCI_MMAP_OPS, 'one vm_ops for BAR and dma-buf mmaps');
  checkedAct(w, { op: 'store', addr: va + 2 * MiB + 16, size: 4, value: 7 }, broken);
  checkedAct(w, { op: 'store', addr: va + 16, size: 4, value: 5 }, broken);
  assert.deepEqual(leafAt(w, va + 2 * MiB), { level: 'pmd', pfn: BAR0_PFN + (8 * MiB) / PAGE, base: va + 2 * MiB });
  assert.deepEqual(leafAt(w, va), { level: 'pmd', pfn: BAR0_PFN, base: va });
  assert.equal(w.state.pci[w.pdev]!.memory[64 * GiB + 8 * MiB + 16], 7);
  assert.equal(vmaDmaBuf(new Kernel(w.state, w.design), vmaAt(w, va)), dmabufOfFd(w, fd));
  assert.equal(broken.size, 0, [...broken.values()].join('; '));
  // a disable zaps the export's mapping too (it is on vdev->dmabufs)
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(leafAt(w, va), null);
  assert.equal(leafAt(w, va + 2 * MiB), null);
});

test('stage 1 look-up under a multi-range buffer maps the wrong pfns (why stage 2 comes before 5)', () => {
  // stage 1 fault handlers with stage 5's dma-buf mmap: a user-made hybrid
  const base = dmabufVma(1);
  const hybrid = extendDesign(base, {
    name: 'dmabuf-vma@1+mmap', description: 'stage 1 with dma-buf fd mmap',
    paths: [dmaBufMmapPath({ vmOps: VFIO_PCI_MMAP_OPS, refuseRevoked: false, memattr: false })],
    dmaBufOps: [{ ...vfioPciDmabufOps, mmap: 'vfio_pci_dma_buf_mmap' }],
  });
  const { w, devFd } = designWorld(hybrid);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }, { offset: 8 * MiB, length: 2 * MiB }]);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 4 * MiB), broken);
  checkedAct(w, { op: 'store', addr: va + 2 * MiB, size: 4, value: 7 }, broken);
  assert.equal(leafAt(w, va + 2 * MiB)!.pfn, BAR0_PFN + (2 * MiB) / PAGE, 'contiguous from phys_vec[0]');
  assert.ok(broken.has('leaf-maps-object-pfn'));
});

test('dmabuf-vma@5: closing the device with a live dma-buf mmap leaves a leaf while the function stops decoding', () => {
  const { w, devFd } = designWorld(dmabufVma(5));
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  checkedAct(w, { op: 'store', addr: va, size: 4, value: 1 }, broken);
  assert.equal(broken.size, 0);
  // the VMA holds only the dma-buf file: the vfio file's last close disables the function
  assert.equal(checkedAct(w, { op: 'close', fd: devFd }, broken), 0);
  assert.ok(broken.has('no-leaf-on-disabled-bar'), 'vfio_pci_core_disable with the leaf still in place');
  assert.notEqual(leafAt(w, va), null, 'cleanup revokes but does not zap');
});
