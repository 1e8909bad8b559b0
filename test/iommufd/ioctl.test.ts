import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ioctl, mmapBar, MiB } from '../vfio/world.js';
import { E2BIG, EBADF, EFAULT, EINVAL, ENODEV, ENOENT, ENOTTY, EOPNOTSUPP, EOVERFLOW } from '../../src/uapi/errno.js';
import {
  IOMMU_IOAS_ALLOC, IOMMU_IOAS_MAP, IOMMU_IOAS_MAP_FIXED_IOVA, IOMMU_VFIO_IOAS, IOMMU_VFIO_IOAS_GET,
  iommu_ioas_alloc, iommu_vfio_ioas,
} from '../../src/uapi/iommufd.js';
import { _IOW } from '../../src/uapi/ioctl.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD } from '../../src/uapi/vfio.js';
import { VFIO_DEVICE_BIND_FLAG_TOKEN } from '../../src/uapi/vfio-iommu.js';
import {
  attachArg, bindArg, broken, copied, hwptEntries, ioasAllocArg, iommufdWorld, mapArg, mapFile, mapUser, PAGE,
  unmapIova, vfioIoasArg,
} from './helpers.js';

const U64_MAX = 2n ** 64n - 1n;

test('iommufd_fops_ioctl: a wrong command number is -ENOTTY, get_user faults -EFAULT, a short size -EINVAL', () => {
  const { w, ifd } = iommufdWorld({ attach: false });
  assert.equal(ioctl(w, ifd, _IOW(';', 0x81, 12), ioasAllocArg()), -ENOTTY, 'op->ioctl_num != cmd');
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, ioasAllocArg(), true), -EFAULT);
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, [12, 0]), -EFAULT, 'fewer than 4 bytes for the size');
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, [4, 0, 0, 0]), -EINVAL, 'size 4 < min_size 12');
});

test('size below min_size is -EINVAL; a larger struct needs a zero tail (-E2BIG), else is accepted', () => {
  const { w, ifd } = iommufdWorld({ attach: false });
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, [8, 0, 0, 0, 0, 0, 0, 0]), -EINVAL);
  const big = [...ioasAllocArg(), 0, 0, 0, 0];
  big[0] = 16;
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, big), 0);
  big[13] = 1;
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, big), -E2BIG);
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, [16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), -EFAULT, 'the tail is not readable');
});

test('IOAS_ALLOC: flags are -EOPNOTSUPP; ids count from 1 per iommufd', () => {
  const { w, ifd, ioas } = iommufdWorld({ attach: false });
  assert.equal(ioas, 1);
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, ioasAllocArg(1)), -EOPNOTSUPP);
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_ALLOC, ioasAllocArg()), 0);
  assert.equal(Number(copied(w, iommu_ioas_alloc)['out_ioas_id']), 2);
});

test('IOAS_MAP checks in the kernel order: flags/__reserved, overflow, no access, ioas id, uptr overflow, length', () => {
  const { w, ifd, ioas } = iommufdWorld({ attach: false });
  assert.equal(mapUser(w, ifd, { ioas, va: 0x1000, length: PAGE, flags: 8 }), -EOPNOTSUPP);
  assert.equal(mapUser(w, ifd, { ioas, va: 0x1000, length: PAGE, reserved: 1 }), -EOPNOTSUPP);
  assert.equal(mapUser(w, ifd, { ioas: 99, va: 0x1000, length: U64_MAX }), -EOVERFLOW, 'overflow before the id');
  assert.equal(mapUser(w, ifd, { ioas: 99, va: 0x1000, length: PAGE, flags: IOMMU_IOAS_MAP_FIXED_IOVA }), -EINVAL);
  assert.equal(mapUser(w, ifd, { ioas: 99, va: 0x1000, length: PAGE }), -ENOENT);
  assert.equal(mapUser(w, ifd, { ioas, va: U64_MAX - 10n, length: PAGE }), -EOVERFLOW, 'B22: uptr + length wraps');
  assert.equal(mapUser(w, ifd, { ioas, va: 0x1000, length: 0 }), -EINVAL);
});

test('IOAS_MAP of a VFIO BAR mmap: lazy without a domain, -EFAULT (GUP refuses VM_PFNMAP) once one must be filled', () => {
  const { w, ifd, ioas, devFd } = iommufdWorld({ attach: false });
  const va = mmapBar(w, devFd, 0, 2 * MiB);
  assert.equal(mapUser(w, ifd, { ioas, va, length: 2 * MiB, iova: 0x400000, flags: 7 }), 0, 'no domain: nothing pinned');
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd)), 0);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas)), -EFAULT, 'iopt_fill_domain pins and fails');
  assert.equal(unmapIova(w, ifd, ioas, 0x400000, 2 * MiB), 0);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas)), 0);
  assert.equal(mapUser(w, ifd, { ioas, va, length: 2 * MiB }), -EFAULT);
  assert.ok(w.events.some((e) => e.kind === 'gup' && e.args['why'] === 'check_vma_flags: VM_IO|VM_PFNMAP'));
  assert.deepEqual(Object.values(w.state.ioas).flatMap((io) => io.areas), []);
  assert.deepEqual(hwptEntries(w), []);
  assert.deepEqual(broken(w), []);
});

