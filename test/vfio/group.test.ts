/* The legacy group path (src/vfio/type1/group.ts; v6.19 drivers/vfio/group.c, container.c). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runYaml } from '../helpers/scenario-text.js';
import { EBUSY, EINVAL, ENOENT } from '../../src/uapi/errno.js';

const GROUP = `  - thread: A
    open_dev: { node: /dev/vfio/vfio }
    as: container
  - thread: A
    open_dev: { node: /dev/vfio/0 }
    as: group
  - thread: A
    ioctl: { fd: $group, cmd: VFIO_GROUP_SET_CONTAINER, arg: { fd: $container } }
`;

test('SET_IOMMU needs a group in the container; GET_DEVICE_FD needs SET_IOMMU', () => {
  const r = runYaml(`  - thread: A
    open_dev: { node: /dev/vfio/vfio }
    as: container
  - thread: A
    ioctl: { fd: $container, cmd: VFIO_SET_IOMMU, arg: { value: VFIO_TYPE1v2_IOMMU } }
  - thread: A
    open_dev: { node: /dev/vfio/0 }
    as: group
  - thread: A
    ioctl: { fd: $group, cmd: VFIO_GROUP_SET_CONTAINER, arg: { fd: $container } }
  - thread: A
    ioctl: { fd: $group, cmd: VFIO_GROUP_GET_DEVICE_FD, arg: { name: "0000:01:00.0" } }
  - thread: A
    ioctl: { fd: $container, cmd: VFIO_SET_IOMMU, arg: { value: VFIO_TYPE1v2_IOMMU } }
  - thread: A
    ioctl: { fd: $group, cmd: VFIO_GROUP_GET_DEVICE_FD, arg: { name: "0000:01:00.0" } }
`);
  assert.deepEqual(r.steps.map((s) => s.ret), [0, -EINVAL, 1, 0, -EINVAL, 0, 2]);
  const v = Object.values(r.steps[6]!.state.vfio)[0]!;
  assert.equal(v.open_count, 1);
  assert.equal(v.registration, 2, 'the driver and the device file');
  assert.deepEqual(Object.values(r.steps[6]!.state.vfio_containers)[0]!.devices, [v.id]);
});

test('a bound cdev keeps the group from opening, an open group keeps the cdev from binding', () => {
  const r = runYaml(`  - thread: A
    open: { device: gpu0 }
    as: fd
  - thread: A
    open_dev: { node: /dev/vfio/0 }
  - thread: A
    close: { fd: $fd }
  - thread: A
    open_dev: { node: /dev/vfio/0 }
  - thread: A
    open: { device: gpu0 }
  - thread: A
    open: { device: gpu0, bind: false }
`);
  assert.deepEqual(r.steps.map((s) => s.ret), [0, -EBUSY, 0, 0, -EBUSY, 1]);
});

test('the device fd holds its group: closing the group and the container first keeps the IOMMU until the last close', () => {
  const r = runYaml(`${GROUP}  - thread: A
    ioctl: { fd: $container, cmd: VFIO_SET_IOMMU, arg: { value: VFIO_TYPE1v2_IOMMU } }
  - thread: A
    ioctl: { fd: $group, cmd: VFIO_GROUP_GET_DEVICE_FD, arg: { name: "0000:01:00.0" } }
    as: fd
  - thread: A
    close: { fd: $group }
  - thread: A
    close: { fd: $container }
  - thread: A
    close: { fd: $fd }
`);
  assert.deepEqual(r.failures, []);
  const during = Object.values(r.steps[6]!.state.vfio_containers);
  assert.equal(during.length, 1, 'the group still holds the container');
  assert.equal(during[0]!.file, 0);
  assert.equal(during[0]!.iommu_type !== 0, true);
  assert.deepEqual(Object.values(r.steps[7]!.state.vfio_containers), [], 'the last close released the group, the group its container');
});

test('once the driver is unbound the group node is gone', () => {
  const r = runYaml(`  - thread: A
    unbind: { device: gpu0 }
  - thread: A
    open_dev: { node: /dev/vfio/0 }
`);
  assert.equal(r.steps[1]!.ret, -ENOENT);
});
