/**
 * RFC1 5/7 "vfio/pci: Permanently revoke a DMABUF on request": vfio-pci's
 * ops->revoke. The buffer's status becomes an enum, OK / TEMP_REVOKED /
 * PERM_REVOKED (the model keeps v6.19's `revoked` bit and adds `perm`). It
 * answers -ENODEV once the device is gone (priv->vdev NULL) and -EBADFD when
 * the buffer is already permanently revoked; otherwise, under memory_lock
 * (write) and the resv, the status becomes PERM_REVOKED, importers are told
 * (move_notify) and every CPU mapping of the buffer is zapped. A buffer that
 * is only temporarily revoked (memory off) becomes permanent without a
 * second notify; vfio_pci_dma_buf_move(vdev, false) leaves it revoked.
 */
import { path } from '../../kernel/sched/path.js';
import { EBADFD, ENODEV } from '../../uapi/errno.js';
import { vdevName } from '../../vfio/pci/device.js';
import { downWriteMemoryLock } from '../../vfio/pci/memory-lock.js';
import { moveNext, vfio_pci_dma_buf_move } from '../../vfio/pci/dmabuf-move.js';
import { vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import type { DesignVfioDmaBuf } from '../common/vfio-dmabuf.js';
import { vdmabufOf, zapOwnMappingArgs } from '../common/vfio-dmabuf.js';
import { addField, addPath, patch, patchPath, setDmaBufOps } from '../patch.js';

type RevokeLocals = { dmabuf: number; vdev: number; was: boolean; x: number };

/** models vfio_pci_dma_buf_revoke(): ops->revoke of vfio-pci. */
export const vfio_pci_dma_buf_revoke = path<RevokeLocals>()('vfio_pci_dma_buf_revoke', 'entry', {
  entry: (cx) => {
    const p = vdmabufOf(cx.k, cx.l.dmabuf);
    if (p === undefined || p.vdev === 0) return cx.ret(-ENODEV);
    cx.l.vdev = p.vdev;
    cx.goto('down_write');
  },
  down_write: downWriteMemoryLock('resv_lock'),
  resv_lock: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    const p = cx.k.get('vfio_dmabufs', d.priv) as DesignVfioDmaBuf;
    const fail = (r: number): void => {
      cx.unlock(d.resv);
      cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
      cx.ret(r);
    };
    if (p.vdev === 0) return fail(-ENODEV); // cleanup ran while we waited
    if (p.perm) return fail(-EBADFD);
    cx.l.was = p.revoked;
    const m = cx.k.mut('vfio_dmabufs', p.id) as { -readonly [K in keyof DesignVfioDmaBuf]: DesignVfioDmaBuf[K] };
    m.perm = true;
    m.revoked = true;
    cx.emit('dmabuf', 'vfio_pci_dma_buf_revoke', {
      dev: vdevName(cx.k, cx.l.vdev), dmabuf: d.id, status: 'PERM_REVOKED', was: p.revoked ? 'TEMP_REVOKED' : 'OK',
    });
    if (p.revoked) return cx.goto('unlock');
    cx.call('dma_buf_move_notify', { dmabuf: d.id }, 'x', 'zap');
  },
  zap: (cx) => cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, cx.l.dmabuf), 'x', 'unlock'),
  unlock: (cx) => {
    cx.unlock(cx.k.get('dmabufs', cx.l.dmabuf).resv);
    cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
    cx.ret(0);
  },
});

/** vfio_pci_dma_buf_move()'s `next` step when a permanently revoked buffer must stay revoked. */
export const permMoveNext = moveNext((p, revoked) => p.revoked === revoked || ((p as DesignVfioDmaBuf).perm === true && !revoked));

export const permanentRevoke = patch(
  'vfio/pci: Permanently revoke a DMABUF on request',
  'RFC1 5/7, <20260226202211.929005-1-mattev@meta.com>',
  addField('vfio_dmabufs', 'perm', 'status PERM_REVOKED: revoked for good by DMA_BUF_IOCTL_REVOKE; MSE re-enable keeps it'),
  addPath(vfio_pci_dma_buf_revoke),
  setDmaBufOps(vfioPciDmabufOps, { revoke: 'vfio_pci_dma_buf_revoke' }),
  // vfio_pci_dma_buf_move(vdev, false): a permanently revoked buffer stays revoked.
  patchPath(vfio_pci_dma_buf_move).replace('next', permMoveNext),
);

