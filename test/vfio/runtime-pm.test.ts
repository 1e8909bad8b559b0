/* Runtime PM and the LOW_POWER features (src/vfio/pci/runtime-pm.ts; v6.19 vfio_pci_core.c). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSteps, runYaml, vdevAfter } from '../helpers/scenario-text.js';
import { EBADF, EINVAL } from '../../src/uapi/errno.js';

const OPEN_MAP = openSteps(7);

test('LOW_POWER_ENTRY zaps, engages and suspends the function to D3hot once the ioctl returns', () => {
  const r = runYaml(`${OPEN_MAP}  - thread: B
    low_power: { fd: $fd, feature: entry }
`);
  assert.deepEqual(r.failures, []);
  assert.equal(r.steps[3]!.ret, 0);
  const v = vdevAfter(r, 3);
  assert.equal(v.pm_runtime_engaged, true);
  assert.equal(v.rpm_suspended, true);
  assert.equal(v.pm_usage, 0);
  assert.equal(Object.values(r.steps[3]!.state.pci)[0]!.power, 'D3hot');
  assert.ok(r.steps[3]!.events.some((e) => e.fn === 'vfio_pci_zap_bars'));
  assert.ok(r.steps[3]!.events.some((e) => e.fn === 'pci_pm_runtime_suspend'));
});

test('in low power a fault is SIGBUS, a pread resumes the device for its duration, a second entry is -EINVAL', () => {
  const r = runYaml(`${OPEN_MAP}  - thread: B
    low_power: { fd: $fd, feature: entry }
  - thread: A
    load: { addr: $bar0 }
  - thread: A
    pread: { fd: $fd, region: bar0, offset: 0, count: 4 }
  - thread: B
    low_power: { fd: $fd, feature: entry }
`);
  assert.deepEqual(r.steps[4]!.signals, ['SIGBUS']);
  assert.equal(r.steps[5]!.ret, 4);
  assert.ok(r.steps[5]!.events.some((e) => e.fn === 'pci_pm_runtime_resume'));
  assert.equal(vdevAfter(r, 5).rpm_suspended, true, 'the pread put suspends it again');
  assert.equal(r.steps[6]!.ret, -EINVAL);
});

test('LOW_POWER_EXIT disengages and takes the usage reference back; the fault maps again', () => {
  const r = runYaml(`${OPEN_MAP}  - thread: B
    low_power: { fd: $fd, feature: entry }
  - thread: B
    low_power: { fd: $fd, feature: exit }
  - thread: A
    load: { addr: $bar0 }
`);
  assert.equal(r.steps[4]!.ret, 0);
  const v = vdevAfter(r, 4);
  assert.equal(v.pm_runtime_engaged, false);
  assert.equal(v.rpm_suspended, false);
  assert.equal(v.pm_usage, 1);
  assert.equal(r.steps[5]!.ret, 7);
  assert.deepEqual(r.steps[5]!.signals, []);
});

test('the last close in low power exits it first: closed with usage 0, D0', () => {
  const r = runYaml(`${openSteps()}  - thread: B
    low_power: { fd: $fd, feature: entry }
  - thread: A
    close: { fd: $fd }
`);
  assert.deepEqual(r.failures, []);
  const v = vdevAfter(r, 2);
  assert.equal(v.pm_runtime_engaged, false);
  assert.equal(v.pm_usage, 0);
  assert.equal(v.open_count, 0);
  assert.equal(Object.values(r.steps[2]!.state.pci)[0]!.power, 'D0');
});

test('ENTRY_WITH_WAKEUP: a negative eventfd is -EINVAL, a closed fd -EBADF, another file -EINVAL; SET only', () => {
  const r = runYaml(`${openSteps()}  - thread: B
    low_power: { fd: $fd, feature: entry_with_wakeup, wakeup_eventfd: -1 }
  - thread: B
    low_power: { fd: $fd, feature: entry_with_wakeup, wakeup_eventfd: 9 }
  - thread: B
    low_power: { fd: $fd, feature: entry_with_wakeup, wakeup_eventfd: $fd }
  - thread: B
    low_power: { fd: $fd, feature: exit, set: false }
  - thread: B
    low_power: { fd: $fd, feature: entry, probe: true }
`);
  assert.deepEqual(r.steps.slice(1).map((s) => s.ret), [-EINVAL, -EBADF, -EINVAL, -EINVAL, 0]);
  assert.equal(vdevAfter(r, 5).pm_runtime_engaged, false);
});

test('the entry revokes the dma-bufs and the exit un-revokes them', () => {
  const r = runYaml(`${openSteps()}  - thread: A
    dmabuf_export: { fd: $fd, region: bar0, ranges: [{ offset: 0, length: 16K }] }
    as: buf
  - thread: B
    low_power: { fd: $fd, feature: entry }
  - thread: B
    low_power: { fd: $fd, feature: exit }
`);
  assert.deepEqual(r.failures, []);
  assert.equal(Object.values(r.steps[2]!.state.vfio_dmabufs)[0]!.revoked, true);
  assert.equal(Object.values(r.steps[3]!.state.vfio_dmabufs)[0]!.revoked, false);
});
