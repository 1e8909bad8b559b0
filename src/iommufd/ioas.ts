/**
 * The IOAS ioctls (drivers/iommu/iommufd/ioas.c, io_pagetable.c, v6.19),
 * each a path with locals {ictx, ucmd (the command struct, zero-extended to
 * the kernel's size), user_size}, its checks in the kernel's order.
 *
 *   IOMMU_IOAS_ALLOC     flags → -EOPNOTSUPP; the new id is copied out
 *   IOMMU_IOAS_MAP       unknown flags or __reserved → -EOPNOTSUPP; iova or
 *                        length ≥ ULONG_MAX → -EOVERFLOW; neither READABLE nor
 *                        WRITEABLE → -EINVAL; bad ioas_id → -ENOENT;
 *                        user_va + length wraps → -EOVERFLOW (B22); then
 *                        iopt_map_pages (map.ts); the IOVA is copied out
 *   IOMMU_IOAS_MAP_FILE  the same flag/overflow/ioas checks; length 0 →
 *                        -EINVAL; start + length - 1 wraps → -EOVERFLOW;
 *                        dma_buf_get(fd): a dma-buf goes through
 *                        iopt_alloc_dmabuf_pages (pages.ts), another file
 *                        becomes file pages, a bad fd is -EBADF
 *   IOMMU_IOAS_UNMAP     bad ioas_id → -ENOENT; iova 0 + length U64_MAX
 *                        unmaps all; else ≥ ULONG_MAX → -EOVERFLOW, length 0
 *                        → -EINVAL, a partly covered area → -ENOENT,
 *                        nothing unmapped → -ENOENT; the length is copied out
 *
 * The model keeps addresses below 2^53: an IOVA, VA or length above that
 * (but below the kernel's limits) is refused with -EOVERFLOW.
 */
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { hex } from '../kernel/events.js';
import { fget } from '../fs/fd.js';
import { isDmaBufFile } from '../dma-buf/export.js';
import { EBADF, EINVAL, ENOENT, EOPNOTSUPP, EOVERFLOW } from '../uapi/errno.js';
import { decodeStruct, encodeStruct, u32 } from '../uapi/codec.js';
import {
  IOMMU_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_WRITEABLE, iommu_ioas_alloc,
  iommu_ioas_map, iommu_ioas_map_file, iommu_ioas_unmap,
} from '../uapi/iommufd.js';
import type { Ioas, IoptPages } from './types.js';
import { PAGE_SIZE, ULONG_MAX } from './io-pagetable.js';
import { getIoas, objAlloc } from './objects.js';
import { ucmdRespond } from './main.js';
import type { UcmdLocals } from './main.js';

const MAP_FLAGS = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

type IoasUcmdLocals = UcmdLocals & { r: number; x: number };

/** models iommufd_ioas_alloc_ioctl(). */
export const iommufd_ioas_alloc_ioctl = path<IoasUcmdLocals>()('iommufd_ioas_alloc_ioctl', 'entry', {
  entry: (cx) => {
    const cmd = decodeStruct(iommu_ioas_alloc, cx.l.ucmd);
    if (u32(cmd, 'flags') !== 0) return cx.ret(-EOPNOTSUPP);
    const id = cx.k.allocId();
    const objId = objAlloc(cx.k, cx.l.ictx, 'ioas', id);
    const row: Ioas = { id, ictx: cx.l.ictx, obj_id: objId, areas: [], hwpts: [], iova_alignment: 1 };
    cx.k.set('ioas', id, row);
    cx.emit('iommu', 'iommufd_ioas_alloc', { ictx: cx.l.ictx, ioas_id: objId });
    ucmdRespond(cx, cx.l.user_size, encodeStruct(iommu_ioas_alloc, { ...cmd, out_ioas_id: objId }), 'iommu_ioas_alloc');
    cx.ret(0);
  },
});

type MapLocals = IoasUcmdLocals & {
  ioas: number;
  pages: number;
  file: number;
  iova: number;
  length: number;
  start: number;
  fixed: boolean;
};

function mapChecks(cmd: Readonly<Record<string, number | bigint>>, reserved: boolean): number {
  const flags = u32(cmd, 'flags');
  if ((flags & ~MAP_FLAGS) !== 0 || (reserved && u32(cmd, '__reserved') !== 0)) return -EOPNOTSUPP;
  if ((cmd['iova'] as bigint) >= ULONG_MAX || (cmd['length'] as bigint) >= ULONG_MAX) return -EOVERFLOW;
  if (!(flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE))) return -EINVAL;
  return 0;
}

