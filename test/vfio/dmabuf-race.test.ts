import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act } from './world.js';
import type { World } from './world.js';
import { attach, dmaBufWorld, dmabufOfFd, exportDmaBuf, fileOfFd, map, privOf } from '../dma-buf/helpers.js';
import { runTask, startAction } from '../../src/check/exec.js';
import type { UserAction } from '../../src/kernel/syscalls.js';
import { leBytes } from '../../src/uapi/codec.js';
import { VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND } from '../../src/uapi/pci_regs.js';

const PAGE = 4096;

/** Start `action` on thread t and run it until it is about to run `label`. */
function runUntil(w: World, t: number, action: UserAction, label: string): void {
  const s = startAction(w.state, w.design, w.tids[t]!, action);
  const r = runTask(s.state, w.design, w.tids[t]!, label);
  assert.equal(r.stop, 'label', `thread ${t} did not reach ${label}`);
  w.state = r.state;
}

/** Run thread t's current action to the end. */
function finish(w: World, t: number): void {
  const r = runTask(w.state, w.design, w.tids[t]!);
  assert.equal(r.stop, 'done');
  w.state = r.state;
  w.events = r.events;
}

test('close racing a revoke: the mover drops the last reference and the release waits for task_work', () => {
  const { w, devFd } = dmaBufWorld({ threads: ['A', 'B'] });
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }]);
  const dmabuf = dmabufOfFd(w, fd);
  const file = fileOfFd(w, fd);
  const cmd = VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX) + PCI_COMMAND;
  runUntil(w, 0, { op: 'pwrite', fd: devFd, offset: cmd, data: leBytes(0, 2) }, 'vfio_pci_dma_buf_move:resv_lock');
  assert.equal(w.state.files[file]!.f_count, 2, 'get_file_active took a reference');
  assert.equal(act(w, { op: 'close', fd }, 1), 0);
  assert.ok(w.state.dmabufs[dmabuf], 'B\'s close was not the last reference');
  finish(w, 0);
  assert.equal(w.state.dmabufs[dmabuf], undefined, 'the deferred __fput released it after up_write');
  assert.deepEqual(w.state.vfio[w.vdev]!.dmabufs, []);
  assert.equal(w.state.vfio[w.vdev]!.registration, 2);
  assert.deepEqual(w.state.task_works, {});
  const fns = w.events.filter((e) => e.fn === 'task_work_add' || e.fn === 'vfio_pci_dma_buf_release' || (e.kind === 'lock' && e.fn === 'up')).map((e) => e.fn);
  assert.ok(fns.indexOf('task_work_add') < fns.lastIndexOf('vfio_pci_dma_buf_release'));
});

test('v6.19 close_device disables before cleanup: an importer DMA in between hits a disabled BAR (B17b)', () => {
  const { w, devFd, importers } = dmaBufWorld({ threads: ['A', 'B'] });
  const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: PAGE }]);
  const a = attach(w, importers['gpu']!, fd);
  assert.equal(map(w, a), 0);
  runUntil(w, 0, { op: 'close', fd: devFd }, 'vfio_pci_core_disable:reset');
  act(w, { op: 'dma_access', attachment: a, offset: 0, size: 4, write: true, value: 1 }, 1);
  const e = w.events.find((x) => x.kind === 'access' && x.fn === 'dma');
  assert.equal(e?.args['outcome'], 'unsupported-request');
  assert.equal(e?.args['revoked'], false, 'the buffer is not revoked yet');
  finish(w, 0);
  assert.equal(privOf(w, dmabufOfFd(w, fd)).revoked, true);
  assert.equal(w.state.attachments[a]!.mapped, null);
});
