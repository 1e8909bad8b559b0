/**
 * Revoking vfio-pci dma-bufs (vfio_pci_dma_buf_move,
 * vfio_pci_dma_buf_cleanup; drivers/vfio/pci/vfio_pci_dmabuf.c, v6.19).
 *
 * vfio_pci_dma_buf_move(vdev, revoked) runs with memory_lock held for write
 * at every site that zaps the BARs (revoked = true) and again where memory
 * is enabled afterwards (revoked = false): for each dma-buf on vdev->dmabufs
 * whose file is still alive (get_file_active), if the flag differs, take its
 * resv, flip it and tell the importers (dma_buf_move_notify), drop the resv;
 * then fput. Those fputs can be the last (a concurrent close): their __fput
 * (which takes memory_lock in the release) waits for task_work, so callers
 * run `task_work_run` after up_write.
 *
 * vfio_pci_dma_buf_cleanup(vdev), on the last close of the device, takes
 * memory_lock itself and revokes every live dma-buf for good: unlink,
 * priv->vdev = NULL, revoked, notify, drop the registration. The fd can
 * outlive the device; its buffer stays dead.
 *
 * These are v6.19's paths. The designs that mmap dma-bufs patch them
 * (src/designs/): a step that also zaps the buffer's own address_space
 * after the notify, and a permanent revoke that un-revoking leaves alone.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import type { Cx } from '../../kernel/sched/path.js';
import type { VfioPciDmaBuf } from './dmabuf-types.js';
import { getFileActive } from '../../fs/file-table.js';
import { fputDeferred } from '../../dma-buf/task-work.js';
import { vdevName, vfioDevicePutRegistration } from './device.js';

export type MoveLocals = {
  vdev: number;
  revoked: boolean;
  todo: readonly number[];
  i: number;
  cur: number;
  x: number;
};

/** The dma-buf behind a listed private object, or a KASAN report when the object was freed. */
export function listedDmaBuf(cx: { k: Kernel; emit: (kind: 'warn', fn: string, args: Record<string, number | string>) => void }, fn: string, priv: number): number {
  const p = cx.k.find('vfio_dmabufs', priv);
  if (p === undefined) {
    cx.emit('warn', fn, { report: 'KASAN: use-after-free: freed vfio_pci_dma_buf on vdev->dmabufs', priv });
    return 0;
  }
  return p.dmabuf;
}

/**
 * The `next` step of vfio_pci_dma_buf_move(): the next listed buffer whose
 * file is still alive (get_file_active), on to `put` when `stays` says its
 * state needs no flip, else to `resv_lock`. A design whose buffers can stay
 * revoked for good passes its own `stays`.
 */
export function moveNext(stays: (p: VfioPciDmaBuf, revoked: boolean) => boolean): (cx: Cx<MoveLocals>) => void {
  return (cx) => {
    const priv = cx.l.todo[cx.l.i];
    if (priv === undefined) return cx.ret(0);
    cx.l.i += 1;
    const dmabuf = listedDmaBuf(cx, 'vfio_pci_dma_buf_move', priv);
    if (dmabuf === 0) return cx.goto('next');
    if (!getFileActive(cx.k, cx.k.get('dmabufs', dmabuf).file, cx.tid)) return cx.goto('next');
    cx.l.cur = priv;
    if (stays(cx.k.get('vfio_dmabufs', priv), cx.l.revoked)) return cx.goto('put');
    cx.goto('resv_lock');
  };
}

/** models vfio_pci_dma_buf_move(): memory_lock held for write by the caller. */
export const vfio_pci_dma_buf_move = path<MoveLocals>()('vfio_pci_dma_buf_move', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.holds(v.memory_lock, 'write')) {
      cx.emit('warn', 'vfio_pci_dma_buf_move', { report: 'lockdep_assert_held_write(&vdev->memory_lock)', dev: vdevName(cx.k, v.id) });
    }
    cx.l.todo = v.dmabufs;
    cx.l.i = 0;
    cx.goto('next');
  },
  next: moveNext((p, revoked) => p.revoked === revoked),
  resv_lock: (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    const d = cx.k.get('dmabufs', p.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    cx.k.mut('vfio_dmabufs', p.id).revoked = cx.l.revoked;
    cx.emit('dmabuf', 'vfio_pci_dma_buf_move', { dev: vdevName(cx.k, cx.l.vdev), dmabuf: d.id, revoked: cx.l.revoked });
    cx.call('dma_buf_move_notify', { dmabuf: d.id }, 'x', 'resv_unlock');
  },
  resv_unlock: (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    cx.unlock(cx.k.get('dmabufs', p.dmabuf).resv);
    cx.goto('put');
  },
  put: (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    fputDeferred(cx.k, cx.k.get('dmabufs', p.dmabuf).file, cx.tid);
    cx.goto('next');
  },
});

type CleanupLocals = { vdev: number; todo: readonly number[]; i: number; cur: number; x: number };

/** models vfio_pci_dma_buf_cleanup(): the device's last close. */
export const vfio_pci_dma_buf_cleanup = path<CleanupLocals>()('vfio_pci_dma_buf_cleanup', 'down_write', {
  down_write: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.lock(v.memory_lock, 'write')) return;
    cx.l.todo = v.dmabufs;
    cx.l.i = 0;
    cx.goto('next');
  },
  next: (cx) => {
    const priv = cx.l.todo[cx.l.i];
    if (priv === undefined) {
      cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
      return cx.ret(0);
    }
    cx.l.i += 1;
    const dmabuf = listedDmaBuf(cx, 'vfio_pci_dma_buf_cleanup', priv);
    if (dmabuf === 0) return cx.goto('next');
    if (!getFileActive(cx.k, cx.k.get('dmabufs', dmabuf).file, cx.tid)) return cx.goto('next');
    cx.l.cur = priv;
    cx.goto('resv_lock');
  },
  resv_lock: (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    const d = cx.k.get('dmabufs', p.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    const v = cx.k.get('vfio', cx.l.vdev);
    cx.k.mut('vfio', v.id).dmabufs = v.dmabufs.filter((x) => x !== p.id);
    const m = cx.k.mut('vfio_dmabufs', p.id);
    m.listed = false;
    m.vdev = 0;
    m.revoked = true;
    cx.emit('dmabuf', 'vfio_pci_dma_buf_cleanup', { dev: vdevName(cx.k, v.id), dmabuf: d.id, revoked: true, vdev: 'NULL' });
    cx.call('dma_buf_move_notify', { dmabuf: d.id }, 'x', 'resv_unlock');
  },
  resv_unlock: (cx) => {
    const p = cx.k.get('vfio_dmabufs', cx.l.cur);
    const d = cx.k.get('dmabufs', p.dmabuf);
    cx.unlock(d.resv);
    const v = cx.k.get('vfio', cx.l.vdev);
    const left = vfioDevicePutRegistration(cx.k, v.id);
    cx.emit('device', 'vfio_device_put_registration', { dev: vdevName(cx.k, v.id), registration: left });
    fputDeferred(cx.k, d.file, cx.tid);
    cx.goto('next');
  },
});

