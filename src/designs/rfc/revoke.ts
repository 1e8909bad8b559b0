/**
 * RFC1 4/7 "dma-buf: uapi: Mechanism to revoke DMABUFs via ioctl()" and 5/7
 * "vfio/pci: Permanently revoke a DMABUF on request" (KERNEL.md §6.1; not
 * merged: later versions moved revoke into the VFIO feature).
 *
 * DMA_BUF_IOCTL_REVOKE = _IO('b', 4) on a dma-buf fd calls the exporter's
 * new ops->revoke: -EINVAL when the exporter has none. vfio-pci's answers
 * -ENODEV once the device is gone (priv->vdev NULL) and -EBADFD when the
 * buffer is already permanently revoked; otherwise, under memory_lock
 * (write) and the resv, the status becomes PERM_REVOKED, importers are told
 * (move_notify) and every CPU mapping of the buffer is zapped. A buffer
 * that is only temporarily revoked (memory off) becomes permanent without a
 * second notify. vfio_pci_dma_buf_move(vdev, false) skips it from then on.
 */
import { opName } from '../types.js';
import { path } from '../../kernel/sched/path.js';
import type { UnlockedIoctlLocals } from '../../fs/ioctl.js';
import { EBADFD, EINVAL, ENODEV } from '../../uapi/errno.js';
import { _IO } from '../../uapi/ioctl.js';
import { DMA_BUF_BASE } from '../../uapi/dma-buf.js';
import { dma_buf_ioctl as coreDmaBufIoctl } from '../../dma-buf/file.js';
import { vdevName } from '../../vfio/pci/device.js';
import { downWriteMemoryLock } from '../../vfio/pci/memory-lock.js';
import { zapOwnMappingArgs } from '../../vfio/pci/dmabuf-move.js';
import type { DesignVfioDmaBuf } from '../common/vfio-dmabuf.js';
import { vdmabufOf } from '../common/vfio-dmabuf.js';

/** DMA_BUF_IOCTL_REVOKE (RFC1 4/7). */
export const DMA_BUF_IOCTL_REVOKE = _IO(DMA_BUF_BASE, 4);

interface IoctlLocals extends UnlockedIoctlLocals {
  r: number;
}

/** models dma_buf_ioctl() with DMA_BUF_IOCTL_REVOKE; every other command as v6.19. */
export const dma_buf_ioctl = path<IoctlLocals>()('dma_buf_ioctl', 'entry', {
  entry: (cx) => {
    if (cx.l.cmd !== DMA_BUF_IOCTL_REVOKE) return coreDmaBufIoctl.steps['entry']!(cx);
    const d = cx.k.get('dmabufs', cx.k.get('files', cx.l.file).private_data);
    const revoke = cx.k.design.dmaBufOps?.[d.ops]?.revoke;
    cx.emit('dmabuf', 'dma_buf_ioctl', { dmabuf: d.id, cmd: 'DMA_BUF_IOCTL_REVOKE', exporter_revoke: opName(revoke) });
    if (!revoke) return cx.ret(-EINVAL);
    cx.call(revoke, { dmabuf: d.id }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

type RevokeLocals = { dmabuf: number; vdev: number; was: boolean; x: number };

/** models vfio_pci_dma_buf_revoke() (RFC1 4/7 + 5/7): ops->revoke of vfio-pci. */
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
