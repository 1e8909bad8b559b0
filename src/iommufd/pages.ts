/**
 * struct iopt_pages and where their PFNs come from (drivers/iommu/iommufd/
 * pages.c, v6.19): user memory pinned with GUP, a file, or a dma-buf through
 * vfio-pci's private interconnect, and the dma-buf importer's revoke.
 *
 * User and file pages are pinned only when a domain needs them
 * (pfn_reader_user_pin → pin_user_pages_fast/remote with FOLL_LONGTERM, or
 * memfd_pin_folios). The model has neither anonymous memory nor memfds:
 * GUP refuses VM_IO|VM_PFNMAP (a VFIO BAR mmap) with -EFAULT, any other
 * VMA is reported as not modelled and fails the same way, and a file that
 * is not a dma-buf fails memfd_pin_folios with -EINVAL.
 */
import type { Kernel } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { hex } from '../kernel/events.js';
import { EFAULT, EINVAL, EOPNOTSUPP } from '../uapi/errno.js';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE, vmFlagsHas } from '../mm/types.js';
import { vmaLookup } from '../mm/mm.js';
import { VFIO_IOMMUFD_MAP } from '../dma-buf/importer.js';
import type { Importer } from '../dma-buf/types.js';
import { PAGE_SIZE, pagesRevoked, unmapAreaFromHwpt } from './io-pagetable.js';
import type { IoptPages } from './types.js';

/** The name of iommufd_global_device() as an importer row. */
export const IOMMUFD_GLOBAL_DEVICE = 'iommufd_global_device';

/** iommufd_global_device(): the one pseudo device every iommufd dma-buf attachment uses (allow_peer2peer). */
export function iommufdGlobalImporter(k: Kernel): number {
  for (const id of k.ids('importers')) {
    const i = k.get('importers', id);
    if (i.name === IOMMUFD_GLOBAL_DEVICE && i.kind === 'iommufd') return id;
  }
  return k.add('importers', (id): Importer => ({ id, name: IOMMUFD_GLOBAL_DEVICE, kind: 'iommufd', peer2peer: true }));
}

/**
 * Why pinning user pages for a domain fails (check_vma_flags of the GUP
 * slow path, after GUP-fast gave up on special leaves), or '' if it would
 * not (never in the model: see the file comment). Caller holds mmap_lock.
 */
export function userPinFailure(k: Kernel, mm: number, uptr: number, npages: number, write: boolean): string {
  const m = k.get('mms', mm);
  for (let i = 0; i < npages; i++) {
    const v = vmaLookup(m, uptr + i * PAGE_SIZE);
    if (v === undefined) return 'no vma';
    if (vmFlagsHas(v.vm_flags, VM_IO) || vmFlagsHas(v.vm_flags, VM_PFNMAP)) return 'check_vma_flags: VM_IO|VM_PFNMAP';
    if (write ? !vmFlagsHas(v.vm_flags, VM_WRITE) : !vmFlagsHas(v.vm_flags, VM_READ)) return 'check_vma_flags: access';
  }
  return 'ordinary memory is not modelled';
}

/** The errno pinning fails with for user/file pages (see userPinFailure). */
export function pinErrno(pages: IoptPages): number {
  return pages.type === 'user' ? -EFAULT : -EINVAL;
}

interface AllocLocals {
  readonly [key: string]: Value;
  ictx: number;
  file: number;
  dmabuf: number;
  start: number;
  length: number;
  writable: boolean;
  pages: number;
  attach: number;
  resv: number;
  r: number;
  x: number;
}

/**
 * models iopt_alloc_dmabuf_pages() + iopt_map_dmabuf(): the range must lie
 * inside the buffer (-EINVAL); dynamic attach of iommufd's global device
 * (allow_peer2peer, move_notify = iopt_revoke_notify); under the dma-buf's
 * resv, vfio-pci's private interconnect hands over exactly one physical
 * range (vfio_pci_dma_buf_iommufd_map: -EOPNOTSUPP for a foreign or
 * multi-range buffer, -ENODEV when revoked). Returns the iopt_pages id or
 * -errno; on failure the caller still owns the file reference (dma_buf_put).
 */
