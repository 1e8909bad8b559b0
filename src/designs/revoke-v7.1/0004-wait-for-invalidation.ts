/**
 * v7.1 revoke series 4/8, "vfio: Wait for dma-buf invalidation to complete"
 * (Leon Romanovsky; commit 1a8a5227f229,
 * <20260130-dmabuf-revoke-v6-4-06278f9b7bf0@nvidia.com>; Fixes: 5d74781ebc86).
 *
 * struct vfio_pci_dma_buf gains a kref and a completion. The kref starts at
 * one, the "registered" reference (kref_init at export); every successful
 * map_dma_buf takes one and unmap_dma_buf drops it, under the resv; the put
 * that reaches zero completes the completion (vfio_pci_dma_buf_done).
 *
 * vfio_pci_dma_buf_move(vdev, true): under the resv set revoked, invalidate
 * the importers' mappings, wait for the resv fences, drop the resv; then
 * drop the registered reference and wait_for_completion() until every
 * importer has unmapped. vfio_pci_dma_buf_move(vdev, false): invalidate
 * too (revoked still set), then kref_init and reinit_completion, and clear
 * revoked under the resv again. vfio_pci_dma_buf_cleanup(): as a revoke,
 * then the registration put.
 *
 * The model: `kref` and `comp` (a completion row, src/kernel/locking/
 * completion.ts) are fields of the vfio_dmabufs row. The waiting task
 * sleeps on the completion like on a lock, so the checker interleaves
 * importers' unmaps with it; while it is between the invalidate and the end
 * of the wait its frame names the buffer in `draining`, which is how
 * dmaBufRevokeComplete() (src/dma-buf/revoke-state.ts) knows the revoke has
 * not returned. The resv fences (dma_resv_wait_timeout) are not modelled:
 * no modelled importer adds fences. The private interconnect of iommufd
 * does not go through map_dma_buf and takes no reference.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import type { KernelPath, LabelsOf, LocalsOf, Step } from '../../kernel/sched/path.js';
import { complete, initCompletion, reinitCompletion } from '../../kernel/locking/completion.js';
import { fputDeferred } from '../../dma-buf/task-work.js';
import { EOPNOTSUPP, ENODEV } from '../../uapi/errno.js';
import { vdevName, vfioDevicePutRegistration } from '../../vfio/pci/device.js';
import { vfio_pci_core_feature_dma_buf } from '../../vfio/pci/dmabuf-feature.js';
import { vfio_pci_dma_buf_map, vfio_pci_dma_buf_release } from '../../vfio/pci/dmabuf.js';
import { vfio_pci_dma_buf_cleanup, vfio_pci_dma_buf_move } from '../../vfio/pci/dmabuf-move.js';
import { cleanupResvLock, moveResvLock } from './0002-invalidate-mappings.js';
import type { VfioPciDmaBuf } from '../../vfio/pci/dmabuf-types.js';
import { addField, patch, patchPath, replacePath } from '../patch.js';

/** struct vfio_pci_dma_buf with the v7.1 kref and completion. */
export interface RevokeWaitDmaBuf extends VfioPciDmaBuf {
  /** priv->kref: the registered reference plus one per mapped attachment. */
  readonly kref?: number;
  /** priv->comp: the completion row the revoke waits on (0: none). */
  readonly comp?: number;
}

function privRow(k: Kernel, priv: number): RevokeWaitDmaBuf {
  return k.get('vfio_dmabufs', priv) as RevokeWaitDmaBuf;
}

/** kref_init() + init_completion() of a new buffer (vfio_pci_core_feature_dma_buf, before it is listed). */
export function initRevokeWait(k: Kernel, priv: number): void {
  const m = k.mut('vfio_dmabufs', priv) as { kref?: number; comp?: number };
  m.kref = 1;
  m.comp = initCompletion(k, `vfio_pci_dma_buf ${priv}`);
}

/** kref_get(&priv->kref). */
export function krefGet(k: Kernel, priv: number): void {
  const m = k.mut('vfio_dmabufs', priv) as { kref?: number };
  m.kref = (privRow(k, priv).kref ?? 0) + 1;
}

