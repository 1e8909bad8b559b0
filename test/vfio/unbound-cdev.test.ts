/* A vfio cdev opened but not bound (src/vfio/pci/open.ts bind: false; v6.19 df->access_granted). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runYaml, vdevAfter } from '../helpers/scenario-text.js';
import { EINVAL } from '../../src/uapi/errno.js';

test('an unbound cdev holds a registration but does not open the device; its release drops only that', () => {
  const r = runYaml(`  - thread: A
    open: { device: gpu0, bind: false }
    as: fd
  - thread: A
    close: { fd: $fd }
`);
  assert.deepEqual(r.failures, []);
  const v = vdevAfter(r, 0);
  assert.equal(v.open_count, 0);
  assert.equal(v.registration, 2);
  assert.equal(Object.values(r.steps[0]!.state.pci)[0]!.resets, 0, 'vfio_pci_core_enable did not run');
  assert.equal(vdevAfter(r, 1).registration, 1);
  assert.equal(vdevAfter(r, 1).open_count, 0);
});

test('before the bind: ioctls, read, write and mmap are -EINVAL; the bind enables the device', () => {
  const r = runYaml(`  - thread: A
    open: { device: gpu0, bind: false }
    as: fd
  - thread: A
    ioctl: { fd: $fd, cmd: VFIO_DEVICE_GET_INFO, arg: {} }
  - thread: A
    pread: { fd: $fd, region: config, offset: 0, count: 4 }
  - thread: A
    mmap: { length: 4K, prot: [PROT_READ], flags: [MAP_SHARED], fd: $fd, offset: "region(0)" }
  - thread: A
    open_dev: { node: /dev/iommu }
    as: ictx
  - thread: A
    ioctl: { fd: $fd, cmd: VFIO_DEVICE_BIND_IOMMUFD, arg: { iommufd: $ictx } }
  - thread: A
    ioctl: { fd: $fd, cmd: VFIO_DEVICE_GET_INFO, arg: {} }
`);
  assert.deepEqual(r.steps.slice(1, 4).map((s) => s.ret), [-EINVAL, -EINVAL, -EINVAL]);
  assert.equal(r.steps[5]!.ret, 0);
  const v = vdevAfter(r, 5);
  assert.equal(v.open_count, 1);
  assert.equal(v.pm_usage, 1);
  assert.equal(r.steps[6]!.ret, 0);
});
