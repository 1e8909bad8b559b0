/**
 * RFC1 4/7 "dma-buf: uapi: Mechanism to revoke DMABUFs via ioctl()" (not
 * merged: later versions moved revoke into the VFIO feature).
 * DMA_BUF_IOCTL_REVOKE = _IO('b', 4) on a dma-buf fd calls the exporter's
 * new ops->revoke with locals {dmabuf}: -EINVAL when the exporter has none.
 */
import { path } from '../../kernel/sched/path.js';
import type { UnlockedIoctlLocals } from '../../fs/ioctl.js';
import { EINVAL } from '../../uapi/errno.js';
import { _IO } from '../../uapi/ioctl.js';
import { DMA_BUF_BASE } from '../../uapi/dma-buf.js';
import { dma_buf_ioctl as coreDmaBufIoctl } from '../../dma-buf/file.js';
import { opName } from '../types.js';
import { patch, replacePath } from '../patch.js';

/** DMA_BUF_IOCTL_REVOKE (RFC1 4/7). */
export const DMA_BUF_IOCTL_REVOKE = _IO(DMA_BUF_BASE, 4);

interface IoctlLocals extends UnlockedIoctlLocals {
  r: number;
}

/** models dma_buf_ioctl() with DMA_BUF_IOCTL_REVOKE; every other command as v6.19. */
export const dma_buf_ioctl = path<IoctlLocals>()('dma_buf_ioctl', 'entry', {
  entry: (cx) => {
    if (cx.l.cmd !== DMA_BUF_IOCTL_REVOKE) return coreDmaBufIoctl.steps.entry(cx);
    const d = cx.k.get('dmabufs', cx.k.get('files', cx.l.file).private_data);
    const revoke = cx.k.design.dmaBufOps?.[d.ops]?.revoke;
    cx.emit('dmabuf', 'dma_buf_ioctl', { dmabuf: d.id, cmd: 'DMA_BUF_IOCTL_REVOKE', exporter_revoke: opName(revoke) });
    if (!revoke) return cx.ret(-EINVAL);
    cx.call(revoke, { dmabuf: d.id }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

export const revokeIoctl = patch(
  'dma-buf: uapi: Mechanism to revoke DMABUFs via ioctl()',
  'RFC1 4/7, <20260226202211.929005-1-mattev@meta.com>',
  replacePath(dma_buf_ioctl),
);
