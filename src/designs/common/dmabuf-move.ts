/**
 * vfio_pci_dma_buf_move() and vfio_pci_dma_buf_cleanup() as the dma-buf
 * designs change them (base: drivers/vfio/pci/vfio_pci_dmabuf.c, v6.19;
 * see src/vfio/pci/dmabuf-move.ts for the unchanged version).
 *
 * `zap`: a revoke also removes every CPU mapping of the buffer with
 * unmap_mapping_range(dmabuf->file->f_mapping, 0, size, 1), under the
 * buffer's resv after move_notify (RFC1 3/7; the shared-base design, whose
 * dma-buf VMAs live in each dma-buf's own address_space).
 * `perm`: un-revoking leaves a permanently revoked buffer alone (RFC1 5/7).
 *
 * Locking as v6.19: move runs with memory_lock held for write by its caller;
 * cleanup takes it itself; each flip is under the buffer's resv. The zap
 * nests i_mmap_rwsem (read) and the page-table lock inside both.
 */
import { path } from '../../kernel/sched/path.js';
import type { Path } from '../../kernel/sched/path.js';
import { getFileActive } from '../../fs/file-table.js';
import { fputDeferred } from '../../dma-buf/task-work.js';
import { vdevName } from '../../vfio/pci/device.js';
import type { DesignVfioDmaBuf } from './vfio-dmabuf.js';

export interface MoveSpec {
  readonly zap: boolean;
  readonly perm: boolean;
}

type MoveLocals = {
  vdev: number;
  revoked: boolean;
  todo: readonly number[];
  i: number;
  cur: number;
  x: number;
};

/** The unmap_mapping_range locals that zap every page of a dma-buf's own address_space. */
function zapArgs(k: import('../../kernel/kernel.js').Kernel, dmabuf: number) {
  const d = k.get('dmabufs', dmabuf);
  return { inode: k.get('files', d.file).f_mapping, holebegin: 0, holelen: d.size, even_cows: true };
}

/** models vfio_pci_dma_buf_move() of a design; memory_lock held for write by the caller. */
export function dmaBufMovePath(spec: MoveSpec): Path {
  return path<MoveLocals>('vfio_pci_dma_buf_move', 'entry', {
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
      const p = cx.k.find('vfio_dmabufs', priv) as DesignVfioDmaBuf | undefined;
      if (p === undefined) {
        cx.emit('warn', 'vfio_pci_dma_buf_move', { report: 'KASAN: use-after-free: freed vfio_pci_dma_buf on vdev->dmabufs', priv });
        return cx.goto('next');
      }
      if (!getFileActive(cx.k, cx.k.get('dmabufs', p.dmabuf).file, cx.tid)) return cx.goto('next');
      cx.l.cur = priv;
      const stays = p.revoked === cx.l.revoked || (spec.perm && p.perm === true && !cx.l.revoked);
      if (stays) return cx.goto('put');
      cx.goto('resv_lock');
    },
    resv_lock: (cx) => {
      const p = cx.k.get('vfio_dmabufs', cx.l.cur);
      const d = cx.k.get('dmabufs', p.dmabuf);
      if (!cx.lock(d.resv, 'write')) return;
      cx.k.mut('vfio_dmabufs', p.id).revoked = cx.l.revoked;
      cx.emit('dmabuf', 'vfio_pci_dma_buf_move', { dev: vdevName(cx.k, cx.l.vdev), dmabuf: d.id, revoked: cx.l.revoked });
      cx.call('dma_buf_move_notify', { dmabuf: d.id }, 'x', 'zap');
    },
    zap: (cx) => {
      const p = cx.k.get('vfio_dmabufs', cx.l.cur);
      if (!spec.zap || !cx.l.revoked) return cx.goto('resv_unlock');
      cx.call('unmap_mapping_range', zapArgs(cx.k, p.dmabuf), 'x', 'resv_unlock');
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
}

type CleanupLocals = { vdev: number; todo: readonly number[]; i: number; cur: number; x: number };

/** models vfio_pci_dma_buf_cleanup() of a design: the device's last close revokes every buffer for good. */
export function dmaBufCleanupPath(spec: Pick<MoveSpec, 'zap'>): Path {
  return path<CleanupLocals>('vfio_pci_dma_buf_cleanup', 'down_write', {
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
      const p = cx.k.find('vfio_dmabufs', priv);
      if (p === undefined) {
        cx.emit('warn', 'vfio_pci_dma_buf_cleanup', { report: 'KASAN: use-after-free: freed vfio_pci_dma_buf on vdev->dmabufs', priv });
        return cx.goto('next');
      }
      if (!getFileActive(cx.k, cx.k.get('dmabufs', p.dmabuf).file, cx.tid)) return cx.goto('next');
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
      cx.call('dma_buf_move_notify', { dmabuf: d.id }, 'x', 'zap');
    },
    zap: (cx) => {
      const p = cx.k.get('vfio_dmabufs', cx.l.cur);
      if (!spec.zap) return cx.goto('resv_unlock');
      cx.call('unmap_mapping_range', zapArgs(cx.k, p.dmabuf), 'x', 'resv_unlock');
    },
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
