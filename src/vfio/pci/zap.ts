/**
 * Zapping every user mapping of the BARs (vfio_pci_zap_bars,
 * vfio_pci_zap_and_down_write_memory_lock; vfio_pci_core.c, v6.19).
 *
 * Since aac6db75a9fc all device files share the device inode's i_mapping,
 * so one unmap_mapping_range() over [INDEX_TO_OFFSET(BAR0),
 * INDEX_TO_OFFSET(ROM)) removes every BAR leaf of every process. It takes
 * i_mmap_rwsem (inside unmap_mapping_range), never mmap_lock, so it can run
 * under memory_lock while faults take memory_lock under mmap_lock.
 */
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import {
  VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_INDEX_TO_OFFSET, VFIO_PCI_ROM_REGION_INDEX,
} from '../../uapi/vfio.js';
import { vdevName } from './device.js';

type ZapLocals = { vdev: number; r: number };

/** models vfio_pci_zap_bars(): unmap_mapping_range on the device inode, BAR0..BAR5, even_cows. */
export const vfio_pci_zap_bars = path<ZapLocals>()('vfio_pci_zap_bars', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (cx.k.defect('B3-no-zap')) {
      // Before abafbc551fdd nothing zapped the BAR mappings when decoding went off.
      cx.emit('zap', 'vfio_pci_zap_bars', { dev: vdevName(cx.k, cx.l.vdev), skipped: 'defect B3-no-zap' });
      return cx.ret(0);
    }
    const start = VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_BAR0_REGION_INDEX);
    const end = VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_ROM_REGION_INDEX);
    cx.emit('zap', 'vfio_pci_zap_bars', { dev: vdevName(cx.k, cx.l.vdev), start: hex(start), len: hex(end - start) });
    cx.call('unmap_mapping_range', { inode: v.inode, holebegin: start, holelen: end - start, even_cows: true }, 'r', 'done');
  },
  done: (cx) => cx.ret(0),
});

/**
 * models vfio_pci_zap_and_down_write_memory_lock(): down_write(memory_lock),
 * then zap. Returns with memory_lock held for write: the caller releases it.
 */
export const vfio_pci_zap_and_down_write_memory_lock = path<ZapLocals>()('vfio_pci_zap_and_down_write_memory_lock', 'down_write', {
    down_write: (cx) => {
      if (!cx.lock(cx.k.get('vfio', cx.l.vdev).memory_lock, 'write')) return;
      cx.call('vfio_pci_zap_bars', { vdev: cx.l.vdev, r: 0 }, 'r', 'done');
    },
    done: (cx) => cx.ret(0),
  },
);
