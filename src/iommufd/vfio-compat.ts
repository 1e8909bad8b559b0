/**
 * VFIO type1 compatibility on an iommufd (drivers/iommu/iommufd/
 * vfio_compat.c, v6.19): IOMMU_VFIO_IOAS chooses the IOAS, and the VFIO
 * container ioctls on an iommufd fd (any command number below the iommufd
 * range) run against it.
 *
 *   VFIO_GET_API_VERSION   0
 *   VFIO_CHECK_EXTENSION   TYPE1, TYPE1v2, UNMAP_ALL → 1; others 0 (the
 *                          argument is a value: the ioctl's arg bytes as a
 *                          little-endian number)
 *   VFIO_SET_IOMMU         TYPE1/TYPE1v2 else -EINVAL; no compat IOAS → -ENODEV
 *   VFIO_IOMMU_MAP_DMA     copy of 32 bytes (-EFAULT); argsz < 32 or flags
 *                          other than READ|WRITE → -EINVAL (VADDR refused);
 *                          no compat IOAS → -ENODEV; iopt_map_user_pages at
 *                          the fixed IOVA: a VFIO BAR VMA cannot be pinned
 *                          (-EFAULT once a domain needs the pages)
 *   VFIO_IOMMU_UNMAP_DMA   copy of 24 bytes; argsz or flags other than ALL →
 *                          -EINVAL; ALL with iova/size → -EINVAL; the size
 *                          unmapped is copied back
 *   others                 -ENOIOCTLCMD (-ENOTTY)
 *
 * v6.19 maps user pages only, so a VFIO BAR VMA is refused. The designs
 * that put a dma-buf under the VMA patch a step in before `user_pages`
 * that maps the buffer instead (src/designs/common/compat-map-dmabuf.ts).
 */
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { hex } from '../kernel/events.js';
import { ENODEV, EFAULT, EINVAL, EOPNOTSUPP, EOVERFLOW } from '../uapi/errno.js';
import { ENOIOCTLCMD } from '../fs/ioctl.js';
import { decodeStruct, encodeStruct, leValue, u32 } from '../uapi/codec.js';
import { VFIO_API_VERSION, VFIO_CHECK_EXTENSION, VFIO_GET_API_VERSION } from '../uapi/vfio.js';
import {
  VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_MAP_MINSZ, VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_DMA_UNMAP_MINSZ, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU,
  VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, vfio_iommu_type1_dma_map, vfio_iommu_type1_dma_unmap,
} from '../uapi/vfio-iommu.js';
import { IOMMU_VFIO_IOAS_CLEAR, IOMMU_VFIO_IOAS_GET, IOMMU_VFIO_IOAS_SET, iommu_vfio_ioas } from '../uapi/iommufd.js';
import type { IoptPages } from './types.js';
import { PAGE_SIZE } from './io-pagetable.js';
import { getIoas } from './objects.js';
import { ucmdRespond } from './main.js';
import type { UcmdLocals } from './main.js';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);


/** get_compat_ioas(): ictx->vfio_ioas or -ENODEV. */
function compatIoas(k: import('../kernel/kernel.js').Kernel, ictx: number): number {
  const io = k.get('iommufds', ictx).vfio_ioas;
  return io !== 0 && k.find('ioas', io) !== undefined ? io : -ENODEV;
}

/** models iommufd_vfio_ioas(): GET / SET / CLEAR of the compatibility IOAS. */
export const iommufd_vfio_ioas = path<UcmdLocals>()('iommufd_vfio_ioas', 'entry', {
  entry: (cx) => {
    const cmd = decodeStruct(iommu_vfio_ioas, cx.l.ucmd);
    if (u32(cmd, '__reserved') !== 0) return cx.ret(-EOPNOTSUPP);
    switch (u32(cmd, 'op')) {
      case IOMMU_VFIO_IOAS_GET: {
        const io = compatIoas(cx.k, cx.l.ictx);
        if (io < 0) return cx.ret(io);
        ucmdRespond(cx, cx.l.user_size, encodeStruct(iommu_vfio_ioas, { ...cmd, ioas_id: cx.k.get('ioas', io).obj_id }), 'iommu_vfio_ioas');
        return cx.ret(0);
      }
      case IOMMU_VFIO_IOAS_SET: {
        const io = getIoas(cx.k, cx.l.ictx, u32(cmd, 'ioas_id'));
        if (io < 0) return cx.ret(io);
        cx.k.mut('iommufds', cx.l.ictx).vfio_ioas = io;
        cx.emit('iommu', 'iommufd_vfio_ioas', { op: 'SET', ioas_id: u32(cmd, 'ioas_id') });
        return cx.ret(0);
      }
      case IOMMU_VFIO_IOAS_CLEAR:
        cx.k.mut('iommufds', cx.l.ictx).vfio_ioas = 0;
        return cx.ret(0);
      default:
        return cx.ret(-EOPNOTSUPP);
    }
  },
});

