/* The device life-cycle ops and world options from the command line, as a user types them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cliIn, assertUsage, ROOT } from './helpers.js';

const { barmap, file } = cliIn('barmap-lifecycle-');

for (const name of ['group-container', 'cdev-unbound', 'unbind+close', 'low-power+fault', 'export-variant-driver', 'dmabuf-no-move-notify']) {
  test(`barmap run ${name} meets every expect`, () => {
    const r = barmap('run', name);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /every expect met/);
  });
}

test('barmap run shows the unbind asking user space and the suspend to D3hot', () => {
  assert.match(barmap('run', join(ROOT, 'scenarios/unbind+close.yaml')).stdout, /vfio_pci_core_request: .*blocked until released by user/);
  assert.match(barmap('run', 'low-power+fault').stdout, /pci_pm_runtime_suspend: dev=0000:01:00.0 power=D3hot/);
});

test('barmap check races the unbind and the low-power entry', () => {
  const r = barmap('check', 'unbind+close', 'low-power+fault', '--workers', '1');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /every result is as expected/);
});

test('a bad driver or config option is one line, exit 2', () => {
  const world = (extra: string) => `name: t\ndescription: t\nworld:\n${extra}  devices: [{ name: gpu0, bdf: "0000:01:00.0", bars: [{ index: 0, size: 16K, base: 0xf0000000 }] }]\n  processes: [{ name: P, threads: [A] }]\nsteps:\n  - thread: A\n    open: { device: gpu0 }\n`;
  assertUsage(barmap('run', file('d.yaml', world('').replace('bars:', 'driver: mlx5, bars:'))), /driver.*vfio-pci or variant/);
  assertUsage(barmap('run', file('c.yaml', world('  config: { CONFIG_DMABUF_MOVE_NOTIFY: maybe }\n'))), /CONFIG_DMABUF_MOVE_NOTIFY.*true or false/);
});