function mapArgs(cx: { l: MapLocals }, flags: number): { [key: string]: Value } {
  return {
    ioas: cx.l.ioas, pages: cx.l.pages, length: cx.l.length, iova: cx.l.iova,
    fixed: (flags & IOMMU_IOAS_MAP_FIXED_IOVA) !== 0,
    read: (flags & IOMMU_IOAS_MAP_READABLE) !== 0, write: (flags & IOMMU_IOAS_MAP_WRITEABLE) !== 0,
  };
}

/** models iommufd_ioas_map() → iopt_map_user_pages(). */
export const iommufd_ioas_map = path<MapLocals>()('iommufd_ioas_map', 'entry', {
  entry: (cx) => {
    const cmd = decodeStruct(iommu_ioas_map, cx.l.ucmd);
    const chk = mapChecks(cmd, true);
    if (chk < 0) return cx.ret(chk);
    const ioas = getIoas(cx.k, cx.l.ictx, u32(cmd, 'ioas_id'));
    if (ioas < 0) return cx.ret(ioas);
    const uva = cmd['user_va'] as bigint;
    const len = cmd['length'] as bigint;
    // iopt_alloc_user_pages(): check_add_overflow(uptr, length) (B22 "Check for uptr overflow")
    if (uva + len > ULONG_MAX) return cx.ret(-EOVERFLOW);
    // iopt_alloc_pages(): length 0 or > SIZE_MAX - PAGE_SIZE
    if (len === 0n || len > ULONG_MAX - 4096n) return cx.ret(-EINVAL);
    if (uva + len > SAFE || (cmd['iova'] as bigint) > SAFE) return cx.ret(-EOVERFLOW);
    const flags = u32(cmd, 'flags');
    const va = Number(uva);
    const uptr = Math.floor(va / PAGE_SIZE) * PAGE_SIZE;
    cx.l.ioas = ioas;
    cx.l.length = Number(len);
    cx.l.iova = Number(cmd['iova'] as bigint);
    cx.l.pages = cx.k.add('iopt_pages', (id): IoptPages => ({
      id, type: 'user', file: 0, uptr, mm: cx.k.get('processes', cx.pid).mm,
      npages: Math.ceil((va - uptr + cx.l.length) / PAGE_SIZE), writable: (flags & IOMMU_IOAS_MAP_WRITEABLE) !== 0,
      dmabuf: null,
    }));
    cx.call('iopt_map_pages', {
      ...mapArgs(cx, flags), start_byte: va - uptr, addr: va, origin: { kind: 'ioas_map' },
    }, 'r', 'respond');
  },
  respond: (cx) => {
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const cmd = decodeStruct(iommu_ioas_map, cx.l.ucmd);
    ucmdRespond(cx, cx.l.user_size, encodeStruct(iommu_ioas_map, { ...cmd, iova: cx.l.r }), 'iommu_ioas_map');
    cx.ret(0);
  },
});