/** kref_put(&priv->kref, vfio_pci_dma_buf_done): the put that reaches zero completes priv->comp. */
export function krefPut(k: Kernel, priv: number): number {
  const n = (privRow(k, priv).kref ?? 0) - 1;
  (k.mut('vfio_dmabufs', priv) as { kref?: number }).kref = n;
  if (n === 0) complete(k, privRow(k, priv).comp ?? 0);
  return n;
}

/** kref_init() + reinit_completion() after an un-revoke (and, in Matt Evans' v3, after every revoke). */
export function rearmRevokeWait(k: Kernel, priv: number): void {
  (k.mut('vfio_dmabufs', priv) as { kref?: number }).kref = 1;
  reinitCompletion(k, privRow(k, priv).comp ?? 0);
}

type OpLocals = { dmabuf: number; attach: number; r: number };

/** models vfio_pci_dma_buf_map() of 4/8: as v6.19, then kref_get on success. */
export const mapTakesKref = patchPath(vfio_pci_dma_buf_map).replace('entry', (cx) => {
  const a = cx.k.get('attachments', cx.l.attach);
  const d = cx.k.get('dmabufs', a.dmabuf);
  if (!cx.holds(d.resv)) cx.emit('warn', 'vfio_pci_dma_buf_map', { report: 'dma_resv_assert_held: resv not held', dmabuf: d.id });
  const p = cx.k.find('vfio_dmabufs', d.priv);
  if (p === undefined || p.revoked) return cx.ret(-ENODEV);
  cx.k.mut('attachments', a.id).mapped = p.phys_vec;
  krefGet(cx.k, p.id);
  cx.ret(0);
});

/** models vfio_pci_dma_buf_unmap() of 4/8: free the sg table, kref_put. */
export const vfio_pci_dma_buf_unmap_kref = path<OpLocals>()('vfio_pci_dma_buf_unmap', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const d = cx.k.get('dmabufs', a.dmabuf);
    if (!cx.holds(d.resv)) cx.emit('warn', 'vfio_pci_dma_buf_unmap', { report: 'dma_resv_assert_held: resv not held', dmabuf: d.id });
    cx.k.mut('attachments', a.id).mapped = null;
    const p = cx.k.find('vfio_dmabufs', d.priv);
    if (p === undefined) return cx.ret(-EOPNOTSUPP);
    const n = krefPut(cx.k, p.id);
    cx.emit('dmabuf', 'vfio_pci_dma_buf_unmap', { dmabuf: d.id, attach: a.id, kref: n, ...(n === 0 ? { complete: true } : {}) });
    cx.ret(0);
  },
});

/** What 4/8 adds to the locals of vfio_pci_dma_buf_move() and _cleanup(). */
type DrainLocals = {
  /** The dma-buf a revoke is draining (from the flip to the end of the wait), else 0. */
  draining: number;
};

/** The `wait` step: wait_for_completion(&priv->comp) of the buffer `cur`, then `then`. */
export function waitForCompletion(then: string): Step<{ cur: number; draining: number }> {
  return (cx) => {
    const p = privRow(cx.k, cx.l.cur);
    const comp = p.comp ?? 0;
    if (comp !== 0) {
      if (!cx.lock(comp, 'read')) return;
      cx.unlock(comp);
    }
    cx.emit('dmabuf', 'wait_for_completion', { dmabuf: p.dmabuf, kref: p.kref ?? 0 });
    cx.l.draining = 0;
    cx.goto(then);
  };
}

/** Under the resv a revoke marks its buffer as draining until the wait ends. */
const markDraining = (cx: { l: DrainLocals }, dmabuf: number): void => {
  cx.l.draining = dmabuf;
};

/**
 * vfio_pci_dma_buf_move() of 4/8 (memory_lock held for write by the caller):
 * a revoke sets revoked, invalidates, drops the resv, puts the registered
 * reference and waits; an un-revoke invalidates, re-arms the kref and the
 * completion, and clears revoked under the resv again.
 */
