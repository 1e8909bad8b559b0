/* importer_dma while a revoke is in flight (the exporter holds the resv) and after it completed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { World } from '../vfio/world.js';
import { attach, dma, dmaBufWorld, exportDmaBuf, lastDmaOutcome, map } from './helpers.js';
import { runTask, startAction } from '../../src/check/exec.js';
import type { UserAction } from '../../src/kernel/syscalls.js';
import { leBytes } from '../../src/uapi/codec.js';
import { VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';
import { PCI_COMMAND } from '../../src/uapi/pci_regs.js';

const CMD = VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX) + PCI_COMMAND;

function runUntil(w: World, t: number, action: UserAction, label: string): void {
  const s = startAction(w.state, w.design, w.tids[t]!, action);
  const r = runTask(s.state, w.design, w.tids[t]!, label);
  assert.equal(r.stop, 'label', `thread ${t} did not reach ${label}`);
  w.state = r.state;
}

for (const kind of ['gpu', 'nic'] as const) {
  test(`a ${kind} DMA between the revoke's state flip and move_notify is an ordinary access`, () => {
    const { w, devFd, importers } = dmaBufWorld({ threads: ['A', 'B'] });
    if (kind === 'nic') w.state = { ...w.state, defects: ['B16-pinned-importer'] };
    const fd = exportDmaBuf(w, devFd, [{ offset: 0, length: 4096 }]);
    const a = attach(w, importers[kind]!, fd);
    assert.equal(map(w, a), 0);
    // B revokes: the state is flipped under the resv, move_notify has not run yet
    runUntil(w, 0, { op: 'pwrite', fd: devFd, offset: CMD, data: leBytes(0, 2) }, 'dma_buf_move_notify:entry');
    assert.equal(dma(w, a, 0, true, 1, 1), 0);
    assert.equal(lastDmaOutcome(w), 'ok', 'the importer has not been told yet');
    if (kind === 'nic') {
      // the revoke completes (resv dropped) with the pinned mapping in place, memory still decoding
      const r = runTask(w.state, w.design, w.tids[0]!, 'vfio_basic_config_write:write');
      assert.equal(r.stop, 'label');
      w.state = r.state;
      assert.equal(dma(w, a, 0, true, 2, 1), 0);
      assert.equal(lastDmaOutcome(w), 'revoked-mapping-used');
    } else {
      const r = runTask(w.state, w.design, w.tids[0]!);
      assert.equal(r.stop, 'done');
      w.state = r.state;
      assert.equal(dma(w, a, 0, true, 2, 1), -5);
      assert.equal(lastDmaOutcome(w), 'no-mapping');
    }
  });
}
