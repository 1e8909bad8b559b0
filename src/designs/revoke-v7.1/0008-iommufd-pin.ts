/**
 * v7.1 revoke series 8/8, "iommufd: Add dma_buf_pin()"
 * (<20260130-dmabuf-revoke-v6-8-06278f9b7bf0@nvidia.com>): iommufd pins its
 * attachment (dma_buf_pin) under the resv before it asks vfio-pci's private
 * interconnect for the physical range, and unpins when the pages are
 * released. Its invalidate callback (iopt_revoke_notify) already stops the
 * IOMMU's access, so the pin is allowed (7/8). Both ways the model imports
 * through iommufd change: IOMMU_IOAS_MAP_FILE (iopt_alloc_dmabuf_pages /
 * iopt_release_pages) and the stand-alone iommufd importer
 * (dmabuf_importer_map; its unmap already unpins a pinned attachment).
 */
import { VFIO_IOMMUFD_MAP, dmabuf_importer_map } from '../../dma-buf/importer.js';
import { iopt_alloc_dmabuf_pages, iopt_release_pages } from '../../iommufd/pages.js';
import { EBUSY, EINVAL, EOPNOTSUPP } from '../../uapi/errno.js';
import { patch, patchPath } from '../patch.js';

export const iommufdPin = patch(
  'iommufd: Add dma_buf_pin()',
  'v7.1 revoke 8/8, <20260130-dmabuf-revoke-v6-8-06278f9b7bf0@nvidia.com>',
  // IOMMU_IOAS_MAP_FILE: resv, dma_buf_pin, then the private interconnect; unpin if it fails.
  patchPath(iopt_alloc_dmabuf_pages)
    .add('mapped', (cx) => {
      if (cx.l.r >= 0) return cx.goto('resv_unlock');
      cx.call('dma_buf_unpin', { attach: cx.l.attach }, 'x', 'resv_unlock');
    })
    .add('pinned', (cx) => {
      if (cx.l.r < 0) return cx.goto('resv_unlock');
      if (!cx.k.design.paths.has(VFIO_IOMMUFD_MAP)) {
        cx.l.r = -EOPNOTSUPP;
        return cx.call('dma_buf_unpin', { attach: cx.l.attach }, 'x', 'resv_unlock');
      }
      cx.call(VFIO_IOMMUFD_MAP, { attach: cx.l.attach }, 'r', 'mapped');
    })
    .replace('resv_lock', (cx) => {
      const resv = cx.k.get('dmabufs', cx.l.dmabuf).resv;
      if (!cx.lock(resv, 'write')) return;
      cx.l.resv = resv;
      cx.call('dma_buf_pin', { attach: cx.l.attach }, 'r', 'pinned');
    }),
  // iopt_release_pages(): dma_buf_unpin under the resv before the detach.
  patchPath(iopt_release_pages).locals<{ resv: number }>()
    .add('unpinned', (cx) => {
      cx.unlock(cx.l.resv);
      const p = cx.k.get('iopt_pages', cx.l.pages);
      cx.call('dma_buf_detach', { attach: p.dmabuf!.attach }, 'x', 'put');
    })
    .add('unpin', (cx) => {
      const p = cx.k.get('iopt_pages', cx.l.pages);
      const resv = cx.k.get('dmabufs', p.dmabuf!.dmabuf).resv;
      if (!cx.lock(resv, 'write')) return;
      cx.l.resv = resv;
      cx.call('dma_buf_unpin', { attach: p.dmabuf!.attach }, 'x', 'unpinned');
    })
    .replace('entry', (cx) => {
      const p = cx.k.get('iopt_pages', cx.l.pages);
      if (p.type === 'file') return cx.call('fput', { file: p.file }, 'x', 'free');
      if (p.dmabuf === null || p.dmabuf.attach === 0) return cx.goto('free');
      const a = cx.k.find('attachments', p.dmabuf.attach);
      if (a !== undefined && a.mapped !== null) cx.k.mut('attachments', a.id).mapped = null;
      if (a !== undefined && a.pinned) return cx.goto('unpin');
      cx.call('dma_buf_detach', { attach: p.dmabuf.attach }, 'x', 'put');
    }),
  // The stand-alone iommufd importer: pin, then the private interconnect (pinned_mapped unpins on failure).
  patchPath(dmabuf_importer_map)
    .add('iommufd_pinned', (cx) => {
      if (cx.l.r < 0) return cx.goto('unlock');
      if (!cx.k.design.paths.has(VFIO_IOMMUFD_MAP)) {
        cx.l.r = -EOPNOTSUPP;
        return cx.goto('pinned_mapped');
      }
      cx.call(VFIO_IOMMUFD_MAP, { attach: cx.l.attachment }, 'r', 'pinned_mapped');
    })
    .replace('lock', (cx) => {
      const a = cx.k.find('attachments', cx.l.attachment);
      if (a === undefined) return cx.ret(-EINVAL);
      const kind = cx.k.get('importers', a.importer).kind;
      if (kind !== 'iommufd') return dmabuf_importer_map.steps.lock(cx);
      const resv = cx.k.get('dmabufs', a.dmabuf).resv;
      if (!cx.lock(resv, 'write')) return;
      cx.l.resv = resv;
      if (a.mapped !== null) {
        cx.l.r = -EBUSY;
        return cx.goto('unlock');
      }
      cx.call('dma_buf_pin', { attach: a.id }, 'r', 'iommufd_pinned');
    }),
);