interface CompatLocals {
  readonly [key: string]: Value;
  ictx: number;
  cmd: number;
  arg: readonly number[];
  argFault: boolean;
  r: number;
}

/** models iommufd_vfio_ioctl(). */
export const iommufd_vfio_ioctl = path<CompatLocals>()('iommufd_vfio_ioctl', 'entry', {
  entry: (cx) => {
    const value = cx.l.argFault ? 0 : leValue(cx.l.arg.slice(0, 6));
    switch (cx.l.cmd) {
      case VFIO_GET_API_VERSION:
        return cx.ret(VFIO_API_VERSION);
      case VFIO_CHECK_EXTENSION:
        return cx.ret(value === VFIO_TYPE1_IOMMU || value === VFIO_TYPE1v2_IOMMU || value === VFIO_UNMAP_ALL ? 1 : 0);
      case VFIO_SET_IOMMU: {
        if (value !== VFIO_TYPE1_IOMMU && value !== VFIO_TYPE1v2_IOMMU) return cx.ret(-EINVAL);
        const io = compatIoas(cx.k, cx.l.ictx);
        return cx.ret(io < 0 ? io : 0);
      }
      case VFIO_IOMMU_MAP_DMA:
        return cx.call('iommufd_vfio_map_dma', { ictx: cx.l.ictx, arg: cx.l.arg, argFault: cx.l.argFault }, 'r', 'done');
      case VFIO_IOMMU_UNMAP_DMA:
        return cx.call('iommufd_vfio_unmap_dma', { ictx: cx.l.ictx, arg: cx.l.arg, argFault: cx.l.argFault }, 'r', 'done');
      default:
        return cx.ret(-ENOIOCTLCMD);
    }
  },
  done: (cx) => cx.ret(cx.l.r),
});

export interface MapDmaLocals {
  readonly [key: string]: Value;
  ictx: number;
  arg: readonly number[];
  argFault: boolean;
  ioas: number;
  vaddr: number;
  iova: number;
  size: number;
  read: boolean;
  write: boolean;
  mm: number;
  pages: number;
  r: number;
  x: number;
}

