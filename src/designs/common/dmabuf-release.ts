/**
 * vfio_pci_dma_buf_release() for designs whose BAR-mmap dma-bufs keep the
 * vfio device file (priv->vfile, Matt Evans RFC v2): as v6.19 (unlink under
 * memory_lock write, drop the registration while vdev is set, free priv),
 * then fput(priv->vfile). That fput can be the last reference of the vfio
 * file, whose release then closes the device.
 */
import { path } from '../../kernel/sched/path.js';
import { vdevName } from '../../vfio/pci/device.js';
import type { DesignVfioDmaBuf } from './vfio-dmabuf.js';

type ReleaseLocals = { dmabuf: number; priv: number; vdev: number; vfile: number; r: number };

/** models vfio_pci_dma_buf_release() with the vfile put. */
export const vfioPciDmaBufReleaseVfile = path<ReleaseLocals>('vfio_pci_dma_buf_release', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const p = cx.k.find('vfio_dmabufs', d.priv) as DesignVfioDmaBuf | undefined;
    if (p === undefined) {
      cx.emit('warn', 'vfio_pci_dma_buf_release', { report: 'KASAN: use-after-free of struct vfio_pci_dma_buf', dmabuf: d.id });
      return cx.ret(0);
    }
    cx.l.priv = p.id;
    cx.l.vdev = p.vdev;
    cx.l.vfile = p.vfile ?? 0;
    if (p.vdev === 0) return cx.goto('free');
    cx.goto('down_write');
  },
  down_write: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.lock(v.memory_lock, 'write')) return;
    cx.k.mut('vfio', v.id).dmabufs = v.dmabufs.filter((x) => x !== cx.l.priv);
    cx.k.mut('vfio_dmabufs', cx.l.priv).listed = false;
    cx.unlock(v.memory_lock);
    cx.k.mut('vfio', v.id).registration = cx.k.get('vfio', v.id).registration - 1;
    cx.emit('device', 'vfio_device_put_registration', { dev: vdevName(cx.k, v.id), registration: cx.k.get('vfio', v.id).registration });
    cx.goto('free');
  },
  free: (cx) => {
    cx.emit('dmabuf', 'vfio_pci_dma_buf_release', {
      dmabuf: cx.l.dmabuf, vdev: cx.l.vdev === 0 ? 'NULL' : vdevName(cx.k, cx.l.vdev), vfile: cx.l.vfile,
    });
    cx.k.remove('vfio_dmabufs', cx.l.priv);
    if (cx.l.vfile === 0) return cx.ret(0);
    cx.call('fput', { file: cx.l.vfile }, 'r', 'done');
  },
  done: (cx) => cx.ret(0),
});
