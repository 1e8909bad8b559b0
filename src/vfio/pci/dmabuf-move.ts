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
 * Both paths are built from the choices the dma-buf designs make
 * ({@link DmaBufMoveChoices}); with every choice off they are v6.19's, the
 * paths `legacy` runs.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import type { Path, Step } from '../../kernel/sched/path.js';
import { getFileActive } from '../../fs/file-table.js';
import { fputDeferred } from '../../dma-buf/task-work.js';
import type { DesignVfioDmaBuf } from '../../designs/common/vfio-dmabuf.js';
import { vdevName } from './device.js';

/** What a design changes in vfio_pci_dma_buf_move() and vfio_pci_dma_buf_cleanup(). */
export interface DmaBufMoveChoices {
  /**
   * A revoke also removes every CPU mapping of the buffer:
   * unmap_mapping_range(dmabuf->file->f_mapping, 0, size, 1) under the
   * buffer's resv, after move_notify (RFC1 3/7, whose dma-buf VMAs live in
   * each dma-buf's own address_space; shared-base). The zap nests
   * i_mmap_rwsem (read) and the page-table lock inside memory_lock and the resv.
   */
  readonly zapOwnMapping: boolean;
  /** Un-revoking leaves a permanently revoked buffer alone (RFC1 5/7). */
  readonly permanentRevoke: boolean;
}

/** v6.19: no dma-buf mmap to zap, no permanent revoke. */
export const V6_19_DMABUF_MOVE: DmaBufMoveChoices = { zapOwnMapping: false, permanentRevoke: false };

type MoveLocals = {
  vdev: number;
  revoked: boolean;
  todo: readonly number[];
  i: number;
  cur: number;
  x: number;
};

/** The dma-buf behind a listed private object, or a KASAN report when the object was freed. */
function listedDmaBuf(cx: { k: Kernel; emit: (kind: 'warn', fn: string, args: Record<string, number | string>) => void }, fn: string, priv: number): number {
  const p = cx.k.find('vfio_dmabufs', priv);
  if (p === undefined) {
    cx.emit('warn', fn, { report: 'KASAN: use-after-free: freed vfio_pci_dma_buf on vdev->dmabufs', priv });
    return 0;
  }
  return p.dmabuf;
}

/**
 * The unmap_mapping_range locals that zap every page of a dma-buf's own
 * address_space: unmap_mapping_range(dmabuf->file->f_mapping, 0, size, 1).
 */
export function zapOwnMappingArgs(k: Kernel, dmabuf: number) {
  const d = k.get('dmabufs', dmabuf);
  return { inode: k.get('files', d.file).f_mapping, holebegin: 0, holelen: d.size, even_cows: true };
}

/** models vfio_pci_dma_buf_move() as `choices` make it; memory_lock held for write by the caller. */
export function dmaBufMovePath(choices: DmaBufMoveChoices): Path {
  // After move_notify: the design's zap of the buffer's own mapping, or straight to the unlock.
  const afterNotify = choices.zapOwnMapping ? 'zap' : 'resv_unlock';
  return path<MoveLocals>()('vfio_pci_dma_buf_move', 'entry', {
    entry: (cx) => {
      const v = cx.k.get('vfio', cx.l.vdev);
      if (!cx.holds(v.memory_lock, 'write')) {
        cx.emit('warn', 'vfio_pci_dma_buf_move', { report: 'lockdep_assert_held_write(&vdev->memory_lock)', dev: vdevName(cx.k, v.id) });
      }
      cx.l.todo = v.dmabufs;
      cx.l.i = 0;
      cx.goto('next');
    },
    next: (cx) => {
      const priv = cx.l.todo[cx.l.i];
      if (priv === undefined) return cx.ret(0);
      cx.l.i += 1;
      const dmabuf = listedDmaBuf(cx, 'vfio_pci_dma_buf_move', priv);
      if (dmabuf === 0) return cx.goto('next');
      if (!getFileActive(cx.k, cx.k.get('dmabufs', dmabuf).file, cx.tid)) return cx.goto('next');
      cx.l.cur = priv;
      const p = cx.k.get('vfio_dmabufs', priv) as DesignVfioDmaBuf;
      const stays = p.revoked === cx.l.revoked || (choices.permanentRevoke && p.perm === true && !cx.l.revoked);
      if (stays) return cx.goto('put');
      cx.goto('resv_lock');
    },
    resv_lock: (cx) => {
      const p = cx.k.get('vfio_dmabufs', cx.l.cur);
      const d = cx.k.get('dmabufs', p.dmabuf);
      if (!cx.lock(d.resv, 'write')) return;
      cx.k.mut('vfio_dmabufs', p.id).revoked = cx.l.revoked;
      cx.emit('dmabuf', 'vfio_pci_dma_buf_move', { dev: vdevName(cx.k, cx.l.vdev), dmabuf: d.id, revoked: cx.l.revoked });
      cx.call('dma_buf_move_notify', { dmabuf: d.id }, 'x', afterNotify);
    },
    ...(choices.zapOwnMapping ? {
      zap: (cx) => {
        const p = cx.k.get('vfio_dmabufs', cx.l.cur);
        if (!cx.l.revoked) return cx.goto('resv_unlock');
        cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, p.dmabuf), 'x', 'resv_unlock');
      },
    } satisfies Record<string, Step<MoveLocals>> : {}),
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
}

type CleanupLocals = { vdev: number; todo: readonly number[]; i: number; cur: number; x: number };

/** models vfio_pci_dma_buf_cleanup() as `choices` make it: the device's last close. */
export function dmaBufCleanupPath(choices: Pick<DmaBufMoveChoices, 'zapOwnMapping'>): Path {
  const afterNotify = choices.zapOwnMapping ? 'zap' : 'resv_unlock';
  return path<CleanupLocals>()('vfio_pci_dma_buf_cleanup', 'down_write', {
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
      cx.call('dma_buf_move_notify', { dmabuf: d.id }, 'x', afterNotify);
    },
    ...(choices.zapOwnMapping ? {
      zap: (cx) => {
        const p = cx.k.get('vfio_dmabufs', cx.l.cur);
        cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, p.dmabuf), 'x', 'resv_unlock');
      },
    } satisfies Record<string, Step<CleanupLocals>> : {}),
    resv_unlock: (cx) => {
      const p = cx.k.get('vfio_dmabufs', cx.l.cur);
      const d = cx.k.get('dmabufs', p.dmabuf);
      cx.unlock(d.resv);
      const v = cx.k.get('vfio', cx.l.vdev);
      cx.k.mut('vfio', v.id).registration = v.registration - 1;
      cx.emit('device', 'vfio_device_put_registration', { dev: vdevName(cx.k, v.id), registration: v.registration - 1 });
      fputDeferred(cx.k, d.file, cx.tid);
      cx.goto('next');
    },
  });
}

/** models vfio_pci_dma_buf_move() (v6.19). */
export const vfio_pci_dma_buf_move = dmaBufMovePath(V6_19_DMABUF_MOVE);

/** models vfio_pci_dma_buf_cleanup() (v6.19). */
export const vfio_pci_dma_buf_cleanup = dmaBufCleanupPath(V6_19_DMABUF_MOVE);
