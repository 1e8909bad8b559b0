/* revoke@v7.1: the revoke waits for every importer to unmap; pinned importers that handle revoke are allowed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revokeV71 } from '../../src/designs/revoke-v7.1/index.js';
import type { RevokeWaitDmaBuf } from '../../src/designs/revoke-v7.1/index.js';
import { legacy } from '../../src/designs/legacy.js';
import type { Design } from '../../src/designs/types.js';
import { startAction, step } from '../../src/check/exec.js';
import { isDeadlocked } from '../../src/check/transitions.js';
import { leBytes } from '../../src/uapi/codec.js';
import { VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND } from '../../src/uapi/pci_regs.js';
import { EOPNOTSUPP } from '../../src/uapi/errno.js';
import { MiB } from '../vfio/world.js';
import type { World } from '../vfio/world.js';
import { writeCommand } from '../vfio/config-helpers.js';
import { attach, dma, dmabufOfFd, exportDmaBuf, lastDmaOutcome, map, privOf, unmap } from '../dma-buf/helpers.js';
import { checkNow, designWorld } from './helpers.js';

/** A world under `design` with threads A (the vfio user) and G (the importer driver), one 2M buffer. */
function world(design: Design, kind: 'deferred' | 'dynamic' | 'iommufd' | 'pinned') {
  const { w, devFd, importers } = designWorld(design, { threads: ['A', 'G'], importers: [{ name: 'imp', kind }] });
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 2 * MiB }]);
  return { w, devFd, fd, imp: importers['imp']!, dmabuf: dmabufOfFd(w, fd) };
}

/** Start PCI_COMMAND = 0 on thread A and run it until it returns or sleeps. */
function disableUntilBlocked(w: World, devFd: number): 'done' | 'blocked' {
  const cmd = { op: 'pwrite' as const, fd: devFd, offset: VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX) + PCI_COMMAND, data: leBytes(0, 2) };
  w.state = startAction(w.state, w.design, w.tids[0]!, cmd).state;
  return resume(w);
}

/** Run thread A on until it returns or sleeps. */
function resume(w: World): 'done' | 'blocked' {
  const tid = w.tids[0]!;
  for (let n = 0; n < 10_000; n++) {
    if (w.state.tasks[tid]!.frames.length === 0) return 'done';
    const r = step(w.state, w.design, tid);
    w.state = r.state;
    if (r.outcome === 'blocked') return 'blocked';
  }
  throw new Error('no end');
}

function kref(w: World, dmabuf: number): number | undefined {
  return (privOf(w, dmabuf) as RevokeWaitDmaBuf).kref;
}

test('revoke@v7.1 4/8: a map takes a kref, an unmap drops it; a disable waits until the importer unmaps', () => {
  const { w, devFd, fd, imp, dmabuf } = world(revokeV71, 'deferred');
  const att = attach(w, imp, fd, 1);
  assert.ok(att > 0);
  assert.equal(kref(w, dmabuf), 1, 'the registered reference');
  assert.equal(map(w, att, 1), 0);
  assert.equal(kref(w, dmabuf), 2);
  assert.equal(disableUntilBlocked(w, devFd), 'blocked', 'vfio_pci_dma_buf_move sleeps in wait_for_completion');
  const a = w.state.tasks[w.tids[0]!]!;
  assert.equal(w.state.locks[a.blockedOn!.lock]!.class, 'completion');
  assert.equal(a.frames.at(-1)!.fn, 'vfio_pci_dma_buf_move');
  assert.equal(privOf(w, dmabuf).revoked, true);
  assert.equal(kref(w, dmabuf), 1, 'the registered reference is dropped; the mapping still holds one');
  assert.equal(isDeadlocked(w.state), false, 'a completion wait is not a deadlock: G in user space can unmap');
  // The BAR still decodes (the command write waits behind the revoke): the importer's DMA is harmless.
  dma(w, att, 0, true, 7, 1);
  assert.equal(lastDmaOutcome(w), 'ok');
  assert.equal(checkNow(w).size, 0, [...checkNow(w).values()].join('; '));
  assert.equal(unmap(w, att, 1), 0);
  assert.equal(kref(w, dmabuf), 0);
  assert.equal(resume(w), 'done');
  assert.equal(w.state.pci[w.pdev]!.command & 0x2, 0, 'memory decoding is off only after the wait');
  assert.equal(checkNow(w).size, 0, [...checkNow(w).values()].join('; '));
});

test('legacy: the same disable returns while the deferred importer still holds its mapping (what 4/8 fixes)', () => {
  const { w, devFd, fd, imp, dmabuf } = world(legacy, 'deferred');
  const att = attach(w, imp, fd, 1);
  assert.equal(map(w, att, 1), 0);
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(privOf(w, dmabuf).revoked, true);
  assert.ok(checkNow(w).has('no-mapping-survives-revoke'));
});

test('revoke@v7.1 7/8 + 8/8: the RDMA pinned importer is refused at attach; iommufd pins and is revoked', () => {
  const rdma = world(revokeV71, 'pinned');
  assert.equal(attach(rdma.w, rdma.imp, rdma.fd, 1), -EOPNOTSUPP);
  const { w, devFd, fd, imp, dmabuf } = world(revokeV71, 'iommufd');
  const att = attach(w, imp, fd, 1);
  assert.ok(att > 0);
  assert.equal(map(w, att, 1), 0);
  assert.equal(w.state.attachments[att]!.pinned, true, 'dma_buf_pin succeeds: vfio has no pin op any more');
  assert.equal(kref(w, dmabuf), 1, 'the private interconnect takes no kref');
  assert.equal(writeCommand(w, devFd, 0), 2);
  assert.equal(w.state.attachments[att]!.mapped, null, 'iopt_revoke_notify dropped the IOMMU mapping');
  assert.equal(w.state.attachments[att]!.pinned, true);
  assert.equal(checkNow(w).size, 0, [...checkNow(w).values()].join('; '));
});

test('references-balance checks the v7.1 mapping kref: a leak and an underflow are reported', () => {
  const { w, fd, imp, dmabuf } = world(revokeV71, 'dynamic');
  const att = attach(w, imp, fd, 1);
  assert.equal(map(w, att, 1), 0);
  assert.equal(checkNow(w).size, 0);
  const priv = w.state.dmabufs[dmabuf]!.priv;
  const withKref = (n: number): World => ({
    ...w, state: { ...w.state, vfio_dmabufs: { ...w.state.vfio_dmabufs, [priv]: { ...w.state.vfio_dmabufs[priv]!, kref: n } as never } },
  });
  assert.match(checkNow(withKref(3)).get('references-balance') ?? '', /kref 3 but 1 mapped attachment\(s\).*a leak/);
  assert.match(checkNow(withKref(-1)).get('references-balance') ?? '', /kref -1: underflow/);
});