export const iopt_alloc_dmabuf_pages = path<AllocLocals>()('iopt_alloc_dmabuf_pages', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    if (d.size <= cx.l.start + cx.l.length - 1 || cx.l.length / PAGE_SIZE >= 2 ** 32 - 1) return cx.ret(-EINVAL);
    // iopt_alloc_pages(): length > SIZE_MAX - PAGE_SIZE or 0 is -EINVAL (length is non-zero here)
    const startByte = cx.l.start % PAGE_SIZE;
    cx.l.pages = cx.k.add('iopt_pages', (id): IoptPages => ({
      id, type: 'dmabuf', file: 0, uptr: 0, mm: 0, npages: Math.ceil((cx.l.length + startByte) / PAGE_SIZE),
      writable: cx.l.writable,
      dmabuf: { dmabuf: d.id, file: cx.l.file, attach: 0, start: cx.l.start - startByte, phys: { paddr: 0, len: 0 }, tracker: [] },
    }));
    cx.call('dma_buf_dynamic_attach', { dmabuf: d.id, importer: iommufdGlobalImporter(cx.k) }, 'r', 'attached');
  },
  attached: (cx) => {
    if (cx.l.r < 0) return cx.goto('failed');
    cx.l.attach = cx.l.r;
    cx.goto('resv_lock');
  },
  /** dma_resv_lock(); sym_vfio_pci_dma_buf_iommufd_map() (symbol_get: -EOPNOTSUPP without vfio-pci). */
  resv_lock: (cx) => {
    const resv = cx.k.get('dmabufs', cx.l.dmabuf).resv;
    if (!cx.lock(resv, 'write')) return;
    cx.l.resv = resv;
    if (!cx.k.design.paths.has(VFIO_IOMMUFD_MAP)) {
      cx.l.r = -EOPNOTSUPP;
      return cx.goto('resv_unlock');
    }
    cx.call(VFIO_IOMMUFD_MAP, { attach: cx.l.attach }, 'r', 'resv_unlock');
  },
  resv_unlock: (cx) => {
    cx.unlock(cx.l.resv);
    if (cx.l.r < 0) return cx.call('dma_buf_detach', { attach: cx.l.attach }, 'x', 'failed');
    const phys = cx.k.get('attachments', cx.l.attach).mapped?.[0] ?? { paddr: 0, len: 0 };
    const p = cx.k.get('iopt_pages', cx.l.pages);
    if (p.dmabuf !== null) cx.k.mut('iopt_pages', p.id).dmabuf = { ...p.dmabuf, attach: cx.l.attach, phys };
    cx.emit('iommu', 'iopt_map_dmabuf', {
      dmabuf: cx.l.dmabuf, attach: cx.l.attach, phys: `${hex(phys.paddr)}+${hex(phys.len)}`,
    });
    cx.ret(cx.l.pages);
  },
  failed: (cx) => {
    cx.emit('iommu', 'iopt_map_dmabuf', { dmabuf: cx.l.dmabuf, ret: cx.l.r });
    cx.k.remove('iopt_pages', cx.l.pages);
    cx.ret(cx.l.r);
  },
});

interface ReleaseLocals {
  readonly [key: string]: Value;
  pages: number;
  x: number;
}

/** models iopt_release_pages(): a dma-buf's attachment is detached and the buffer put. */
export const iopt_release_pages = path<ReleaseLocals>()('iopt_release_pages', 'entry', {
  entry: (cx) => {
    const p = cx.k.get('iopt_pages', cx.l.pages);
    if (p.type === 'file') return cx.call('fput', { file: p.file }, 'x', 'free');
    if (p.dmabuf === null || p.dmabuf.attach === 0) return cx.goto('free');
    const a = cx.k.find('attachments', p.dmabuf.attach);
    // The private interconnect has no unmap: the phys range is simply forgotten.
    if (a !== undefined && a.mapped !== null) cx.k.mut('attachments', a.id).mapped = null;
    cx.call('dma_buf_detach', { attach: p.dmabuf.attach }, 'x', 'put');
  },
  put: (cx) => {
    const p = cx.k.get('iopt_pages', cx.l.pages);
    cx.call('fput', { file: p.dmabuf?.file ?? 0 }, 'x', 'free'); // dma_buf_put()
  },
  free: (cx) => {
    cx.k.remove('iopt_pages', cx.l.pages);
    cx.ret(0);
  },
});

interface NotifyLocals {
  readonly [key: string]: Value;
  attach: number;
  x: number;
}

/**
 * models iopt_revoke_notify(), the move_notify of iommufd's dma-buf
 * attachments, run by dma_buf_move_notify() under the exporter's resv:
 * under pages->mutex, unless already revoked, unmap every tracked
 * (area, domain) pair from the IOMMU and set phys.len = 0. Nothing sets it
 * back: a later un-revoke (move_notify again) finds the pages revoked and
 * returns, so the mapping stays dead until user space unmaps it (v6.19).
 * An attachment that no iopt_pages owns (the importer model's stand-alone
 * iommufd importer, src/dma-buf/importer.ts) just drops its mapping.
 */
export const iopt_revoke_notify = path<NotifyLocals>()('iopt_revoke_notify', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const pagesId = cx.k.ids('iopt_pages').find((id) => cx.k.get('iopt_pages', id).dmabuf?.attach === a.id);
    const importer = cx.k.get('importers', a.importer).name;
    if (pagesId === undefined) {
      cx.emit('dmabuf', 'move_notify', { attach: a.id, importer, reaction: a.mapped ? 'iommu-unmap' : 'none' });
      if (a.mapped !== null) cx.k.mut('attachments', a.id).mapped = null;
      return cx.ret(0);
    }
    const p = cx.k.get('iopt_pages', pagesId);
    if (p.dmabuf === null || pagesRevoked(p)) {
      cx.emit('dmabuf', 'move_notify', { attach: a.id, importer, reaction: 'none (already revoked)' });
      return cx.ret(0);
    }
    let n = 0;
    for (const t of p.dmabuf.tracker) n += unmapAreaFromHwpt(cx.k, t.hwpt, t.area);
    cx.k.mut('iopt_pages', p.id).dmabuf = { ...p.dmabuf, phys: { ...p.dmabuf.phys, len: 0 } };
    if (a.mapped !== null) cx.k.mut('attachments', a.id).mapped = null;
    cx.emit('dmabuf', 'move_notify', { attach: a.id, importer, reaction: 'iommu-unmap' });
    cx.emit('iommu', 'iopt_revoke_notify', { pages: p.id, dmabuf: p.dmabuf.dmabuf, domains: p.dmabuf.tracker.length, entries: n });
    cx.ret(0);
  },
});