/** models iommufd_ioas_map_file() → iopt_map_file_pages(). */
export const iommufd_ioas_map_file = path<MapLocals>()('iommufd_ioas_map_file', 'entry', {
  entry: (cx) => {
    const cmd = decodeStruct(iommu_ioas_map_file, cx.l.ucmd);
    const chk = mapChecks(cmd, false);
    if (chk < 0) return cx.ret(chk);
    const ioas = getIoas(cx.k, cx.l.ictx, u32(cmd, 'ioas_id'));
    if (ioas < 0) return cx.ret(ioas);
    const len = cmd['length'] as bigint;
    const start = cmd['start'] as bigint;
    if (len === 0n) return cx.ret(-EINVAL);
    if (start + len - 1n > ULONG_MAX) return cx.ret(-EOVERFLOW);
    if (start + len > SAFE || (cmd['iova'] as bigint) > SAFE) return cx.ret(-EOVERFLOW);
    cx.l.ioas = ioas;
    cx.l.length = Number(len);
    cx.l.start = Number(start);
    cx.l.iova = Number(cmd['iova'] as bigint);
    // dma_buf_get(fd), else fget(fd): both a counted reference.
    const fd = u32(cmd, 'fd') | 0;
    const file = fd < 0 ? 0 : fget(cx.k, cx.pid, fd, cx.tid);
    if (file === 0) return cx.ret(-EBADF);
    cx.l.file = file;
    const flags = u32(cmd, 'flags');
    const writable = (flags & IOMMU_IOAS_MAP_WRITEABLE) !== 0;
    if (isDmaBufFile(cx.k, file)) {
      const dmabuf = cx.k.get('files', file).private_data;
      return cx.call('iopt_alloc_dmabuf_pages', {
        ictx: cx.l.ictx, file, dmabuf, start: cx.l.start, length: cx.l.length, writable,
      }, 'r', 'dmabuf_pages');
    }
    // iopt_alloc_file_pages(): pages->file = get_file(file); the fget reference is put after.
    const startByte = cx.l.start % PAGE_SIZE;
    cx.l.pages = cx.k.add('iopt_pages', (id): IoptPages => ({
      id, type: 'file', file, uptr: 0, mm: 0, npages: Math.ceil((cx.l.length + startByte) / PAGE_SIZE), writable,
      dmabuf: null,
    }));
    cx.goto('map');
  },
  dmabuf_pages: (cx) => {
    if (cx.l.r < 0) return cx.call('fput', { file: cx.l.file }, 'x', 'out'); // dma_buf_put()
    cx.l.pages = cx.l.r;
    cx.goto('map');
  },
  map: (cx) => {
    const cmd = decodeStruct(iommu_ioas_map_file, cx.l.ucmd);
    cx.call('iopt_map_pages', {
      ...mapArgs(cx, u32(cmd, 'flags')), start_byte: cx.l.start % PAGE_SIZE, addr: cx.l.start,
      origin: { kind: 'map_file' },
    }, 'r', 'respond');
  },
  respond: (cx) => {
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const cmd = decodeStruct(iommu_ioas_map_file, cx.l.ucmd);
    ucmdRespond(cx, cx.l.user_size, encodeStruct(iommu_ioas_map_file, { ...cmd, iova: cx.l.r }), 'iommu_ioas_map_file');
    cx.ret(0);
  },
  out: (cx) => cx.ret(cx.l.r),
});

/** models iommufd_ioas_unmap(). */
export const iommufd_ioas_unmap = path<IoasUcmdLocals & { ioas: number }>()('iommufd_ioas_unmap', 'entry', {
  entry: (cx) => {
    const cmd = decodeStruct(iommu_ioas_unmap, cx.l.ucmd);
    const ioas = getIoas(cx.k, cx.l.ictx, u32(cmd, 'ioas_id'));
    if (ioas < 0) return cx.ret(ioas);
    cx.l.ioas = ioas;
    const iova = cmd['iova'] as bigint;
    const len = cmd['length'] as bigint;
    if (iova === 0n && len === ULONG_MAX) {
      return cx.call('iopt_unmap_iova_range', { ioas, start: 0, last: Number.MAX_SAFE_INTEGER, unmapped: 0 }, 'r', 'respond');
    }
    if (iova >= ULONG_MAX || len >= ULONG_MAX) return cx.ret(-EOVERFLOW);
    // iopt_unmap_iova()
    if (len === 0n) return cx.ret(-EINVAL);
    if (iova + len - 1n > ULONG_MAX) return cx.ret(-EOVERFLOW);
    const last = iova + len - 1n > SAFE ? Number.MAX_SAFE_INTEGER : Number(iova + len - 1n);
    if (iova > SAFE) return cx.ret(-ENOENT); // nothing can be mapped up there in the model
    cx.call('iopt_unmap_iova_range', { ioas, start: Number(iova), last, unmapped: 0 }, 'r', 'check');
  },
  check: (cx) => {
    if (cx.l.r === 0) return cx.ret(-ENOENT);
    cx.goto('respond');
  },
  respond: (cx) => {
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const cmd = decodeStruct(iommu_ioas_unmap, cx.l.ucmd);
    cx.emit('iommu', 'iommufd_ioas_unmap', { ioas_id: u32(cmd, 'ioas_id'), unmapped: hex(cx.l.r) });
    ucmdRespond(cx, cx.l.user_size, encodeStruct(iommu_ioas_unmap, { ...cmd, length: cx.l.r }), 'iommu_ioas_unmap');
    cx.ret(0);
  },
});
