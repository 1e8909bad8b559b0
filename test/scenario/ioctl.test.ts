import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IOCTLS, encodeIoctlArg, fieldPlace } from '../../src/scenario/ioctl.js';

test('GET_REGION_INFO buffers are argsz bytes (room for the capability chain); other ioctls keep sizeof', () => {
  const ri = IOCTLS['VFIO_DEVICE_GET_REGION_INFO']!;
  assert.equal(encodeIoctlArg(ri, { index: 0 }).length, 32);
  assert.equal(encodeIoctlArg(ri, { argsz: 40, index: 0 }).length, 40);
  assert.equal(encodeIoctlArg(ri, { argsz: 16, index: 0 }).length, 32);
  assert.equal(encodeIoctlArg(ri, { argsz: 1 << 20, index: 0 }).length, 4096, 'at most a page');
  assert.equal(encodeIoctlArg(IOCTLS['VFIO_DEVICE_GET_INFO']!, { argsz: 64 }).length, 24);
});

test('out: reads cap.<field> of the first capability, right after the struct', () => {
  const ri = IOCTLS['VFIO_DEVICE_GET_REGION_INFO']!;
  assert.deepEqual(fieldPlace(ri, 'cap.id'), { offset: 32, size: 2 });
  assert.deepEqual(fieldPlace(ri, 'cap.next'), { offset: 36, size: 4 });
  assert.equal(fieldPlace(ri, 'cap.nope'), undefined);
  assert.equal(fieldPlace(IOCTLS['VFIO_DEVICE_GET_INFO']!, 'cap.id'), undefined);
});
