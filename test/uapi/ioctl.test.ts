import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _IO, _IOC_DIR, _IOC_NR, _IOC_SIZE, _IOC_TYPE, _IOR, _IOW, _IOWR } from '../../src/uapi/ioctl.js';
import {
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_DEVICE_GET_REGION_INFO,
  VFIO_DEVICE_RESET,
} from '../../src/uapi/vfio.js';

test('VFIO device ioctls are _IO(\';\', 100 + n)', () => {
  assert.equal(VFIO_DEVICE_GET_INFO, 0x3b6b);
  assert.equal(VFIO_DEVICE_GET_REGION_INFO, 0x3b6c);
  assert.equal(VFIO_DEVICE_RESET, 0x3b6f);
  assert.equal(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, 0x3b70);
  assert.equal(VFIO_DEVICE_FEATURE, 0x3b75);
});

test('asm-generic encoding of direction and size', () => {
  // DMA_BUF_IOCTL_SYNC = _IOW('b', 0, struct dma_buf_sync (8 bytes))
  assert.equal(_IOW('b', 0, 8), 0x40086200);
  // DMA_BUF_SET_NAME_B = _IOW('b', 1, u64)
  assert.equal(_IOW('b', 1, 8), 0x40086201);
  // an _IOR with dir bit 31 set stays an unsigned value
  assert.equal(_IOR('b', 2, 8), 0x80086202);
  assert.equal(_IOWR('T', 1, 4), 0xc0045401);
  assert.equal(_IO('T', 1), 0x5401);
});

test('decoding a command back', () => {
  const cmd = _IOWR('b', 2, 24);
  assert.equal(_IOC_DIR(cmd), 3);
  assert.equal(_IOC_TYPE(cmd), 'b'.charCodeAt(0));
  assert.equal(_IOC_NR(cmd), 2);
  assert.equal(_IOC_SIZE(cmd), 24);
});
