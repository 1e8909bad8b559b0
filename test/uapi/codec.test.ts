import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStruct, defineStruct, encodeStruct, offsetofend, u64ToNumber } from '../../src/uapi/codec.js';
import {
  VFIO_DEVICE_INFO_MINSZ, VFIO_REGION_INFO_MINSZ, vfio_device_info, vfio_region_info,
} from '../../src/uapi/vfio.js';

test('vfio_region_info is 32 bytes with u64 size/offset at 16/24', () => {
  assert.equal(vfio_region_info.size, 32);
  assert.deepEqual(vfio_region_info.fields.map((f) => f.offset), [0, 4, 8, 12, 16, 24]);
  assert.equal(VFIO_REGION_INFO_MINSZ, 32);
});

test('vfio_device_info is 24 bytes, minsz offsetofend(num_irqs) = 16', () => {
  assert.equal(vfio_device_info.size, 24);
  assert.equal(VFIO_DEVICE_INFO_MINSZ, 16);
});

test('natural alignment pads a u64 after a u32', () => {
  const s = defineStruct('s', [{ name: 'a', type: 'u32' }, { name: 'b', type: 'u64' }, { name: 'c', type: 'u8' }]);
  assert.deepEqual(s.fields.map((f) => f.offset), [0, 8, 16]);
  assert.equal(s.size, 24);
  assert.equal(offsetofend(s, 'b'), 16);
});

test('little-endian round trip, u64 kept exact above 2^53', () => {
  const big = (1n << 63n) + 5n;
  const bytes = encodeStruct(vfio_region_info, { argsz: 32, flags: 7, index: 2, size: big, offset: 2 * 2 ** 40 });
  assert.equal(bytes.length, 32);
  assert.deepEqual(bytes.slice(0, 4), [32, 0, 0, 0]);
  assert.equal(bytes[31], 0x00);
  assert.equal(bytes[23], 0x80);
  const d = decodeStruct(vfio_region_info, bytes);
  assert.equal(d['size'], big);
  assert.equal(d['offset'], 2n << 40n);
  assert.equal(u64ToNumber(d['size']!), null);
  assert.equal(u64ToNumber(d['offset']!), 2 * 2 ** 40);
});

test('a short buffer decodes missing bytes as zero', () => {
  const d = decodeStruct(vfio_region_info, [0x20, 0, 0, 0, 1]);
  assert.equal(d['argsz'], 32);
  assert.equal(d['flags'], 1);
  assert.equal(d['index'], 0);
  assert.equal(d['size'], 0n);
});
