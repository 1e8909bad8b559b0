/**
 * dmabuf-vma step 1: "mmap_prepare swaps in a DMA-buf vm_file" (Jason
 * Gunthorpe, <20260227220427.GM5933@nvidia.com>, step 1; in code, Matt
 * Evans' RFC v2 vfio_pci_core_mmap_prep_dmabuf(),
 * <20260312184613.3710705-1-mattev@meta.com>).
 *
 * The checks of v6.19's vfio_pci_core_mmap(), in its order, on the
 * vm_area_desc; then a fresh VFIO dma-buf with one range, exactly the span
 * being mapped, is exported and registered as the feature ioctl does
 * (registration reference, revoked iff memory is off, decided under
 * memory_lock (write) and the resv, linked on vdev->dmabufs so every zap
 * site's vfio_pci_dma_buf_move() revokes it). desc->vm_file becomes the
 * dma-buf's file: the VMA takes over the export's reference (v6.19
 * call_mmap_prepare(): no get_file on a replaced vm_file), and the vfio file
 * reference the VMA would have held is kept by priv->vfile and put when the
 * buffer is released. desc->pgoff becomes 0: from now on vm_pgoff is a page
 * offset inside the buffer, not the vfio region offset.
 *
 * The VMA is linked into file(vm_file)->f_mapping, the dma-buf's own anon
 * inode (dma_buf_getfile), not the vfio device inode that
 * vfio_pci_zap_bars() walks: the hazard of stages 1–3 (docs/designs.md).
 * v6.19's mmap_prepare contract wants no side effect to undo; this one
 * makes a buffer, which the model's mmap_region never has to undo (nothing
 * after ->mmap_prepare fails in the model).
 */
import { path } from '../../kernel/sched/path.js';
import type { Value } from '../../kernel/sched/types.js';
import { hex } from '../../kernel/events.js';
import { EINVAL } from '../../uapi/errno.js';
import { vmFlagsSet } from '../../mm/types.js';
import type { PageProt } from '../../mm/types.js';
import { setMmapDesc } from '../../mm/mmap-vma.js';
import { getFile } from '../../fs/file-table.js';
import { pciResourceStart } from '../../pci/device.js';
import { PAGE_SHIFT, vdevName } from '../../vfio/pci/device.js';
import {
  VFIO_PCI_MMAP_FLAGS, VFIO_PCI_MMAP_OPS, pgoffIndex, pgoffInRegion, vfioPciMmapRefusal, vfioPciSetupBarmap,
} from '../../vfio/pci/mmap.js';
import { downWriteMemoryLock } from '../../vfio/pci/memory-lock.js';
import { vfioDeviceFops } from '../../vfio/pci/index.js';
import { vfio_pci_dma_buf_release } from '../../vfio/pci/dmabuf.js';
import type { DesignVfioDmaBuf } from '../common/vfio-dmabuf.js';
import { dmaBufHugeFault, dmaBufPageFault } from '../common/dmabuf-fault.js';
import { addField, addPath, patch, patchPath, replacePath, setFileOps } from '../patch.js';
import { createVfioDmaBuf, registerVfioDmaBufLocked } from '../../vfio/pci/dmabuf-create.js';

type PrepareLocals = {
  mm: number;
  file: number;
  start: number;
  end: number;
  pgoff: number;
  vm_file: number;
  vm_flags: number;
  page_prot: Value;
  vm_ops: string;
  private_data: Value;
  vdev: number;
  priv: number;
  dmabuf: number;
};

