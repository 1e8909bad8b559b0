import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, eventsOf, GiB, ioctl } from './world.js';
import type { World } from './world.js';
import { writeCommand, writeFlr, writePowerState } from './config-helpers.js';
import {
  attach, detach, dma, dmaBufWorld, dmabufOfFd, exportDmaBuf, fileOfFd, lastDmaOutcome, map, privOf, unmap,
} from '../dma-buf/helpers.js';
import { EIO, ENODEV, EOPNOTSUPP, EINVAL } from '../../src/uapi/errno.js';
import { VFIO_DEVICE_RESET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND_MEMORY } from '../../src/uapi/pci_regs.js';
import { extendDesign } from '../helpers/extend-design.js';
import { legacy } from '../../src/designs/legacy.js';
import { path } from '../../src/kernel/sched/path.js';

const PAGE = 4096;
const BAR0 = 64 * GiB;

function exported(o: Parameters<typeof dmaBufWorld>[0] = {}) {
  const s = dmaBufWorld(o);
  const fd = exportDmaBuf(s.w, s.devFd, [{ offset: PAGE, length: PAGE }, { offset: 8 * PAGE, length: 2 * PAGE }]);
  assert.ok(fd >= 0);
  return { ...s, fd, dmabuf: dmabufOfFd(s.w, fd) };
}

test('a dynamic importer attaches, maps the phys ranges and DMAs through them', () => {
  const { w, fd, dmabuf, importers } = exported();
  const file = fileOfFd(w, fd);
  const a = attach(w, importers['gpu']!, fd);
  assert.ok(a > 0);
  assert.equal(w.state.files[file]!.f_count, 2, 'the attachment holds dma_buf_get\'s reference');
  assert.deepEqual(w.state.dmabufs[dmabuf]!.attachments, [a]);
  assert.equal(map(w, a), 0);
  assert.deepEqual(w.state.attachments[a]!.mapped, [{ paddr: BAR0 + PAGE, len: PAGE }, { paddr: BAR0 + 8 * PAGE, len: 2 * PAGE }]);
  assert.equal(dma(w, a, PAGE + 8, true, 0xabcd), 0);
  assert.equal(lastDmaOutcome(w), 'ok');
  assert.equal(w.state.pci[w.pdev]!.memory[BAR0 + 8 * PAGE + 8], 0xcd, 'offset PAGE of the buffer is in the second range');
  assert.equal(dma(w, a, PAGE + 8), 0xabcd);
  assert.equal(detach(w, a), 0);
  assert.equal(w.state.attachments[a], undefined);
  assert.equal(w.state.files[file]!.f_count, 1);
});

test('attach without peer2peer is refused with -EOPNOTSUPP and drops its reference', () => {
  const { w, fd, dmabuf, importers } = exported({ importers: [{ name: 'static', kind: 'dynamic', p2p: false }] });
  assert.equal(attach(w, importers['static']!, fd), -EOPNOTSUPP);
  assert.deepEqual(w.state.attachments, {});
  assert.deepEqual(w.state.dmabufs[dmabuf]!.attachments, []);
  assert.equal(w.state.files[fileOfFd(w, fd)]!.f_count, 1);
});

test('attaching to a non-dma-buf fd is -EINVAL', () => {
  const { w, devFd, importers } = exported();
  assert.equal(attach(w, importers['gpu']!, devFd), -EINVAL);
  assert.equal(w.state.files[fileOfFd(w, devFd)]!.f_count, 1);
});

test('a pinned importer is refused at dma_buf_pin (B16) and maps nothing', () => {
  const { w, fd, importers } = exported();
  const a = attach(w, importers['nic']!, fd);
  assert.ok(a > 0);
  assert.equal(map(w, a), -EOPNOTSUPP);
  assert.equal(w.state.attachments[a]!.mapped, null);
  assert.equal(w.state.attachments[a]!.pinned, false);
  assert.equal(dma(w, a, 0), -EIO);
  assert.equal(lastDmaOutcome(w), 'no-mapping');
});

