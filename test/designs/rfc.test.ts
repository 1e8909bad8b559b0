import { vmaDmaBuf } from '../../src/designs/common/vfio-dmabuf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { rfc } from '../../src/designs/rfc/index.js';
import { DMA_BUF_IOCTL_REVOKE, VFIO_DMABUF_MMAP_ATTR_WC } from '../../src/designs/rfc/index.js';
import { extendDesign } from '../helpers/extend-design.js';
import { vfioPciDmabufOps } from '../../src/vfio/pci/dmabuf.js';
import { EBADFD, EINVAL, ENODEV } from '../../src/uapi/errno.js';
import { MAP_PRIVATE } from '../../src/uapi/mman.js';
import { GiB, MiB, leafAt, mmapBar, pending } from '../vfio/world.js';
import type { World } from '../vfio/world.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { attach, dmabufOfFd, exportDmaBuf, map, privOf } from '../dma-buf/helpers.js';
import { PAGE, checkedAct, designWorld, mmapFdAction, vmaAt } from './helpers.js';
import type { Broken } from './helpers.js';

const BAR0_PFN = (64 * GiB) / PAGE;
const ok = (b: Broken): string => [...b.entries()].map(([k, v]) => `${k}: ${v}`).join('; ');

function revoke(w: World, fd: number, broken: Broken): number {
  return checkedAct(w, { op: 'ioctl', fd, cmd: DMA_BUF_IOCTL_REVOKE, arg: [], argFault: false }, broken);
}

test('rfc 3/7: mmap of a multi-range dma-buf fd maps each range; huge faults only inside one aligned range', () => {
  const { w, devFd } = designWorld(rfc);
  // range 0: 2M at BAR0+0 (PMD-able); range 1: 1M at BAR0+9M then 1M at BAR0+20M (a PMD would straddle)
  const fd = exportDmaBuf(w, devFd, [
    { offset: 0, length: 2 * MiB }, { offset: 9 * MiB, length: MiB }, { offset: 20 * MiB, length: MiB },
  ]);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 4 * MiB), broken);
  assert.ok(va > 0 && va % (4 * MiB) === 0);
  const v = vmaAt(w, va);
  assert.equal(v.vm_ops, 'vfio_pci_dma_buf_mmap_ops');
  assert.equal(v.vm_file, w.state.dmabufs[dmabufOfFd(w, fd)]!.file);
  assert.deepEqual(v.vm_page_prot, { cache: 'UC', decrypted: true });
  checkedAct(w, { op: 'store', addr: va + 8, size: 4, value: 1 }, broken);
  checkedAct(w, { op: 'store', addr: va + 3 * MiB + PAGE, size: 4, value: 2 }, broken);
  assert.deepEqual(leafAt(w, va), { level: 'pmd', pfn: BAR0_PFN, base: va });
  assert.deepEqual(leafAt(w, va + 3 * MiB + PAGE), { level: 'pte', pfn: BAR0_PFN + (20 * MiB + PAGE) / PAGE, base: va + 3 * MiB + PAGE });
  assert.equal(w.state.pci[w.pdev]!.memory[64 * GiB + 20 * MiB + PAGE], 2);
  const pmdRets = w.events.filter((e) => e.kind === 'fault' && e.fn === 'vfio_pci_dma_buf_mmap_huge_fault' && e.args['order'] === 9);
  assert.deepEqual(pmdRets.map((e) => e.args['ret']), ['VM_FAULT_FALLBACK'], 'the 2M block straddles ranges 1 and 2');
  assert.equal(vmaDmaBuf(new Kernel(w.state, w.design), v), dmabufOfFd(w, fd));
  assert.equal(broken.size, 0, ok(broken));
});

test('rfc 3/7: mmap checks (-EINVAL private, -EINVAL past the end, -ENODEV revoked); BAR mmap stays legacy', () => {
  const { w, devFd } = designWorld(rfc);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  const broken: Broken = new Map();
  assert.equal(checkedAct(w, mmapFdAction(fd, 2 * MiB, 0, { flags: MAP_PRIVATE }), broken), -EINVAL);
  assert.equal(checkedAct(w, mmapFdAction(fd, 2 * MiB, PAGE), broken), -EINVAL);
  const bar = mmapBar(w, devFd, 0, 2 * MiB);
  assert.equal(vmaAt(w, bar).vm_ops, 'vfio_pci_mmap_ops');
  assert.equal(vmaDmaBuf(new Kernel(w.state, w.design), vmaAt(w, bar)), null);
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(checkedAct(w, mmapFdAction(fd, 2 * MiB), broken), -ENODEV);
  assert.equal(broken.size, 0, ok(broken));
});

