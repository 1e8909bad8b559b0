/**
 * v3 8/9 "vfio/pci: Permanently revoke a DMABUF on request"
 * (<20260610154327.37758-9-matt@ozlabs.org>, read with its review
 * <ajED1v846hZkyq9z@google.com>): the buffer's state becomes OK /
 * TEMP_REVOKED / PERM_REVOKED (the model keeps `revoked` and adds `perm`),
 * and VFIO_DEVICE_FEATURE_DMA_BUF with VFIO_DEVICE_FEATURE_SET takes a
 * dma-buf fd and revokes it for good. Under memory_lock (write) and the
 * resv, vfio_pci_dma_buf_set_status(PERM_REVOKED): a buffer already
 * PERM_REVOKED answers -EBADFD; one TEMP_REVOKED becomes PERM_REVOKED
 * without a second wait; otherwise invalidate, drop the resv, drop the
 * registered reference, wait for every importer to unmap, zap the buffer's
 * CPU mappings and re-arm. On success the buffer can never be attached,
 * mapped or mmapped again; an un-revoke (memory enabled again) leaves it.
 *
 * Inferred, not read: the SET payload (the model takes a __s32 dma-buf fd
 * as the first 4 bytes after the feature header), -EBADF for a closed fd,
 * -EINVAL for a file that is not a dma-buf of this device, -ENODEV when
 * its device is gone.
 */
import { EBADF, EBADFD, EFAULT, EINVAL, ENODEV } from '../../uapi/errno.js';
import { leValue } from '../../uapi/codec.js';
import { VFIO_DEVICE_FEATURE_SET } from '../../uapi/vfio.js';
import { fget } from '../../fs/fd.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import { vdevName } from '../../vfio/pci/device.js';
import { vfio_pci_core_feature_dma_buf, vfioCheckFeature } from '../../vfio/pci/dmabuf-feature.js';
import { vfio_pci_dma_buf_move } from '../../vfio/pci/dmabuf-move.js';
import type { DesignVfioDmaBuf } from '../common/vfio-dmabuf.js';
import { vdmabufOf, zapOwnMappingArgs } from '../common/vfio-dmabuf.js';
import { krefPut, rearmRevokeWait, waitForCompletion } from '../revoke-v7.1/0004-wait-for-invalidation.js';
import { permMoveNext } from '../rfc/0005-permanent-revoke.js';
import { addField, patch, patchPath } from '../patch.js';
import { v3Cite } from './cite.js';

/** Bytes of the SET payload the model reads: the dma-buf fd. */
const REVOKE_ARGSZ = 4;

type RevokeLocals = { file: number; cur: number; draining: number };

const revokeRequest = patchPath(vfio_pci_core_feature_dma_buf).locals<RevokeLocals>()
  /** up_write(memory_lock), dma_buf_put(), return r. */
  .add('revoke_done', (cx) => {
    cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
    cx.call('fput', { file: cx.l.file }, 'x', 'revoke_out');
  })
  .add('revoke_out', (cx) => cx.ret(cx.l.r))
  .add('revoke_rearm', (cx) => {
    rearmRevokeWait(cx.k, cx.l.cur);
    cx.l.r = 0;
    cx.goto('revoke_done');
  })
  .add('revoke_zap', (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, p.dmabuf), 'x', 'revoke_rearm');
  })
  .add('revoke_wait', waitForCompletion('revoke_zap'))
  .add('revoke_unlock', (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    cx.unlock(cx.k.get('dmabufs', p.dmabuf).resv);
    krefPut(cx.k, p.id);
    cx.goto('revoke_wait');
  })
  /** vfio_pci_dma_buf_set_status(priv, PERM_REVOKED) under memory_lock (write) and the resv. */
  .add('revoke_resv', (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur) as DesignVfioDmaBuf;
    const d = cx.k.get('dmabufs', p.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    const stop = (r: number): void => {
      cx.unlock(d.resv);
      cx.l.r = r;
      cx.goto('revoke_done');
    };
    if (p.vdev === 0) return stop(-ENODEV); // cleaned up while we waited
    if (p.perm) return stop(-EBADFD);
    const was = p.revoked;
    const m = cx.k.mut('vfio_dmabufs', p.id) as { perm?: boolean; revoked: boolean };
    m.perm = true;
    m.revoked = true;
    cx.emit('dmabuf', 'vfio_pci_dma_buf_set_status', {
      dev: vdevName(cx.k, cx.l.vdev), dmabuf: d.id, status: 'PERM_REVOKED', was: was ? 'TEMP_REVOKED' : 'OK',
    });
    if (was) return stop(0); // already gone: no second wait
    cx.l.draining = d.id;
    cx.call('dma_buf_invalidate_mappings', { dmabuf: d.id }, 'x', 'revoke_unlock');
  })
  .add('revoke_down_write', (cx) => {
    if (!cx.lock(cx.k.get('vfio', cx.l.vdev).memory_lock, 'write')) return;
    cx.goto('revoke_resv');
  })
  /** vfio_pci_core_feature_dma_buf_revoke(): the fd must be a dma-buf this device exported. */
  .add('revoke', (cx) => {
    const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_SET, REVOKE_ARGSZ);
    if (chk !== 1) return cx.ret(chk);
    if (cx.l.argFault) return cx.ret(-EFAULT);
    const fd = leValue(cx.l.arg.slice(0, REVOKE_ARGSZ));
    const file = fget(cx.k, cx.pid, fd | 0, cx.tid);
    if (file === 0) return cx.ret(-EBADF);
    cx.l.file = file;
    const p = isDmaBufFile(cx.k, file) ? vdmabufOf(cx.k, cx.k.get('files', file).private_data) : undefined;
    if (p === undefined || (p.vdev !== cx.l.vdev && p.vdev !== 0)) {
      cx.l.r = -EINVAL;
      return cx.call('fput', { file }, 'x', 'revoke_out');
    }
    cx.l.cur = p.id;
    cx.goto('revoke_down_write');
  })
  .replace('entry', (cx) => {
    if (cx.l.flags & VFIO_DEVICE_FEATURE_SET) return cx.goto('revoke');
    vfio_pci_core_feature_dma_buf.steps.entry(cx);
  });

export const permanentRevoke = patch(
  'vfio/pci: Permanently revoke a DMABUF on request',
  v3Cite(8),
  addField('vfio_dmabufs', 'perm', 'status PERM_REVOKED: revoked for good through VFIO_DEVICE_FEATURE_DMA_BUF (SET)'),
  revokeRequest,
  // vfio_pci_dma_buf_move(vdev, false) leaves a PERM_REVOKED buffer revoked.
  patchPath(vfio_pci_dma_buf_move).replace('next', (cx) => permMoveNext(cx)),
);
