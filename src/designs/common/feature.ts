/**
 * VFIO_DEVICE_FEATURE_DMA_BUF as RFC1 changes it (v6.19 base:
 * vfio_pci_core_feature_dma_buf; src/vfio/pci/dmabuf.ts):
 *  - 1/7: vfio_pci_core_setup_barmap() of the region before the buffer is
 *    made, so vfio-pci has requested the BAR that the buffer points at (B17a);
 *  - 6/7 (`memattr`): bits 28–31 of `flags` choose the mmap attribute,
 *    0 = uncached, 1 << 28 = write-combine; other values, and any other bit
 *    of `flags`, are -EINVAL (the RFC's answer to an unknown attribute is
 *    not recorded; v3 answers -ENOENT through a separate feature).
 * Everything else is v6.19: the checks in order, revoked iff memory is off
 * under memory_lock (write) and the resv, dma_buf_fd() last.
 */
import { path } from '../../kernel/sched/path.js';
import type { Path } from '../../kernel/sched/path.js';
import { EINVAL } from '../../uapi/errno.js';
import { leBytes, leValue } from '../../uapi/codec.js';
import { VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf } from '../../uapi/vfio.js';
import { dmaBufFd } from '../../dma-buf/export.js';
import { fputDeferred } from '../../dma-buf/task-work.js';
import { parseDmaBufRequest, vfioCheckFeature } from '../../vfio/pci/dmabuf.js';
import { vdevName } from '../../vfio/pci/device.js';
import { createVfioDmaBuf, registerVfioDmaBuf } from './dmabuf-create.js';
import type { DmaBufMemAttr } from './vfio-dmabuf.js';

/** RFC1 6/7: the mmap attribute field of vfio_device_feature_dma_buf.flags. */
export const VFIO_DMABUF_FL_MMAP_ATTR_SHIFT = 28;
export const VFIO_DMABUF_FL_MMAP_ATTR_MASK = 0xf * 2 ** VFIO_DMABUF_FL_MMAP_ATTR_SHIFT;
export const VFIO_DMABUF_MMAP_ATTR_UC = 0;
export const VFIO_DMABUF_MMAP_ATTR_WC = 1 * 2 ** VFIO_DMABUF_FL_MMAP_ATTR_SHIFT;

/** Byte offset of `flags` in struct vfio_device_feature_dma_buf. */
const FLAGS_AT = 8;

export interface FeatureSpec {
  readonly setupBarmap: boolean;
  readonly memattr: boolean;
}

type FeatureLocals = {
  vdev: number;
  flags: number;
  argsz: number;
  arg: readonly number[];
  argFault: boolean;
  priv: number;
  dmabuf: number;
  open_flags: number;
  r: number;
  x: number;
};

/** The attribute bits taken out of the request's flags: [arg with them cleared, attr] or -EINVAL. */
function takeMemAttr(arg: readonly number[]): [readonly number[], DmaBufMemAttr] | number {
  if (arg.length < vfio_device_feature_dma_buf.size) return [arg, 'UC'];
  const flags = leValue(arg.slice(FLAGS_AT, FLAGS_AT + 4));
  const attr = flags - (flags % 2 ** VFIO_DMABUF_FL_MMAP_ATTR_SHIFT);
  if (attr !== VFIO_DMABUF_MMAP_ATTR_UC && attr !== VFIO_DMABUF_MMAP_ATTR_WC) return -EINVAL;
  const rest = [...arg];
  rest.splice(FLAGS_AT, 4, ...leBytes(flags - attr, 4));
  return [rest, attr === VFIO_DMABUF_MMAP_ATTR_WC ? 'WC' : 'UC'];
}

/** models vfio_pci_core_feature_dma_buf() with the RFC1 changes chosen by `spec`. */
export function featureDmaBufPath(spec: FeatureSpec): Path {
  return path<FeatureLocals>('vfio_pci_core_feature_dma_buf', 'entry', {
    entry: (cx) => {
      const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf.size);
      if (chk !== 1) return cx.ret(chk);
      let arg = cx.l.arg;
      let memattr: DmaBufMemAttr = 'UC';
      if (spec.memattr && !cx.l.argFault) {
        const got = takeMemAttr(arg);
        if (typeof got === 'number') return cx.ret(got);
        [arg, memattr] = got;
      }
      const req = parseDmaBufRequest(cx.k, cx.l.vdev, arg, cx.l.argFault);
      if (typeof req === 'number') return cx.ret(req);
      if (spec.setupBarmap) {
        // 1/7: vfio_pci_core_setup_barmap(vdev, region_index): request the BAR (never fails here)
        const v = cx.k.get('vfio', cx.l.vdev);
        if (!v.barmap[req.region_index]) {
          const barmap = [...v.barmap];
          barmap[req.region_index] = true;
          cx.k.mut('vfio', v.id).barmap = barmap;
          cx.emit('device', 'vfio_pci_core_setup_barmap', { dev: vdevName(cx.k, v.id), bar: req.region_index });
        }
      }
      const made = createVfioDmaBuf(cx.k, cx.tid, {
        vdev: cx.l.vdev, region_index: req.region_index, phys_vec: req.phys_vec, size: req.size,
        open_flags: req.open_flags, ...(spec.memattr ? { memattr } : {}),
      });
      if (typeof made === 'number') return cx.ret(made);
      cx.l.priv = made.priv;
      cx.l.dmabuf = made.dmabuf;
      cx.l.open_flags = req.open_flags;
      cx.goto('down_write');
    },
    down_write: (cx) => {
      if (!cx.lock(cx.k.get('vfio', cx.l.vdev).memory_lock, 'write')) return;
      cx.goto('resv_lock');
    },
    resv_lock: (cx) => {
      const d = cx.k.get('dmabufs', cx.l.dmabuf);
      if (!cx.lock(d.resv, 'write')) return;
      registerVfioDmaBuf(cx.k, cx.tid, cx.l.priv);
      cx.unlock(d.resv);
      cx.unlock(cx.k.get('vfio', cx.l.vdev).memory_lock);
      cx.goto('fd');
    },
    fd: (cx) => {
      const fd = dmaBufFd(cx.k, cx.pid, cx.l.dmabuf, cx.l.open_flags, cx.tid);
      if (fd >= 0) return cx.ret(fd);
      // err_dma_buf as v6.19: dma_buf_put, then the registration and priv go although release frees them too.
      cx.l.r = fd;
      fputDeferred(cx.k, cx.k.get('dmabufs', cx.l.dmabuf).file, cx.tid);
      const v = cx.k.get('vfio', cx.l.vdev);
      cx.k.mut('vfio', v.id).registration = v.registration - 1;
      cx.k.remove('vfio_dmabufs', cx.l.priv);
      cx.call('task_work_run', {}, 'x', 'out');
    },
    out: (cx) => cx.ret(cx.l.r),
  });
}
