/**
 * What an importer driver does with a dma-buf fd user space hands it, as
 * kernel paths a task runs (the task stands for the ioctl into the importer
 * driver: RDMA reg_mr with a dma-buf fd, a GPU's prime import, iommufd's
 * IOMMU_IOAS_MAP_FILE), and the device's DMA through its mapping.
 *
 *   dmabuf_importer_attach {importer, fd}  dma_buf_get(fd) + dma_buf_dynamic_attach;
 *                                          returns the attachment id; the
 *                                          attachment keeps the file reference
 *   dmabuf_importer_map {attachment}       under the resv: dynamic → map_attachment;
 *                                          pinned → dma_buf_pin then map (unpin on
 *                                          failure); iommufd → the VFIO private
 *                                          interconnect vfio_pci_dma_buf_iommufd_map
 *   dmabuf_importer_unmap {attachment}     under the resv: unmap (pinned: then unpin)
 *   dmabuf_importer_detach {attachment}    unmap if still mapped, dma_buf_detach,
 *                                          dma_buf_put
 *   importer_dma {attachment, offset, size, write, value}
 *                                          one DMA of the device at a buffer offset
 *
 * Simplifications: the map/attach steps of an importer are separate actions
 * (the kernel's importers chain them in one ioctl and detach on a failed
 * map; a scenario does that explicitly); mapping an attachment that is
 * already mapped answers -EBUSY; one mapping per attachment.
 */
import { dmaBufRevoked, dmaBufRevokeComplete } from './revoke-state.js';
import { path } from '../kernel/sched/path.js';
import type { Cx, Step } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { hex } from '../kernel/events.js';
import { fget } from '../fs/fd.js';
import { physAccess } from '../pci/memory.js';
import { EBADF, EBUSY, EFAULT, EINVAL, EIO, EOPNOTSUPP } from '../uapi/errno.js';
import { isDmaBufFile } from './export.js';
import type { DmaBufAttachment, PhysVec } from './types.js';

/** The vfio-pci symbol iommufd looks up with symbol_get(). */
export const VFIO_IOMMUFD_MAP = 'vfio_pci_dma_buf_iommufd_map';

interface AttachLocals {
  readonly [key: string]: Value;
  importer: number;
  fd: number;
  file: number;
  r: number;
  x: number;
}

export const dmabuf_importer_attach = path<AttachLocals>()('dmabuf_importer_attach', 'get', {
  /** dma_buf_get(fd). */
  get: (cx) => {
    if (cx.k.find('importers', cx.l.importer) === undefined) return cx.ret(-EINVAL);
    const file = fget(cx.k, cx.pid, cx.l.fd, cx.tid);
    if (file === 0) return cx.ret(-EBADF);
    cx.l.file = file;
    if (!isDmaBufFile(cx.k, file)) {
      cx.l.r = -EINVAL;
      return cx.call('fput', { file }, 'x', 'out');
    }
    const dmabuf = cx.k.get('files', file).private_data;
    cx.call('dma_buf_dynamic_attach', { dmabuf, importer: cx.l.importer }, 'r', 'attached');
  },
  attached: (cx) => {
    if (cx.l.r >= 0) return cx.ret(cx.l.r);
    cx.call('fput', { file: cx.l.file }, 'x', 'out'); // dma_buf_put()
  },
  out: (cx) => cx.ret(cx.l.r),
});

interface MapLocals {
  readonly [key: string]: Value;
  attachment: number;
  resv: number;
  r: number;
  x: number;
}

/**
 * The start of a `lock` step: dma_resv_lock() of the attachment's buffer,
 * kept in `resv`. Null when the step must end: the attachment is gone
 * (returned -EINVAL) or the task sleeps on the resv.
 */
function lockAttachmentResv(cx: Cx<MapLocals>): DmaBufAttachment | null {
  const a = cx.k.find('attachments', cx.l.attachment);
  if (a === undefined) {
    cx.ret(-EINVAL);
    return null;
  }
  const resv = cx.k.get('dmabufs', a.dmabuf).resv;
  if (!cx.lock(resv, 'write')) return null;
  cx.l.resv = resv;
  return a;
}

/** The `unlock` step: dma_resv_unlock(), return r. */
const unlockResv: Step<MapLocals> = (cx) => {
  cx.unlock(cx.l.resv);
  cx.ret(cx.l.r);
};

export const dmabuf_importer_map = path<MapLocals>()('dmabuf_importer_map', 'lock', {
  lock: (cx) => {
    const a = lockAttachmentResv(cx);
    if (a === null) return;
    if (a.mapped !== null) {
      cx.l.r = -EBUSY;
      return cx.goto('unlock');
    }
    switch (cx.k.get('importers', a.importer).kind) {
      case 'dynamic':
      case 'deferred':
        return cx.call('dma_buf_map_attachment', { attach: a.id }, 'r', 'unlock');
      case 'pinned':
        return cx.call('dma_buf_pin', { attach: a.id }, 'r', 'pinned');
      case 'iommufd':
        if (!cx.k.design.paths.has(VFIO_IOMMUFD_MAP)) {
          cx.l.r = -EOPNOTSUPP;
          return cx.goto('unlock');
        }
        return cx.call(VFIO_IOMMUFD_MAP, { attach: a.id }, 'r', 'unlock');
    }
  },
  pinned: (cx) => {
    if (cx.l.r < 0) return cx.goto('unlock');
    cx.call('dma_buf_map_attachment', { attach: cx.l.attachment }, 'r', 'pinned_mapped');
  },
  pinned_mapped: (cx) => {
    if (cx.l.r >= 0) return cx.goto('unlock');
    cx.call('dma_buf_unpin', { attach: cx.l.attachment }, 'x', 'unlock');
  },
  unlock: unlockResv,
});

