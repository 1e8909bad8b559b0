/**
 * Steps that take and drop vdev->memory_lock, and the dma-buf revoke and
 * un-revoke every zap site runs under it (vfio_pci_core.c,
 * vfio_pci_config.c, v6.19), shared by the paths whose locals name the
 * device `vdev`.
 */
import type { Cx, Step } from '../../kernel/sched/path.js';
import { vfioPciMemoryEnabled } from './device.js';

/** A step: down_write(&vdev->memory_lock), then continue at `then`. */
export function downWriteMemoryLock(then: string): Step<{ vdev: number }> {
  return (cx) => {
    if (!cx.lock(cx.k.get('vfio', cx.l.vdev).memory_lock, 'write')) return;
    cx.goto(then);
  };
}

/**
 * A step: up_write(&vdev->memory_lock), then task_work_run() for the dma-buf
 * files whose last fput vfio_pci_dma_buf_move() deferred, then `then`.
 */
export function upWriteMemoryLock(then: string): Step<{ vdev: number; x: number }> {
  return (cx) => {
    cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
    cx.call('task_work_run', {}, 'x', then);
  };
}

/**
 * A step at a zap site, memory_lock held for write after the zap:
 * vfio_pci_dma_buf_move(vdev, true) revokes the device's dma-bufs, then `then`.
 */
export function revokeDmaBufs(then: string): Step<{ vdev: number; x: number }> {
  return (cx) => cx.call('vfio_pci_dma_buf_move', { vdev: cx.l.vdev, revoked: true }, 'x', then);
}

/**
 * The end of a step at a zap site, memory_lock held for write: when the
 * device decodes memory again, vfio_pci_dma_buf_move(vdev, false)
 * un-revokes its dma-bufs; then `then`.
 */
export function unrevokeDmaBufsIfEnabled(cx: Cx<{ vdev: number; x: number }>, then: string): void {
  if (vfioPciMemoryEnabled(cx.k, cx.l.vdev)) {
    return cx.call('vfio_pci_dma_buf_move', { vdev: cx.l.vdev, revoked: false }, 'x', then);
  }
  cx.goto(then);
}
