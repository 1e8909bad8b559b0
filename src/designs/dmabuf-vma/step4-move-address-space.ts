/**
 * dmabuf-vma step 4: "Move the address space from the vfio to the dmabuf"
 * (Jason Gunthorpe, <20260227220427.GM5933@nvidia.com>). Every BAR mapping
 * now lives in the i_mmap of its own dma-buf, so vfio_pci_zap_bars() (each
 * disable site calls it with memory_lock held for write) walks
 * vdev->dmabufs and zaps each buffer's address_space whole; the vfio device
 * inode maps nothing any more. A dma-buf that is not on vdev->dmabufs
 * (cleaned up: its vdev is NULL) is not reached.
 */
import { path } from '../../kernel/sched/path.js';
import { vdevName } from '../../vfio/pci/device.js';
import { zapOwnMappingArgs } from '../common/vfio-dmabuf.js';
import { patch, replacePath } from '../patch.js';

type ZapLocals = { vdev: number; todo: readonly number[]; i: number; x: number; r: number };

/** models vfio_pci_zap_bars() of step 4: unmap_mapping_range(dmabuf->file->f_mapping, 0, size) per buffer. */
export const vfio_pci_zap_bars = path<ZapLocals>()('vfio_pci_zap_bars', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    cx.l.todo = v.dmabufs;
    cx.l.i = 0;
    cx.emit('zap', 'vfio_pci_zap_bars', { dev: vdevName(cx.k, v.id), dmabufs: v.dmabufs.length });
    cx.goto('next');
  },
  next: (cx) => {
    const priv = cx.l.todo[cx.l.i];
    if (priv === undefined) return cx.ret(0);
    cx.l.i += 1;
    const p = cx.k.find('vfio_dmabufs', priv);
    const d = p === undefined ? undefined : cx.k.find('dmabufs', p.dmabuf);
    if (d === undefined) return cx.goto('next');
    cx.call('unmap_mapping_range', zapOwnMappingArgs(cx.k, d.id), 'x', 'next');
  },
});

export const step4MoveAddressSpace = patch(
  'vfio/pci: move the address_space from the vfio device to the DMA-buf',
  'Jason Gunthorpe <20260227220427.GM5933@nvidia.com> step 4',
  replacePath(vfio_pci_zap_bars),
);