export const dmabuf_importer_unmap = path<MapLocals>()('dmabuf_importer_unmap', 'lock', {
  lock: (cx) => {
    const a = lockAttachmentResv(cx);
    if (a === null) return;
    cx.l.r = 0;
    if (a.mapped === null) return cx.goto('unpin');
    if (cx.k.get('importers', a.importer).kind === 'iommufd') {
      cx.k.mut('attachments', a.id).mapped = null;
      cx.emit('dmabuf', 'iopt_unmap_dmabuf', { attach: a.id });
      return cx.goto('unpin');
    }
    cx.call('dma_buf_unmap_attachment', { attach: a.id }, 'x', 'unpin');
  },
  unpin: (cx) => {
    if (!cx.k.get('attachments', cx.l.attachment).pinned) return cx.goto('unlock');
    cx.call('dma_buf_unpin', { attach: cx.l.attachment }, 'x', 'unlock');
  },
  unlock: unlockResv,
});

interface DetachLocals {
  readonly [key: string]: Value;
  attachment: number;
  file: number;
  r: number;
  x: number;
}

export const dmabuf_importer_detach = path<DetachLocals>()('dmabuf_importer_detach', 'unmap', {
  unmap: (cx) => {
    const a = cx.k.find('attachments', cx.l.attachment);
    if (a === undefined) return cx.ret(-EINVAL);
    cx.l.file = cx.k.get('dmabufs', a.dmabuf).file;
    cx.call('dmabuf_importer_unmap', { attachment: a.id }, 'x', 'detach');
  },
  detach: (cx) => cx.call('dma_buf_detach', { attach: cx.l.attachment }, 'x', 'put'),
  put: (cx) => cx.call('fput', { file: cx.l.file }, 'x', 'done'), // dma_buf_put()
  done: (cx) => cx.ret(0),
});

interface DmaLocals {
  readonly [key: string]: Value;
  attachment: number;
  offset: number;
  size: number;
  write: boolean;
  value: number;
}

/** Translate a buffer offset through the mapped ranges (the sg list in order). */
export function mappedPhys(mapped: readonly PhysVec[], offset: number, size: number): number | null {
  let base = 0;
  for (const p of mapped) {
    if (offset >= base && offset + size <= base + p.len) return p.paddr + (offset - base);
    base += p.len;
  }
  return null;
}

/**
 * One DMA by the importer's device at `offset` of the buffer, through its
 * mapping, without any lock (a device does not take the kernel's locks).
 * Emits an 'access' event `dma` whose outcome is: `no-mapping` (nothing
 * mapped: the IOMMU or the driver stops it; returns -EIO), the PCI outcome
 * (`unsupported-request` when the BAR does not decode memory, `no-device`),
 * `revoked-mapping-used` (the access reached a BAR through a mapping the
 * exporter has revoked: the importer ignored move_notify), or `ok` (also
 * while the revoke is in flight: the exporter still holds the resv it flips
 * the state and notifies under, so the importer has not been told yet).
 */
export const importer_dma = path<DmaLocals>()('importer_dma', 'entry', {
  entry: (cx) => {
    const a = cx.k.find('attachments', cx.l.attachment);
    if (a === undefined) return cx.ret(-EINVAL);
    const d = cx.k.get('dmabufs', a.dmabuf);
    const imp = cx.k.get('importers', a.importer);
    const revoked = dmaBufRevoked(cx.k, d);
    const base = {
      importer: imp.name, attach: a.id, dmabuf: d.id, offset: hex(cx.l.offset), size: cx.l.size,
      write: cx.l.write, revoked,
    };
    if (a.mapped === null) {
      cx.emit('access', 'dma', { ...base, outcome: 'no-mapping' });
      return cx.ret(-EIO);
    }
    const phys = mappedPhys(a.mapped, cx.l.offset, cx.l.size);
    if (phys === null) {
      cx.emit('access', 'dma', { ...base, outcome: 'no-mapping' });
      return cx.ret(-EFAULT);
    }
    const res = physAccess(cx.k, phys, cx.l.size, cx.l.write, cx.l.write ? (cx.l.value ?? 0) : 0);
    // A revoke is complete once the exporter drops the resv it flipped the state and notified under;
    // before that the importer has not been told yet and may still use its mapping.
    const outcome = res.outcome === 'ok' && dmaBufRevokeComplete(cx.k, d) ? 'revoked-mapping-used' : res.outcome;
    cx.emit('access', 'dma', { ...base, phys: hex(phys), value: hex(res.value), outcome });
    cx.ret(cx.l.write ? 0 : res.value);
  },
});