test('rfc: a memory disable revokes and zaps the dma-buf mapping; refault SIGBUS; re-enable maps again', () => {
  const { w, devFd } = designWorld(rfc);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  checkedAct(w, { op: 'store', addr: va, size: 4, value: 1 }, broken);
  assert.equal(checkedAct(w, { op: 'pwrite', fd: devFd, offset: 7 * 2 ** 40 + 4, data: [0, 0] }, broken), 2);
  assert.equal(leafAt(w, va), null);
  assert.ok(w.events.some((e) => e.kind === 'zap' && e.fn === 'unmap_mapping_range' && Number(e.args['leaves']) === 1));
  checkedAct(w, { op: 'load', addr: va, size: 4 }, broken);
  assert.deepEqual(pending(w), ['SIGBUS']);
  assert.equal(writeCommand(w, devFd, 2), 2);
  assert.equal(checkedAct(w, { op: 'load', addr: va, size: 4 }, broken), 1);
  assert.equal(broken.size, 0, ok(broken));
});

test('rfc 4/7 + 5/7: DMA_BUF_IOCTL_REVOKE zaps, notifies, is permanent and answers -EBADFD then -ENODEV', () => {
  const { w, devFd, importers } = designWorld(rfc);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  const a = attach(w, importers['gpu']!, fd);
  assert.equal(map(w, a), 0);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  checkedAct(w, { op: 'store', addr: va, size: 4, value: 1 }, broken);
  assert.equal(revoke(w, fd, broken), 0);
  assert.equal(leafAt(w, va), null);
  assert.equal(w.state.attachments[a]!.mapped, null, 'move_notify made the importer unmap');
  assert.equal(revoke(w, fd, broken), -EBADFD);
  // MSE off and on again: a permanent revoke stays
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(writeCommand(w, devFd, 2), 2);
  assert.equal(privOf(w, dmabufOfFd(w, fd)).revoked, true);
  checkedAct(w, { op: 'load', addr: va, size: 4 }, broken);
  assert.deepEqual(pending(w), ['SIGBUS']);
  assert.equal(broken.size, 0, ok(broken));
  // the device's last close: priv->vdev NULL → -ENODEV
  const other = exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }]);
  assert.equal(checkedAct(w, { op: 'close', fd: devFd }, broken), 0);
  assert.equal(revoke(w, other, broken), -ENODEV);
});

test('rfc 4/7: an exporter without ops->revoke answers -EINVAL', () => {
  const noRevoke = extendDesign(rfc, {
    name: 'rfc-no-revoke', description: 'test', dmaBufOps: [{ ...vfioPciDmabufOps, mmap: 'vfio_pci_dma_buf_mmap', revoke: undefined }],
  });
  const { w, devFd } = designWorld(noRevoke);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }]);
  assert.equal(revoke(w, fd, new Map()), -EINVAL);
});

test('rfc 6/7: the WC attribute in flags bits 28-31 makes a write-combine mapping; unknown values -EINVAL', () => {
  const { w, devFd } = designWorld(rfc);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }], { flags: VFIO_DMABUF_MMAP_ATTR_WC });
  assert.ok(fd >= 0);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  assert.deepEqual(vmaAt(w, va).vm_page_prot, { cache: 'WC', decrypted: true });
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }], { flags: 2 * 2 ** 28 }), -EINVAL);
  assert.equal(exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }], { flags: 1 }), -EINVAL);
});

test('rfc 1/7: export requests the BAR (barmap); 2/7: close with a live dma-buf mmap zaps before disabling', () => {
  const { w, devFd } = designWorld(rfc);
  assert.equal(w.state.vfio[w.vdev]!.barmap[0], false);
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  assert.equal(w.state.vfio[w.vdev]!.barmap[0], true);
  const broken: Broken = new Map();
  const va = checkedAct(w, mmapFdAction(fd, 2 * MiB), broken);
  checkedAct(w, { op: 'store', addr: va, size: 4, value: 1 }, broken);
  assert.equal(checkedAct(w, { op: 'close', fd: devFd }, broken), 0);
  assert.equal(leafAt(w, va), null, 'cleanup zapped the dma-buf mapping');
  assert.equal(broken.size, 0, ok(broken));
});
