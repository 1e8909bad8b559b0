/* Driver unbind (src/vfio/pci/remove.ts; v6.19 vfio_unregister_group_dev, vfio_pci_core_request). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSteps, runYaml, vdevAfter } from '../helpers/scenario-text.js';
import { ENODEV, ENOENT } from '../../src/uapi/errno.js';

test('an unbind of a device nobody holds completes at once', () => {
  const r = runYaml(`  - thread: A
    unbind: { device: gpu0 }
  - thread: A
    open: { device: gpu0 }
  - thread: A
    unbind: { device: gpu0 }
`);
  assert.deepEqual(r.failures, []);
  assert.equal(r.steps[0]!.ret, 0);
  assert.ok(!r.steps[0]!.events.some((e) => e.fn === 'vfio_pci_core_request'), 'no one to ask');
  const v = vdevAfter(r, 0);
  assert.equal(v.unbound, true);
  assert.equal(v.registration, 0);
  assert.equal(r.steps[1]!.ret, -ENOENT);
  assert.equal(r.steps[2]!.ret, -ENODEV);
});

test('an unbind with the device open asks user space and waits; the last close completes it', () => {
  const r = runYaml(`${openSteps()}  - thread: U
    unbind: { device: gpu0 }
    until: vfio_pci_remove:wait
  - thread: A
    close: { fd: $fd }
  - resume: U
`, { threads: 'A, U' });
  assert.deepEqual(r.failures, []);
  const req = r.steps[1]!.events.find((e) => e.fn === 'vfio_pci_core_request');
  assert.match(String(req?.args['report']), /blocked until released by user/);
  const waiting = vdevAfter(r, 1);
  assert.equal(waiting.registered, false);
  assert.equal(waiting.unbound, false);
  assert.equal(waiting.registration, 1, 'the file still holds it');
  assert.equal(r.steps[3]!.ret, 0);
  assert.equal(vdevAfter(r, 3).unbound, true);
});

test('the unbind leaves mappings in place: the BAR still reads until munmap', () => {
  const r = runYaml(`${openSteps(3)}  - thread: U
    unbind: { device: gpu0 }
    until: vfio_pci_remove:wait
  - thread: A
    load: { addr: $bar0 }
`, { threads: 'A, U' });
  assert.deepEqual(r.failures, []);
  assert.equal(r.steps[4]!.ret, 3);
  assert.deepEqual(r.steps[4]!.signals, []);
});