test('attach and map of a revoked buffer fail with -ENODEV', () => {
  const { w, devFd, fd, importers } = exported();
  const a = attach(w, importers['gpu']!, fd);
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(map(w, a), -ENODEV);
  assert.equal(attach(w, importers['gpu']!, fd), -ENODEV);
});

/** A dynamic importer mapped, then `disable` runs; the mapping must be gone and the move events seen. */
function revokeSite(name: string, disable: (w: World, devFd: number) => void, unrevoked: boolean): void {
  test(`${name} revokes the dma-buf and the dynamic importer unmaps in move_notify`, () => {
    const { w, devFd, fd, dmabuf, importers } = exported();
    const a = attach(w, importers['gpu']!, fd);
    assert.equal(map(w, a), 0);
    disable(w, devFd);
    assert.equal(w.state.attachments[a]!.mapped, null, 'the importer still has its mapping after revoke');
    const moves = eventsOf(w, 'dmabuf', 'vfio_pci_dma_buf_move').map((e) => e.args['revoked']);
    assert.deepEqual(moves, unrevoked ? [true, false] : [true]);
    assert.ok(eventsOf(w, 'dmabuf', 'move_notify').some((e) => e.args['reaction'] === 'invalidate+unmap'));
    assert.equal(privOf(w, dmabuf).revoked, !unrevoked);
    assert.equal(w.state.files[fileOfFd(w, fd)]!.f_count, 2, 'get_file_active/fput balance');
    assert.equal(dma(w, a, 0), -EIO);
    assert.equal(lastDmaOutcome(w), 'no-mapping');
  });
}
revokeSite('PCI_COMMAND without MEMORY', (w, fd) => assert.equal(writeCommand(w, fd, 0), 2), false);
revokeSite('PM_CTRL to D3hot', (w, fd) => assert.equal(writePowerState(w, fd, 3), 2), false);
revokeSite('an FLR through DEVCTL', (w, fd) => assert.equal(writeFlr(w, fd), 2), true);
revokeSite('VFIO_DEVICE_RESET', (w, fd) => assert.equal(ioctl(w, fd, VFIO_DEVICE_RESET, []), 0), true);

test('re-enabling memory un-revokes: the importer can map again', () => {
  const { w, devFd, fd, dmabuf, importers } = exported();
  const a = attach(w, importers['gpu']!, fd);
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(privOf(w, dmabuf).revoked, true);
  assert.equal(writeCommand(w, devFd, PCI_COMMAND_MEMORY), 2);
  assert.equal(privOf(w, dmabuf).revoked, false);
  assert.equal(map(w, a), 0);
  assert.equal(dma(w, a, 0), 0);
  assert.equal(lastDmaOutcome(w), 'ok');
  // D0 again after D3hot un-revokes too
  assert.equal(writePowerState(w, devFd, 3), 2);
  assert.equal(writePowerState(w, devFd, 0), 2);
  assert.equal(privOf(w, dmabuf).revoked, false);
});

/** legacy with the B16 fix undone: pin succeeds, so an RDMA-style importer can attach. */
const pinAllowed = extendDesign(legacy, {
  name: 'legacy-pin-allowed',
  description: 'test: vfio_pci_dma_buf_pin returns 0 (before 61ceaf236115)',
  paths: [path()('vfio_pci_dma_buf_pin', 'entry', { entry: (cx) => cx.ret(0) })],
});

test('without B16 a pinned importer keeps DMA-ing after revoke: unsupported request', () => {
  const { w, devFd, fd, dmabuf, importers } = exported({ design: pinAllowed });
  const nic = attach(w, importers['nic']!, fd);
  const gpu = attach(w, importers['gpu']!, fd);
  assert.equal(map(w, nic), 0);
  assert.equal(w.state.attachments[nic]!.pinned, true);
  assert.equal(map(w, gpu), 0);
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(privOf(w, dmabuf).revoked, true);
  assert.equal(w.state.attachments[gpu]!.mapped, null);
  assert.notEqual(w.state.attachments[nic]!.mapped, null, 'the pinned importer ignores move_notify');
  assert.ok(eventsOf(w, 'dmabuf', 'move_notify').some((e) => e.args['reaction'] === 'ignored'));
  dma(w, nic, 0, true, 1);
  assert.equal(lastDmaOutcome(w), 'unsupported-request');
  // memory back on: the NIC's DMA lands again although it never re-mapped; still flagged while revoked
  assert.equal(unmap(w, nic), 0);
  assert.equal(w.state.attachments[nic]!.pinned, false);
});