/** models vfio_pci_core_mmap_prepare() of dmabuf-vma: locals are the vm_area_desc's. */
export const vfio_pci_core_mmap_prepare = path<PrepareLocals>()('vfio_pci_core_mmap_prepare', 'entry', {
  entry: (cx) => {
    const vdev = cx.k.get('files', cx.l.file).private_data;
    const index = pgoffIndex(cx.l.pgoff);
    const why = vfioPciMmapRefusal(cx.k, vdev, cx.l);
    if (why !== null) {
      cx.emit('device', 'vfio_pci_core_mmap_prepare', { dev: vdevName(cx.k, vdev), index, ret: -EINVAL, why });
      return cx.ret(-EINVAL);
    }
    vfioPciSetupBarmap(cx.k, vdev, index);
    const dev = cx.k.get('pci', cx.k.get('vfio', vdev).pdev);
    const req_len = cx.l.end - cx.l.start;
    const req_start = pgoffInRegion(cx.l.pgoff) * 2 ** PAGE_SHIFT;
    const made = createVfioDmaBuf(cx.k, cx.tid, {
      vdev, region_index: index, phys_vec: [{ paddr: pciResourceStart(dev, index) + req_start, len: req_len }],
      size: req_len, open_flags: cx.k.get('files', cx.l.file).f_flags, fields: { vfile: cx.l.file },
    }, 'vfio_pci_dma_buf_export');
    if (typeof made === 'number') {
      cx.emit('device', 'vfio_pci_core_mmap_prepare', { dev: vdevName(cx.k, vdev), index, ret: made });
      return cx.ret(made);
    }
    getFile(cx.k, cx.l.file, cx.tid); // priv->vfile
    cx.l.vdev = vdev;
    cx.l.priv = made.priv;
    cx.l.dmabuf = made.dmabuf;
    cx.goto('down_write');
  },
  down_write: downWriteMemoryLock('resv_lock'),
  resv_lock: (cx) => {
    if (!registerVfioDmaBufLocked(cx)) return;
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const prot: PageProt = { cache: 'UC', decrypted: true };
    const vm_flags = vmFlagsSet(cx.l.vm_flags, VFIO_PCI_MMAP_FLAGS);
    setMmapDesc(cx, { vm_file: d.file, pgoff: 0, vm_flags, page_prot: prot, vm_ops: VFIO_PCI_MMAP_OPS, private_data: cx.l.priv });
    cx.emit('device', 'vfio_pci_core_mmap_prepare', {
      dev: vdevName(cx.k, cx.l.vdev), start: hex(cx.l.start), end: hex(cx.l.end), dmabuf: d.id, vm_file: d.file, ret: 0,
    });
    cx.ret(0);
  },
});

/**
 * vfio_pci_dma_buf_release() of a BAR-mmap buffer: v6.19's, then
 * fput(priv->vfile), the vfio file reference the VMA would have held. That
 * fput can be the vfio file's last, whose release closes the device.
 */
export const putVfile = patchPath(vfio_pci_dma_buf_release).locals<{ vfile: number }>()
  .add('done', (cx) => cx.ret(0))
  .replace('entry', (cx) => {
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
  })
  .replace('free', (cx) => {
    cx.emit('dmabuf', 'vfio_pci_dma_buf_release', {
      dmabuf: cx.l.dmabuf, vdev: cx.l.vdev === 0 ? 'NULL' : vdevName(cx.k, cx.l.vdev), vfile: cx.l.vfile,
    });
    cx.k.remove('vfio_dmabufs', cx.l.priv);
    if (cx.l.vfile === 0) return cx.ret(0);
    cx.call('fput', { file: cx.l.vfile }, 'r', 'done');
  });

/** The BAR fault handlers of step 1: a single-range look-up, v6.19's memory-enable check. */
export const vfio_pci_mmap_huge_fault = dmaBufHugeFault('vfio_pci_mmap_huge_fault', 'single', 'memory');
export const vfio_pci_mmap_page_fault = dmaBufPageFault('vfio_pci_mmap_page_fault', 'vfio_pci_mmap_huge_fault');

export const step1MmapPrepare = patch(
  'vfio/pci: put a DMA-buf under every BAR mmap (mmap_prepare swaps in its vm_file)',
  'Jason Gunthorpe <20260227220427.GM5933@nvidia.com> step 1; RFC v2 <20260312184613.3710705-1-mattev@meta.com>',
  addField('vfio_dmabufs', 'vfile', 'the vfio device file a BAR-mmap dma-buf was made from; put on release', { holds: 'files' }),
  addPath(vfio_pci_core_mmap_prepare),
  setFileOps(vfioDeviceFops, { mmap: undefined, mmap_prepare: 'vfio_pci_core_mmap_prepare' }),
  replacePath(vfio_pci_mmap_huge_fault),
  replacePath(vfio_pci_mmap_page_fault),
  putVfile,
);