/** models iommufd_vfio_map_dma(): the checks, then iopt_map_user_pages() at the fixed IOVA. */
export const iommufd_vfio_map_dma = path<MapDmaLocals>()('iommufd_vfio_map_dma', 'entry', {
  entry: (cx) => {
    if (cx.l.argFault || cx.l.arg.length < VFIO_DMA_MAP_MINSZ) return cx.ret(-EFAULT);
    const map = decodeStruct(vfio_iommu_type1_dma_map, cx.l.arg);
    const flags = u32(map, 'flags');
    if (u32(map, 'argsz') < VFIO_DMA_MAP_MINSZ || (flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) !== 0) {
      return cx.ret(-EINVAL);
    }
    const io = compatIoas(cx.k, cx.l.ictx);
    if (io < 0) return cx.ret(io);
    const vaddr = map['vaddr'] as bigint;
    const size = map['size'] as bigint;
    if (vaddr + size > 2n ** 64n - 1n) return cx.ret(-EOVERFLOW); // iopt_alloc_user_pages
    if (size === 0n) return cx.ret(-EINVAL); // iopt_alloc_pages
    if (vaddr + size > SAFE || (map['iova'] as bigint) > SAFE) return cx.ret(-EOVERFLOW);
    cx.l.ioas = io;
    cx.l.vaddr = Number(vaddr);
    cx.l.size = Number(size);
    cx.l.iova = Number(map['iova'] as bigint);
    cx.l.read = (flags & VFIO_DMA_MAP_FLAG_READ) !== 0;
    cx.l.write = (flags & VFIO_DMA_MAP_FLAG_WRITE) !== 0;
    cx.l.mm = cx.k.get('processes', cx.pid).mm;
    cx.emit('syscall', 'iommufd_vfio_map_dma', {
      vaddr: hex(cx.l.vaddr), iova: hex(cx.l.iova), size: hex(cx.l.size), read: cx.l.read, write: cx.l.write,
    });
    cx.goto('user_pages');
  },
  /** iopt_map_user_pages() at the fixed IOVA. */
  user_pages: (cx) => {
    const uptr = Math.floor(cx.l.vaddr / PAGE_SIZE) * PAGE_SIZE;
    const pages = cx.k.add('iopt_pages', (id): IoptPages => ({
      id, type: 'user', file: 0, uptr, mm: cx.l.mm, npages: Math.ceil((cx.l.vaddr - uptr + cx.l.size) / PAGE_SIZE),
      writable: cx.l.write, dmabuf: null,
    }));
    cx.call('iopt_map_pages', {
      ioas: cx.l.ioas, pages, length: cx.l.size, iova: cx.l.iova, fixed: true, read: cx.l.read, write: cx.l.write,
      start_byte: cx.l.vaddr - uptr, addr: cx.l.vaddr, origin: { kind: 'compat' },
    }, 'r', 'out');
  },
  out: (cx) => cx.ret(cx.l.r < 0 ? cx.l.r : 0),
});

interface UnmapDmaLocals {
  readonly [key: string]: Value;
  ictx: number;
  arg: readonly number[];
  argFault: boolean;
  r: number;
}

/** models iommufd_vfio_unmap_dma(). */
export const iommufd_vfio_unmap_dma = path<UnmapDmaLocals>()('iommufd_vfio_unmap_dma', 'entry', {
  entry: (cx) => {
    if (cx.l.argFault || cx.l.arg.length < VFIO_DMA_UNMAP_MINSZ) return cx.ret(-EFAULT);
    const u = decodeStruct(vfio_iommu_type1_dma_unmap, cx.l.arg);
    const flags = u32(u, 'flags');
    if (u32(u, 'argsz') < VFIO_DMA_UNMAP_MINSZ || (flags & ~VFIO_DMA_UNMAP_FLAG_ALL) !== 0) return cx.ret(-EINVAL);
    const io = compatIoas(cx.k, cx.l.ictx);
    if (io < 0) return cx.ret(io);
    const iova = u['iova'] as bigint;
    const size = u['size'] as bigint;
    if (flags & VFIO_DMA_UNMAP_FLAG_ALL) {
      if (iova !== 0n || size !== 0n) return cx.ret(-EINVAL);
      return cx.call('iopt_unmap_iova_range', { ioas: io, start: 0, last: Number.MAX_SAFE_INTEGER, unmapped: 0 }, 'r', 'respond');
    }
    // iopt_unmap_iova(): size 0 → -EINVAL, wrap → -EOVERFLOW (TYPE1v2: no cuts for large pages)
    if (size === 0n) return cx.ret(-EINVAL);
    if (iova + size - 1n > 2n ** 64n - 1n) return cx.ret(-EOVERFLOW);
    if (iova > SAFE) return cx.goto('respond');
    const last = iova + size - 1n > SAFE ? Number.MAX_SAFE_INTEGER : Number(iova + size - 1n);
    cx.call('iopt_unmap_iova_range', { ioas: io, start: Number(iova), last, unmapped: 0 }, 'r', 'respond');
  },
  respond: (cx) => {
    const r = cx.l.r ?? 0;
    const u = decodeStruct(vfio_iommu_type1_dma_unmap, cx.l.arg);
    ucmdRespond(cx, VFIO_DMA_UNMAP_MINSZ, encodeStruct(vfio_iommu_type1_dma_unmap, { ...u, size: r < 0 ? 0 : r }), 'vfio_iommu_type1_dma_unmap');
    cx.ret(r < 0 ? r : 0);
  },
});
