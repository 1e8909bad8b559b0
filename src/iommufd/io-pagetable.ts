/**
 * The io_pagetable's IOVA bookkeeping and the IOMMU page-table contents
 * (drivers/iommu/iommufd/io_pagetable.c, pages.c, v6.19), as pure helpers
 * over rows. The paths (map.ts, unmap.ts, device.ts) call them inside the
 * atomic step that stands for the kernel's critical section: iova_rwsem
 * write for area insert/remove, domains_rwsem plus pages->mutex for filling
 * and unfilling domains. Revoke (pages.ts) is the other pages->mutex
 * section, so fill and revoke can never interleave inside one.
 */
import type { Kernel } from '../kernel/kernel.js';
import { EEXIST, EINVAL, ENOSPC, EOVERFLOW } from '../uapi/errno.js';
import type { Hwpt, IommuEntry, Ioas, IoptArea, IoptPages } from './types.js';

export const PAGE_SIZE = 4096;
/** HPAGE_SIZE with CONFIG_TRANSPARENT_HUGEPAGE on x86_64/arm64 4K: iopt_alloc_iova's alignment cap. */
export const HPAGE_SIZE = 2 * 2 ** 20;
/** The highest IOVA the model allocates: a 48-bit IOMMU aperture (reserved regions are not modelled). */
export const IOVA_LAST = 2 ** 48 - 1;
/** ULONG_MAX as the exact bigint the ioctls compare u64 fields against. */
export const ULONG_MAX = 2n ** 64n - 1n;

function roundupPowOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** 1UL << __ffs64(addr): the largest power of two dividing addr (addr > 0). */
function lowestBit(addr: number): number {
  let p = 1;
  while (addr % (p * 2) === 0 && p < 2 ** 52) p *= 2;
  return p;
}

/** The first area intersecting [iova, last], in iova order. */
export function areaIterFirst(ioas: Ioas, iova: number, last: number): IoptArea | undefined {
  return ioas.areas.find((a) => a.iova <= last && a.iova + a.length - 1 >= iova);
}

/**
 * models iopt_alloc_iova(): the lowest free IOVA from PAGE_SIZE up, aligned
 * to min(roundup_pow_of_two(length), lowest set bit of addr) capped at
 * HPAGE_SIZE, keeping addr's offset in its page. Returns the IOVA or -errno.
 */
export function iopt_alloc_iova(ioas: Ioas, addr: number, length: number): number {
  if (length === 0 || length >= 2 ** 63) return -EOVERFLOW;
  const pageOffset = addr % PAGE_SIZE;
  let align = addr === 0 ? roundupPowOfTwo(length) : Math.min(roundupPowOfTwo(length), lowestBit(addr));
  if (align >= HPAGE_SIZE) align = HPAGE_SIZE;
  if (align < ioas.iova_alignment) return -EINVAL;
  const fits = (lo: number, hi: number): number | null => {
    const start = Math.ceil(lo / align) * align + pageOffset;
    return start < hi && hi - start >= length - 1 ? start : null;
  };
  let lo = PAGE_SIZE;
  for (const a of [...ioas.areas].sort((x, y) => x.iova - y.iova)) {
    if (a.iova > lo) {
      const got = fits(lo, a.iova - 1);
      if (got !== null) return got;
    }
    lo = Math.max(lo, a.iova + a.length);
  }
  return fits(lo, IOVA_LAST) ?? -ENOSPC;
}

/** models iopt_check_iova(): alignment (-EINVAL), wrap (-EOVERFLOW), an existing area (-EEXIST). */
export function iopt_check_iova(ioas: Ioas, iova: number, length: number): number {
  if (iova % ioas.iova_alignment !== 0) return -EINVAL;
  if (iova + length - 1 > Number(ULONG_MAX)) return -EOVERFLOW;
  if (areaIterFirst(ioas, iova, iova + length - 1) !== undefined) return -EEXIST;
  return 0;
}