export const moveWaits = patchPath(vfio_pci_dma_buf_move).locals<DrainLocals>()
  .add('unrevoke', (cx) => {
    const p = privRow(cx.k, cx.l.cur);
    const d = cx.k.get('dmabufs', p.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    cx.k.mut('vfio_dmabufs', p.id).revoked = false;
    cx.unlock(d.resv);
    cx.goto('put');
  })
  .add('wait', waitForCompletion('put'))
  .replace('resv_lock', moveResvLock<DrainLocals>({ revokeOnly: true, afterFlip: markDraining }))
  .replace('resv_unlock', (cx) => {
    const p = privRow(cx.k, cx.l.cur);
    cx.unlock(cx.k.get('dmabufs', p.dmabuf).resv);
    if (!cx.l.revoked) {
      rearmRevokeWait(cx.k, p.id);
      return cx.goto('unrevoke');
    }
    krefPut(cx.k, p.id);
    cx.goto('wait');
  });

/** vfio_pci_dma_buf_cleanup() of 4/8: each live buffer revoked for good and drained, then the registration put. */
export const cleanupWaits = patchPath(vfio_pci_dma_buf_cleanup).locals<DrainLocals>()
  .add('registration_put', (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    const v = cx.k.get('vfio', cx.l.vdev);
    const left = vfioDevicePutRegistration(cx.k, v.id);
    cx.emit('device', 'vfio_device_put_registration', { dev: vdevName(cx.k, v.id), registration: left });
    fputDeferred(cx.k, cx.k.get('dmabufs', p.dmabuf).file, cx.tid);
    cx.goto('next');
  })
  .add('wait', waitForCompletion('registration_put'))
  .replace('resv_lock', cleanupResvLock<DrainLocals>(markDraining))
  .replace('resv_unlock', (cx) => {
    const p = privRow(cx.k, cx.l.cur);
    cx.unlock(cx.k.get('dmabufs', p.dmabuf).resv);
    krefPut(cx.k, p.id);
    cx.goto('wait');
  });

/** vfio_pci_dma_buf_cleanup() as 4/8 leaves it: the typed handle later patches address (patchPath reads its name). */
export const vfio_pci_dma_buf_cleanup_v71 = vfio_pci_dma_buf_cleanup as unknown as KernelPath<
  'vfio_pci_dma_buf_cleanup', LabelsOf<typeof vfio_pci_dma_buf_cleanup> | 'wait' | 'registration_put',
  LocalsOf<typeof vfio_pci_dma_buf_cleanup> & DrainLocals
>;

export const waitForInvalidation = patch(
  'vfio: Wait for dma-buf invalidation to complete',
  'v7.1 revoke 4/8, commit 1a8a5227f229, <20260130-dmabuf-revoke-v6-4-06278f9b7bf0@nvidia.com>',
  addField('vfio_dmabufs', 'kref', 'priv->kref: the registered reference plus one per mapped attachment', { holds: 'mappings' }),
  addField('vfio_dmabufs', 'comp', 'priv->comp: the completion a revoke waits on (a completion row in locks)'),
  // kref_init() + init_completion() after dma_buf_export(), before the buffer is listed.
  patchPath(vfio_pci_core_feature_dma_buf).insertBefore('down_write', 'kref_init', (cx) => {
    initRevokeWait(cx.k, cx.l.priv);
    cx.goto('down_write');
  }),
  mapTakesKref,
  replacePath(vfio_pci_dma_buf_unmap_kref),
  moveWaits,
  cleanupWaits,
  // kfree(priv) frees its completion too.
  patchPath(vfio_pci_dma_buf_release).insertBefore('free', 'free_comp', (cx) => {
    const p = cx.k.find('vfio_dmabufs', cx.l.priv) as RevokeWaitDmaBuf | undefined;
    if (p?.comp) cx.k.remove('locks', p.comp);
    cx.goto('free');
  }),
);
