/**
 * The modelled importers' move_notify callbacks (struct dma_buf_attach_ops,
 * v6.19), one per importer kind:
 *
 *  dynamic  GPU-like. Invalidates and unmaps its mapping at once, inside the
 *           notify and under the resv the exporter holds. Real GPU drivers
 *           (amdgpu_dma_buf_move_notify, xe) invalidate their page tables in
 *           the notify and re-map on next use; unmapping in the notify is the
 *           strictest reading of "stop and unmap" and leaves no window where
 *           the importer still holds the exporter's sg table after revoke.
 *  deferred GPU-like, the other common reaction: the notify only marks the
 *           mapping invalid (the device stops using it: its page tables are
 *           invalidated) and the driver unmaps later from its own context
 *           (a scenario's dmabuf_unmap), as drivers that evict in a worker
 *           do. v6.19's revoke returns before that unmap; the v7.1 series
 *           (1a8a5227f229) makes the exporter wait for it.
 *  pinned   RDMA-like (ib_umem_dmabuf_get_pinned, drivers/infiniband/core/
 *           umem_dmabuf.c): attaches dynamically with allow_peer2peer, then
 *           calls dma_buf_pin and maps; its move_notify
 *           (ib_umem_dmabuf_unsupported_move_notify) only warns, the NIC keeps
 *           DMA-ing through the old mapping. That is why VFIO refuses pin (B16).
 *  iommufd  iopt_revoke_notify (drivers/iommu/iommufd/pages.c): unmaps the
 *           IOMMU domains and sets the phys length to 0; nothing re-maps on
 *           un-revoke in the model (docs/sources.md: not confirmed upstream).
 */
import type { PathName } from '../kernel/sched/registry.js';
import type { Kernel } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import type { Importer, ImporterKind } from './types.js';

/** The move_notify path of each importer kind. */
export const IMPORTER_MOVE_NOTIFY: { readonly [K in ImporterKind]: PathName } = {
  dynamic: 'dynamic_importer_move_notify',
  deferred: 'deferred_importer_move_notify',
  pinned: 'ib_umem_dmabuf_unsupported_move_notify',
  iommufd: 'iopt_revoke_notify',
};

/** A new importing device (the world builder's; every kind allows peer2peer unless told otherwise). */
export function newImporter(k: Kernel, name: string, kind: ImporterKind, peer2peer = true): number {
  return k.add('importers', (id): Importer => ({ id, name, kind, peer2peer }));
}

interface NotifyLocals {
  readonly [key: string]: Value;
  attach: number;
  x: number;
}

/** GPU-like importer: invalidate and unmap now (resv held by the exporter). */
export const dynamic_importer_move_notify = path<NotifyLocals>()('dynamic_importer_move_notify', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    cx.emit('dmabuf', 'move_notify', {
      attach: a.id, importer: cx.k.get('importers', a.importer).name, reaction: a.mapped ? 'invalidate+unmap' : 'none',
    });
    if (a.mapped === null) return cx.ret(0);
    cx.call('dma_buf_unmap_attachment', { attach: a.id }, 'x', 'done');
  },
  done: (cx) => cx.ret(0),
});

/** GPU-like importer that unmaps later: the notify only records that the mapping is invalid. */
export const deferred_importer_move_notify = path<NotifyLocals>()('deferred_importer_move_notify', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    cx.emit('dmabuf', 'move_notify', {
      attach: a.id, importer: cx.k.get('importers', a.importer).name, reaction: a.mapped ? 'invalidate (unmap later)' : 'none',
    });
    cx.ret(0);
  },
});

/** RDMA-like pinned importer: warns and keeps its mapping. */
export const ib_umem_dmabuf_unsupported_move_notify = path<NotifyLocals>()('ib_umem_dmabuf_unsupported_move_notify', 'entry', {
    entry: (cx) => {
      const a = cx.k.get('attachments', cx.l.attach);
      cx.emit('dmabuf', 'move_notify', {
        attach: a.id, importer: cx.k.get('importers', a.importer).name, reaction: 'ignored',
        report: 'Invalidate callback should not be called when memory is pinned',
      });
      cx.ret(0);
    },
  },
);

/** iommufd: unmap from the IOMMU domains, phys.len = 0 (pages->mutex is not modelled). */
export const iopt_revoke_notify = path<NotifyLocals>()('iopt_revoke_notify', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    cx.emit('dmabuf', 'move_notify', {
      attach: a.id, importer: cx.k.get('importers', a.importer).name, reaction: a.mapped ? 'iommu-unmap' : 'none',
    });
    if (a.mapped !== null) cx.k.mut('attachments', a.id).mapped = null;
    cx.ret(0);
  },
});
