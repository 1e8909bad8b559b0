/**
 * Mapping pages into an IOAS (drivers/iommu/iommufd/io_pagetable.c
 * iopt_map_pages, iopt_alloc_area_pages, iopt_fill_domains_pages, v6.19).
 *
 * Path `iopt_map_pages` {ioas, pages, length, iova, fixed, read, write,
 * start_byte, addr, origin}: the pages reference moves in; returns the IOVA
 * or -errno (and then the pages are put, as iopt_map_common does).
 *   alloc_area  under iova_rwsem (write): length aligned and non-zero
 *               (-EINVAL); allocate an IOVA (iopt_alloc_iova) or check the
 *               fixed one (iopt_check_iova: -EINVAL / -EOVERFLOW / -EEXIST);
 *               insert the area with pages NULL, so the IOVA is reserved;
 *   fill        under domains_rwsem (read) and pages->mutex: for dma-buf
 *               pages track every domain and, unless revoked, map the range;
 *               user/file pages must be pinned first (pin); then area->pages
 *               is set (the map is visible to unmap);
 *   pin         GUP under mmap_lock (read): refused, see pages.ts.
 * With no domain attached nothing is pinned or mapped (a lazy reference):
 * the pin happens when a device attaches (device.ts).
 */
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { hex } from '../kernel/events.js';
import { EINVAL, EPERM } from '../uapi/errno.js';
import type { AreaOrigin, IoptArea } from './types.js';
import { fillDmabufArea, iopt_alloc_iova, iopt_check_iova, setArea } from './io-pagetable.js';
import { pinErrno, userPinFailure } from './pages.js';

interface MapLocals {
  readonly [key: string]: Value;
  ioas: number;
  pages: number;
  length: number;
  iova: number;
  fixed: boolean;
  read: boolean;
  write: boolean;
  start_byte: number;
  /** The address the IOVA alignment is guessed from (user VA or file offset). */
  addr: number;
  origin: AreaOrigin;
  area: number;
  mm: number;
  r: number;
  x: number;
}

export const iopt_map_pages = path<MapLocals>()('iopt_map_pages', 'alloc_area', {
  /** iopt_alloc_area_pages(): the IOVA range is reserved by an area whose pages are still NULL. */
  alloc_area: (cx) => {
    const io = cx.k.get('ioas', cx.l.ioas);
    const align = io.iova_alignment;
    if (cx.l.length % align !== 0 || cx.l.length === 0) {
      cx.l.r = -EINVAL;
      return cx.goto('abort');
    }
    const iova = cx.l.fixed ? cx.l.iova : iopt_alloc_iova(io, cx.l.addr, cx.l.length);
    const rc = cx.l.fixed ? iopt_check_iova(io, iova, cx.l.length) : Math.min(iova, 0);
    if (rc < 0) {
      cx.l.r = rc;
      return cx.goto('abort');
    }
    // iopt_insert_area(): a writable mapping needs writable pages; the page offset must be aligned too.
    const pages = cx.k.get('iopt_pages', cx.l.pages);
    if (cx.l.write && !pages.writable) {
      cx.l.r = -EPERM;
      return cx.goto('abort');
    }
    if ((cx.l.start_byte % PAGE) % align !== 0) {
      cx.l.r = -EINVAL;
      return cx.goto('abort');
    }
    const id = cx.k.allocId();
    const area: IoptArea = {
      id, iova, length: cx.l.length, read: cx.l.read, write: cx.l.write, pages: 0,
      start_byte: cx.l.start_byte, origin: cx.l.origin,
    };
    cx.k.mut('ioas', io.id).areas = [...io.areas, area].sort((a, b) => a.iova - b.iova);
    cx.l.area = id;
    cx.l.iova = iova;
    cx.goto('fill');
  },
  /** iopt_fill_domains_pages() then area->pages = pages, inside domains_rwsem (read). */
  fill: (cx) => {
    const io = cx.k.get('ioas', cx.l.ioas);
    const area = io.areas.find((a) => a.id === cx.l.area)!;
    const pages = cx.k.get('iopt_pages', cx.l.pages);
    if (pages.type !== 'dmabuf' && io.hwpts.length > 0) return cx.goto('pin');
    const n = pages.type === 'dmabuf' ? fillDmabufArea(cx.k, io.id, area, pages.id) : 0;
    setArea(cx.k, io.id, { ...area, pages: pages.id });
    cx.emit('iommu', 'iopt_map_pages', {
      ioas: io.obj_id, iova: hex(area.iova), length: hex(area.length), pages: pages.type,
      domains: io.hwpts.length, entries: n,
      ...(pages.dmabuf && pages.dmabuf.phys.len === 0 ? { revoked: true } : {}),
    });
    cx.ret(cx.l.iova);
  },
  /** pfn_reader_user_pin(): pin_user_pages_fast() under the caller's mm (memfd_pin_folios for a file). */
  pin: (cx) => {
    const pages = cx.k.get('iopt_pages', cx.l.pages);
    if (pages.type === 'file') {
      cx.l.r = pinErrno(pages);
      cx.emit('gup', 'memfd_pin_folios', { result: 'EINVAL', why: 'not a memfd' });
      return cx.goto('abort_area');
    }
    const lock = cx.k.get('mms', pages.mm).mmap_lock;
    if (!cx.lock(lock, 'read')) return;
    const why = userPinFailure(cx.k, pages.mm, pages.uptr, pages.npages, pages.writable);
    cx.unlock(lock);
    if (why === 'ordinary memory is not modelled') cx.emit('warn', 'pin_user_pages_fast', { report: why, addr: hex(pages.uptr) });
    cx.emit('gup', 'pin_user_pages_fast', { addr: hex(pages.uptr), pages: pages.npages, result: '-EFAULT', why });
    cx.l.r = pinErrno(pages);
    cx.goto('abort_area');
  },
  /** iopt_abort_area(): take the reserved IOVA range back. */
  abort_area: (cx) => {
    const io = cx.k.get('ioas', cx.l.ioas);
    cx.k.mut('ioas', io.id).areas = io.areas.filter((a) => a.id !== cx.l.area);
    cx.goto('abort');
  },
  /** iopt_put_pages(): the map's reference was the only one. */
  abort: (cx) => {
    cx.emit('iommu', 'iopt_map_pages', { ioas: cx.k.get('ioas', cx.l.ioas).obj_id, ret: cx.l.r });
    cx.call('iopt_release_pages', { pages: cx.l.pages }, 'x', 'out');
  },
  out: (cx) => cx.ret(cx.l.r),
});

const PAGE = 4096;
