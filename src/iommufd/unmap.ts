/**
 * Unmapping IOVA ranges (drivers/iommu/iommufd/io_pagetable.c
 * iopt_unmap_iova_range, v6.19).
 *
 * Path `iopt_unmap_iova_range` {ioas, start, last}: returns the bytes
 * unmapped or -errno. Area by area, under domains_rwsem (read) and
 * iova_rwsem (write): an area still being mapped (pages NULL) is -EBUSY; an
 * area not wholly inside [start, last] is -ENOENT (no splitting); otherwise
 * the area is unmapped from every domain and removed in one step (the
 * kernel drops iova_rwsem between taking area->pages and unfilling, but
 * domains_rwsem keeps attach out and the area is no longer findable), then
 * its pages are put (a dma-buf is detached and put). In-kernel accesses
 * (num_accesses, num_locks) are not modelled.
 */
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { hex } from '../kernel/events.js';
import { EBUSY, ENOENT } from '../uapi/errno.js';
import { areaIterFirst, unfillArea } from './io-pagetable.js';

interface UnmapLocals {
  readonly [key: string]: Value;
  ioas: number;
  start: number;
  last: number;
  unmapped: number;
  x: number;
}

export const iopt_unmap_iova_range = path<UnmapLocals>()('iopt_unmap_iova_range', 'next', {
  next: (cx) => {
    const io = cx.k.get('ioas', cx.l.ioas);
    const unmapped = cx.l.unmapped ?? 0;
    const area = areaIterFirst(io, cx.l.start, cx.l.last);
    if (area === undefined) return cx.ret(unmapped);
    if (area.pages === 0) return cx.ret(-EBUSY);
    if (area.iova < cx.l.start || area.iova + area.length - 1 > cx.l.last) return cx.ret(-ENOENT);
    const n = unfillArea(cx.k, io.id, area);
    cx.k.mut('ioas', io.id).areas = cx.k.get('ioas', io.id).areas.filter((a) => a.id !== area.id);
    cx.l.unmapped = unmapped + area.length;
    cx.emit('iommu', 'iopt_unmap_iova_range', {
      ioas: io.obj_id, iova: hex(area.iova), length: hex(area.length), entries: n,
    });
    cx.call('iopt_release_pages', { pages: area.pages }, 'x', 'next');
  },
});