test('iommufd: one range maps through the private interconnect, more ranges are -EOPNOTSUPP', () => {
  const { w, devFd, fd, importers } = exported();
  const multi = attach(w, importers['iommufd']!, fd);
  assert.equal(map(w, multi), -EOPNOTSUPP);
  const one = exportDmaBuf(w, devFd, [{ offset: 0, length: 4 * PAGE }]);
  const a = attach(w, importers['iommufd']!, one);
  assert.equal(map(w, a), 0);
  assert.deepEqual(w.state.attachments[a]!.mapped, [{ paddr: BAR0, len: 4 * PAGE }]);
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(w.state.attachments[a]!.mapped, null, 'iopt_revoke_notify drops the IOMMU mapping');
  assert.equal(map(w, a), -ENODEV);
});

test('close of the device: cleanup revokes for good, the fd outlives the device', () => {
  const { w, devFd, fd, dmabuf, importers } = exported();
  const a = attach(w, importers['gpu']!, fd);
  assert.equal(map(w, a), 0);
  assert.equal(act(w, { op: 'close', fd: devFd }), 0);
  const p = privOf(w, dmabuf);
  assert.equal(p.revoked, true);
  assert.equal(p.vdev, 0);
  assert.deepEqual(w.state.vfio[w.vdev]!.dmabufs, []);
  assert.equal(w.state.vfio[w.vdev]!.registration, 1);
  assert.equal(w.state.attachments[a]!.mapped, null);
  // v6.19 order: vfio_pci_core_disable before vfio_pci_dma_buf_cleanup (B17b)
  const order = w.events.filter((e) => e.fn === 'vfio_pci_core_disable' || e.fn === 'vfio_pci_dma_buf_cleanup').map((e) => e.fn);
  assert.deepEqual(order, ['vfio_pci_core_disable', 'vfio_pci_dma_buf_cleanup']);
  assert.equal(map(w, a), -ENODEV);
  assert.equal(attach(w, importers['gpu']!, fd), -ENODEV);
  // re-opening the device does not bring it back
  act(w, { op: 'open', device: '0000:01:00.0', flags: 2 });
  assert.equal(privOf(w, dmabuf).revoked, true);
  // release with vdev NULL does not touch the device
  assert.equal(detach(w, a), 0);
  assert.equal(act(w, { op: 'close', fd }), 0);
  assert.deepEqual(w.state.dmabufs, {});
  assert.deepEqual(w.state.vfio_dmabufs, {});
  assert.equal(w.state.vfio[w.vdev]!.registration, 2);
});

test('the dma-buf is freed when its last reference goes, not before', () => {
  const { w, fd, dmabuf, importers } = exported();
  const file = fileOfFd(w, fd);
  const a = attach(w, importers['gpu']!, fd);
  assert.equal(map(w, a), 0);
  assert.equal(act(w, { op: 'close', fd }), 0);
  assert.ok(w.state.dmabufs[dmabuf], 'the attachment keeps it alive');
  assert.equal(dma(w, a, 0), 0);
  assert.equal(detach(w, a), 0);
  assert.equal(w.state.dmabufs[dmabuf], undefined);
  assert.equal(w.state.files[file], undefined);
  assert.deepEqual(w.state.vfio[w.vdev]!.dmabufs, []);
  assert.equal(w.state.vfio[w.vdev]!.registration, 2);
  assert.ok(eventsOf(w, 'dmabuf', 'vfio_pci_dma_buf_release').length === 1);
});
