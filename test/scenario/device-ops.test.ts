/* The life-cycle scenario ops (src/scenario/device-ops.ts): unbind and low_power. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { prepareLowPower, DEVICE_OPS } from '../../src/scenario/device-ops.js';
import { evalExpr } from '../../src/scenario/expr.js';
import type { NumExpr } from '../../src/scenario/expr.js';
import { VFIO_DEVICE_FEATURE } from '../../src/uapi/vfio.js';

const ev = (e: NumExpr): number => evalExpr(e, {});

test('low_power encodes vfio_device_feature {argsz, SET|feature} and the wakeup struct', () => {
  const entry = prepareLowPower(DEVICE_OPS.low_power.parse({ fd: 3, feature: 'entry' }), ev);
  assert.equal(entry.action.op, 'ioctl');
  if (entry.action.op !== 'ioctl') return;
  assert.equal(entry.action.cmd, VFIO_DEVICE_FEATURE);
  assert.deepEqual(entry.action.arg, [8, 0, 0, 0, 3, 0, 2, 0]);
  const wake = prepareLowPower(DEVICE_OPS.low_power.parse({ fd: 3, feature: 'entry_with_wakeup', wakeup_eventfd: 5 }), ev);
  if (wake.action.op !== 'ioctl') return assert.fail();
  assert.deepEqual(wake.action.arg, [16, 0, 0, 0, 4, 0, 2, 0, 5, 0, 0, 0, 0, 0, 0, 0]);
  const exit = prepareLowPower(DEVICE_OPS.low_power.parse({ fd: 3, feature: 'exit', set: false, probe: true }), ev);
  if (exit.action.op !== 'ioctl') return assert.fail();
  assert.deepEqual(exit.action.arg.slice(4), [5, 0, 4, 0]);
});

test('an unknown feature or device is refused when the scenario loads', () => {
  const world = 'world:\n  devices: [{ name: gpu0, bdf: "0000:01:00.0", bars: [{ index: 0, size: 16K, base: 0xf0000000 }] }]\n  processes: [{ name: P, threads: [A] }]\n';
  assert.throws(() => loadScenario(`name: t\ndescription: t\n${world}steps:\n  - thread: A\n    low_power: { fd: 0, feature: sleep }\n`, 't.yaml'),
    (e: unknown) => e instanceof ScenarioError && /entry, entry_with_wakeup, exit/.test(e.message));
  assert.throws(() => loadScenario(`name: t\ndescription: t\n${world}steps:\n  - thread: A\n    unbind: { device: nic9 }\n`, 't.yaml'),
    (e: unknown) => e instanceof ScenarioError && /nic9/.test(e.message));
});

test('unbind and low_power are check-alphabet actions', () => {
  const world = 'world:\n  devices: [{ name: gpu0, bdf: "0000:01:00.0", bars: [{ index: 0, size: 16K, base: 0xf0000000 }] }]\n  processes: [{ name: P, threads: [A, B] }]\n';
  const sc = loadScenario(`name: t\ndescription: t\n${world}steps:\n  - thread: A\n    open: { device: gpu0 }\n    as: fd\ncheck:\n  alphabet:\n    A: [ { unbind: { device: gpu0 } } ]\n    B: [ { low_power: { fd: $fd, feature: entry } } ]\n`, 't.yaml');
  assert.ok(sc.check);
});
