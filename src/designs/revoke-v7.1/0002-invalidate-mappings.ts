/**
 * v7.1 revoke series 2/8, "dma-buf: Rename dma_buf_move_notify() to
 * dma_buf_invalidate_mappings()" (<20260130-dmabuf-revoke-v6-2-06278f9b7bf0@nvidia.com>):
 * the exporter-side call keeps its meaning (resv held, every dynamic
 * attachment's callback in list order) under the new name, and vfio-pci's
 * revoke and cleanup call it. The two resv steps are built here with what
 * 4/8 adds to them as a parameter.
 */
import { path } from '../../kernel/sched/path.js';
import type { Step } from '../../kernel/sched/path.js';
import type { Locals } from '../../kernel/sched/types.js';
import { assertResvHeld, dma_buf_move_notify } from '../../dma-buf/attach.js';
import type { ImporterKind } from '../../dma-buf/types.js';
import type { MoveLocals } from '../../vfio/pci/dmabuf-move.js';
import { vfio_pci_dma_buf_cleanup, vfio_pci_dma_buf_move } from '../../vfio/pci/dmabuf-move.js';
import { vdevName } from '../../vfio/pci/device.js';
import { addPath, patch, patchPath } from '../patch.js';

type InvalidateLocals = { dmabuf: number; todo: readonly number[]; i: number; x: number };

/** The `next` step: the next listed dynamic attachment's invalidate_mappings, if its importer has one. */
export function invalidateNext(hasCallback: (kind: ImporterKind) => boolean): Step<InvalidateLocals, 'entry' | 'next'> {
  return (cx) => {
    const id = cx.l.todo[cx.l.i];
    const a = id === undefined ? undefined : cx.k.find('attachments', id);
    if (a !== undefined && a.dynamic && !hasCallback(cx.k.get('importers', a.importer).kind)) {
      cx.l.i += 1;
      return cx.goto('next');
    }
    dma_buf_move_notify.steps.next(cx);
  };
}

/** models dma_buf_invalidate_mappings(): resv held by the exporter. */
export const dma_buf_invalidate_mappings = path<InvalidateLocals>()('dma_buf_invalidate_mappings', 'entry', {
  entry: (cx) => {
    assertResvHeld(cx, cx.l.dmabuf, 'dma_buf_invalidate_mappings');
    cx.l.todo = cx.k.get('dmabufs', cx.l.dmabuf).attachments;
    cx.l.i = 0;
    cx.emit('dmabuf', 'dma_buf_invalidate_mappings', { dmabuf: cx.l.dmabuf, attachments: cx.l.todo.length });
    cx.goto('next');
  },
  next: invalidateNext(() => true),
});

/** The locals of vfio_pci_dma_buf_cleanup(). */
type CleanupLocals = Omit<MoveLocals, 'revoked'>;

/** What a later patch does under the resv once the state is flipped (4/8: note the draining buffer). */
type AfterFlip<L> = (cx: { readonly l: L }, dmabuf: number) => void;

/**
 * vfio_pci_dma_buf_move()'s `resv_lock` step: flip priv->revoked under the
 * resv (`revokeOnly`: only a revoke sets it here, 4/8), then invalidate.
 */
export function moveResvLock<L extends Locals>(o: { revokeOnly: boolean; afterFlip?: AfterFlip<L & MoveLocals> }): Step<L & MoveLocals, 'resv_lock' | 'resv_unlock'> {
  return (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    const d = cx.k.get('dmabufs', p.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    if (cx.l.revoked || !o.revokeOnly) cx.k.mut('vfio_dmabufs', p.id).revoked = cx.l.revoked;
    if (cx.l.revoked) o.afterFlip?.(cx, d.id);
    cx.emit('dmabuf', 'vfio_pci_dma_buf_move', { dev: vdevName(cx.k, cx.l.vdev), dmabuf: d.id, revoked: cx.l.revoked });
    cx.call('dma_buf_invalidate_mappings', { dmabuf: d.id }, 'x', 'resv_unlock');
  };
}

/** vfio_pci_dma_buf_cleanup()'s `resv_lock` step: unlink, vdev = NULL, revoked, invalidate. */
export function cleanupResvLock<L extends Locals>(afterFlip?: AfterFlip<L & CleanupLocals>): Step<L & CleanupLocals, 'resv_lock' | 'resv_unlock'> {
  return (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    const d = cx.k.get('dmabufs', p.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    const v = cx.k.get('vfio', cx.l.vdev);
    cx.k.mut('vfio', v.id).dmabufs = v.dmabufs.filter((x) => x !== p.id);
    const m = cx.k.mut('vfio_dmabufs', p.id);
    m.listed = false;
    m.vdev = 0;
    m.revoked = true;
    afterFlip?.(cx, d.id);
    cx.emit('dmabuf', 'vfio_pci_dma_buf_cleanup', { dev: vdevName(cx.k, v.id), dmabuf: d.id, revoked: true, vdev: 'NULL' });
    cx.call('dma_buf_invalidate_mappings', { dmabuf: d.id }, 'x', 'resv_unlock');
  };
}

export const invalidateMappings = patch(
  'dma-buf: Rename dma_buf_move_notify() to dma_buf_invalidate_mappings()',
  'v7.1 revoke 2/8, <20260130-dmabuf-revoke-v6-2-06278f9b7bf0@nvidia.com>',
  addPath(dma_buf_invalidate_mappings),
  patchPath(vfio_pci_dma_buf_move).replace('resv_lock', moveResvLock({ revokeOnly: false })),
  patchPath(vfio_pci_dma_buf_cleanup).replace('resv_lock', cleanupResvLock()),
);
