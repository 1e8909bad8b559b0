/**
 * v3 4/9 "vfio/pci: Convert BAR mmap() to use a DMABUF": Jason
 * Gunthorpe's steps 1–3 (<20260227220427.GM5933@nvidia.com>) done in
 * f_op->mmap, not mmap_prepare. vfio_pci_core_mmap() checks the request as
 * v6.19 does, makes a single-range dma-buf of exactly the span (3/9's
 * helper; kref and completion armed as every v7.1 buffer), registers it
 * under memory_lock (write) and its resv, and rewrites the VMA: vm_file
 * becomes the dma-buf's file (the VMA takes over the export's reference;
 * its vfio file reference moves to priv->vfile, no get/put), vm_pgoff a
 * page offset in the buffer (0), vm_private_data the buffer. The fault path
 * reads the buffer, takes memory_lock for read, SIGBUSes a revoked buffer,
 * looks the pfn up over every range and falls back on -EAGAIN.
 */
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { EINVAL } from '../../uapi/errno.js';
import { vmFlagsSet, vmFlagsString } from '../../mm/types.js';
import type { PageProt } from '../../mm/types.js';
import { setMmapVma } from '../../mm/mmap-vma.js';
import { pciResourceStart } from '../../pci/device.js';
import { PAGE_SHIFT, vdevName } from '../../vfio/pci/device.js';
import type { FopMmapLocals } from '../../vfio/pci/mmap.js';
import {
  VFIO_PCI_MMAP_FLAGS, VFIO_PCI_MMAP_OPS, pgoffIndex, pgoffInRegion, vfioPciMmapRefusal, vfioPciSetupBarmap,
} from '../../vfio/pci/mmap.js';
import { downWriteMemoryLock } from '../../vfio/pci/memory-lock.js';
import { createVfioDmaBuf, registerVfioDmaBufLocked } from '../../vfio/pci/dmabuf-create.js';
import { dmaBufHugeFault, dmaBufPageFault } from '../common/dmabuf-fault.js';
import { initRevokeWait } from '../revoke-v7.1/0004-wait-for-invalidation.js';
import { patch, replacePath } from '../patch.js';
import { v3Cite } from './cite.js';

type MmapLocals = FopMmapLocals & { vdev: number; priv: number; dmabuf: number };

/** models vfio_pci_core_mmap() of v3: the BAR mmap is a mapping of a fresh dma-buf. */
export const vfio_pci_core_mmap = path<MmapLocals>()('vfio_pci_core_mmap', 'entry', {
  entry: (cx) => {
    const vdev = cx.k.get('files', cx.l.file).private_data;
    const index = pgoffIndex(cx.l.vm_pgoff);
    const why = vfioPciMmapRefusal(cx.k, vdev, {
      start: cx.l.vm_start, end: cx.l.vm_end, pgoff: cx.l.vm_pgoff, vm_flags: cx.l.vm_flags, file: cx.l.file,
    });
    if (why !== null) {
      cx.emit('device', 'vfio_pci_core_mmap', { dev: vdevName(cx.k, vdev), index, ret: -EINVAL, why });
      return cx.ret(-EINVAL);
    }
    vfioPciSetupBarmap(cx.k, vdev, index);
    const dev = cx.k.get('pci', cx.k.get('vfio', vdev).pdev);
    const len = cx.l.vm_end - cx.l.vm_start;
    const start = pgoffInRegion(cx.l.vm_pgoff) * 2 ** PAGE_SHIFT;
    // vfio_pci_core_mmap_prep_dmabuf(): priv->vfile takes over the VMA's reference on the vfio file.
    const made = createVfioDmaBuf(cx.k, cx.tid, {
      vdev, region_index: index, phys_vec: [{ paddr: pciResourceStart(dev, index) + start, len }],
      size: len, open_flags: cx.k.get('files', cx.l.file).f_flags, fields: { vfile: cx.l.file },
    }, 'vfio_pci_core_mmap_prep_dmabuf');
    if (typeof made === 'number') {
      cx.emit('device', 'vfio_pci_core_mmap', { dev: vdevName(cx.k, vdev), index, ret: made });
      return cx.ret(made);
    }
    initRevokeWait(cx.k, made.priv);
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
    setMmapVma(cx, { vm_file: d.file, vm_pgoff: 0, vm_flags, vm_page_prot: prot, vm_ops: VFIO_PCI_MMAP_OPS, vm_private_data: cx.l.priv });
    cx.emit('device', 'vfio_pci_core_mmap', {
      dev: vdevName(cx.k, cx.l.vdev), start: hex(cx.l.vm_start), end: hex(cx.l.vm_end), dmabuf: d.id, vm_file: d.file,
      flags: vmFlagsString(vm_flags), ret: 0,
    });
    cx.ret(0);
  },
});

export const vfio_pci_mmap_huge_fault = dmaBufHugeFault('vfio_pci_mmap_huge_fault', 'multi', 'revoked');
export const vfio_pci_mmap_page_fault = dmaBufPageFault('vfio_pci_mmap_page_fault', 'vfio_pci_mmap_huge_fault');

export const convertBarMmap = patch(
  'vfio/pci: Convert BAR mmap() to use a DMABUF',
  v3Cite(4),
  replacePath(vfio_pci_core_mmap),
  replacePath(vfio_pci_mmap_huge_fault),
  replacePath(vfio_pci_mmap_page_fault),
);