test('IOAS_MAP_FILE: a bad fd is -EBADF, length 0 -EINVAL, start + length wrapping -EOVERFLOW', () => {
  const { w, ifd, ioas } = iommufdWorld({ attach: false });
  assert.equal(mapFile(w, ifd, { ioas, fd: 42, length: PAGE }), -EBADF);
  assert.equal(mapFile(w, ifd, { ioas, fd: ifd, length: 0 }), -EINVAL);
  assert.equal(mapFile(w, ifd, { ioas, fd: ifd, start: U64_MAX, length: 2 }), -EOVERFLOW);
  assert.equal(mapFile(w, ifd, { ioas, fd: ifd, length: PAGE, flags: 16 }), -EOPNOTSUPP);
});

test('IOAS_UNMAP: bad id -ENOENT, length 0 -EINVAL, iova at ULONG_MAX -EOVERFLOW, nothing mapped -ENOENT', () => {
  const { w, ifd, ioas } = iommufdWorld({ attach: false });
  assert.equal(unmapIova(w, ifd, 7, 0, PAGE), -ENOENT);
  assert.equal(unmapIova(w, ifd, ioas, 0x1000, 0), -EINVAL);
  assert.equal(unmapIova(w, ifd, ioas, U64_MAX, 1), -EOVERFLOW);
  assert.equal(unmapIova(w, ifd, ioas, 0x1000, PAGE), -ENOENT);
  assert.equal(unmapIova(w, ifd, ioas, 0, U64_MAX), 0, 'unmap all of nothing succeeds');
});

test('IOMMU_VFIO_IOAS: __reserved -EOPNOTSUPP, GET without one -ENODEV, SET of a bad id -ENOENT, bad op', () => {
  const { w, ifd, ioas } = iommufdWorld({ attach: false });
  assert.equal(ioctl(w, ifd, IOMMU_VFIO_IOAS, vfioIoasArg(IOMMU_VFIO_IOAS_GET, 0, 1)), -EOPNOTSUPP);
  assert.equal(ioctl(w, ifd, IOMMU_VFIO_IOAS, vfioIoasArg(IOMMU_VFIO_IOAS_GET)), -ENODEV);
  assert.equal(ioctl(w, ifd, IOMMU_VFIO_IOAS, vfioIoasArg(1, 5)), -ENOENT);
  assert.equal(ioctl(w, ifd, IOMMU_VFIO_IOAS, vfioIoasArg(1, ioas)), 0);
  assert.equal(ioctl(w, ifd, IOMMU_VFIO_IOAS, vfioIoasArg(IOMMU_VFIO_IOAS_GET)), 0);
  assert.equal(Number(copied(w, iommu_vfio_ioas)['ioas_id']), ioas);
  assert.equal(ioctl(w, ifd, IOMMU_VFIO_IOAS, vfioIoasArg(3)), -EOPNOTSUPP);
});

test('VFIO_DEVICE_BIND_IOMMUFD and ATTACH_IOMMUFD_PT errnos', () => {
  const { w, ifd, devFd, ioas } = iommufdWorld({ attach: false });
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas)), -EINVAL, 'not bound');
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd).slice(0, 2)), -EFAULT);
  const short = bindArg(ifd);
  short[0] = 12;
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, short), -EINVAL, 'argsz < minsz');
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(-1)), -EINVAL);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd, 2)), -EINVAL);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd, VFIO_DEVICE_BIND_FLAG_TOKEN)), -EINVAL);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(40)), -EBADF);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(devFd)), -77, '-EBADFD: not an iommufd');
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd)), 0);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd)), -EINVAL, 'bound twice');
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas, 2)), -EINVAL);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas, 1)), -EOPNOTSUPP, 'PASID');
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(9)), -ENOENT);
  assert.equal(ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas)), 0);
  assert.deepEqual(broken(w), []);
});

test('IOAS_MAP with an unaligned length fails once a domain set the IOVA alignment', () => {
  const { w, ifd, ioas } = iommufdWorld();
  assert.equal(ioctl(w, ifd, IOMMU_IOAS_MAP, mapArg({ ioas, va: 0x1000, length: 100 })), -EINVAL);
});