/** Replace an area of an IOAS (areas are immutable rows inside the ioas). */
export function setArea(k: Kernel, ioas: number, area: IoptArea): void {
  const io = k.get('ioas', ioas);
  k.mut('ioas', ioas).areas = io.areas.map((a) => (a.id === area.id ? area : a));
}

export function findArea(k: Kernel, ioas: number, area: number): IoptArea | undefined {
  return k.find('ioas', ioas)?.areas.find((a) => a.id === area);
}

/** Whether a dma-buf backed iopt_pages has been revoked (iopt_dmabuf_revoked: phys.len == 0). */
export function pagesRevoked(pages: IoptPages): boolean {
  return pages.type === 'dmabuf' && pages.dmabuf !== null && pages.dmabuf.phys.len === 0;
}

/**
 * What an area maps in a domain (batch_to_domain of the pfn_reader's
 * batch): for dma-buf pages, the slice [start, start + length) of the one
 * physical range (pfn_reader_fill_dmabuf). User and file pages are never
 * pinned in the model (see pages.ts), so they map nothing.
 */
export function areaEntries(area: IoptArea, pages: IoptPages): IommuEntry[] {
  if (pages.dmabuf === null || pagesRevoked(pages)) return [];
  const off = pages.dmabuf.start + area.start_byte;
  return [{
    iova: area.iova, len: area.length, paddr: pages.dmabuf.phys.paddr + off,
    read: area.read, write: area.write, area: area.id, dmabuf: pages.dmabuf.dmabuf,
  }];
}

/** iommu_map() of an area's entries into a domain. */
export function mapIntoHwpt(k: Kernel, hwpt: number, entries: readonly IommuEntry[]): void {
  if (entries.length === 0) return;
  const h = k.get('hwpts', hwpt);
  k.mut('hwpts', hwpt).entries = [...h.entries, ...entries].sort((a, b) => a.iova - b.iova);
}

/** iommu_unmap() of everything an area put into a domain; returns the number of entries removed. */
export function unmapAreaFromHwpt(k: Kernel, hwpt: number, area: number): number {
  const h = k.find('hwpts', hwpt);
  if (h === undefined) return 0;
  const keep = h.entries.filter((e) => e.area !== area);
  if (keep.length !== h.entries.length) k.mut('hwpts', hwpt).entries = keep;
  return h.entries.length - keep.length;
}

/** The domain rows of an IOAS. */
export function ioasHwpts(k: Kernel, ioas: number): Hwpt[] {
  return k.get('ioas', ioas).hwpts.map((h) => k.get('hwpts', h));
}

/**
 * models iopt_area_fill_domains() for dma-buf pages: track every domain
 * (iopt_dmabuf_track_all_domains) and, unless revoked, map the range into
 * each. Runs inside one step: domains_rwsem read and pages->mutex held.
 */
export function fillDmabufArea(k: Kernel, ioas: number, area: IoptArea, pagesId: number): number {
  const pages = k.get('iopt_pages', pagesId);
  if (pages.dmabuf === null) return 0;
  let n = 0;
  const tracker = [...pages.dmabuf.tracker];
  for (const h of k.get('ioas', ioas).hwpts) {
    tracker.push({ area: area.id, hwpt: h });
    const entries = areaEntries(area, pages);
    mapIntoHwpt(k, h, entries);
    n += entries.length;
  }
  k.mut('iopt_pages', pagesId).dmabuf = { ...pages.dmabuf, tracker };
  return n;
}

/**
 * models iopt_area_unfill_domains(): unmap the area from every domain (a
 * revoked dma-buf has nothing mapped) and untrack it.
 */
export function unfillArea(k: Kernel, ioas: number, area: IoptArea): number {
  let n = 0;
  for (const h of k.get('ioas', ioas).hwpts) n += unmapAreaFromHwpt(k, h, area.id);
  if (area.pages !== 0) {
    const pages = k.get('iopt_pages', area.pages);
    if (pages.dmabuf !== null) {
      k.mut('iopt_pages', pages.id).dmabuf = {
        ...pages.dmabuf, tracker: pages.dmabuf.tracker.filter((t) => t.area !== area.id),
      };
    }
  }
  return n;
}
