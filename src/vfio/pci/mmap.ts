/**
 * mmap of a BAR region (vfio_device_fops_mmap → vfio_pci_core_mmap;
 * vfio_main.c, vfio_pci_core.c, v6.19).
 *
 * The VMA keeps the file offset in vm_pgoff (region index << 28 pages +
 * page offset): unmap_mapping_range() finds the VMA in the device inode's
 * i_mmap by that offset, and the fault handler computes the PFN from it
 * (vma_to_pfn). Nothing is inserted here: the VMA is not yet in i_mmap, so
 * a PTE inserted now could not be zapped (aac6db75a9fc).
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import type { Value } from '../../kernel/sched/types.js';
import { EINVAL } from '../../uapi/errno.js';
import { VFIO_PCI_NUM_REGIONS, VFIO_PCI_OFFSET_SHIFT, VFIO_PCI_ROM_REGION_INDEX } from '../../uapi/vfio.js';
import {
  VM_ALLOW_ANY_UNCACHED, VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_PFNMAP, VM_SHARED, vmFlagsHas, vmFlagsSet,
  vmFlagsString,
} from '../../mm/types.js';
import type { PageProt } from '../../mm/types.js';
import { setMmapVma } from '../../mm/mmap-vma.js';
import { pciResourceLen } from '../../pci/device.js';
import { PAGE_SHIFT, pageAlign, vdevName } from './device.js';
import { NUM_DEV_REGIONS } from './ioctl.js';

/** The vm_operations_struct of a BAR mapping. */
export const VFIO_PCI_MMAP_OPS = 'vfio_pci_mmap_ops';

/** Pages per region in vm_pgoff: 1 << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT). */
export const REGION_PAGES = 2 ** (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);

/** vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT). */
export function pgoffIndex(vm_pgoff: number): number {
  return Math.floor(vm_pgoff / REGION_PAGES);
}

/** vm_pgoff & ((1 << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1). */
export function pgoffInRegion(vm_pgoff: number): number {
  return vm_pgoff % REGION_PAGES;
}

/** The flags vfio_pci_core_mmap() sets, as io_remap_pfn_range() would. */
export const VFIO_PCI_MMAP_FLAGS = vmFlagsSet(
  vmFlagsSet(vmFlagsSet(vmFlagsSet(VM_ALLOW_ANY_UNCACHED, VM_IO), VM_PFNMAP), VM_DONTEXPAND), VM_DONTDUMP,
);

/** The locals the mmap core passes to f_op->mmap (src/mm/mmap.ts; the VMA itself is in mmap_region's frame). */
export type FopMmapLocals = {
  file: number;
  mm: number;
  vma: number;
  vm_start: number;
  vm_end: number;
  vm_pgoff: number;
  vm_flags: number;
  vm_page_prot: Value;
  vm_file: number;
  vm_ops: string;
  vm_private_data: Value;
};

/**
 * The -EINVAL rules of vfio_pci_core_mmap(), in its order, for a mapping of
 * [start, end) at file page offset `pgoff`: the rule that fails, or null.
 */
export function vfioPciMmapRefusal(
  k: Kernel, vdev: number, m: { start: number; end: number; pgoff: number; vm_flags: number; file?: number },
): string | null {
  // vfio_device_fops_mmap(): smp_load_acquire(&df->access_granted) before the driver's mmap
  if (m.file !== undefined && k.get('files', m.file).access_granted === false) return '!df->access_granted';
  const v = k.get('vfio', vdev);
  const index = pgoffIndex(m.pgoff);
  if (index >= VFIO_PCI_NUM_REGIONS + NUM_DEV_REGIONS) return 'index >= VFIO_PCI_NUM_REGIONS + num_regions';
  if (m.end < m.start) return 'vm_end < vm_start';
  if (!vmFlagsHas(m.vm_flags, VM_SHARED)) return '!VM_SHARED';
  if (index >= VFIO_PCI_ROM_REGION_INDEX) return 'index >= VFIO_PCI_ROM_REGION_INDEX';
  if (!v.bar_mmap_supported[index]) return '!bar_mmap_supported';
  const phys_len = pageAlign(pciResourceLen(k.get('pci', v.pdev), index));
  const req_len = m.end - m.start;
  const req_start = pgoffInRegion(m.pgoff) * 2 ** PAGE_SHIFT;
  if (req_start + req_len > phys_len) return 'req_start + req_len > phys_len';
  return null;
}

/**
 * vfio_pci_core_setup_barmap(): request the region once (never fails in the
 * model). Returns whether this call requested it.
 */
export function vfioPciSetupBarmap(k: Kernel, vdev: number, index: number): boolean {
  const v = k.get('vfio', vdev);
  if (v.barmap[index]) return false;
  const barmap = [...v.barmap];
  barmap[index] = true;
  k.mut('vfio', vdev).barmap = barmap;
  return true;
}

/** models vfio_pci_core_mmap(): every -EINVAL check in the v6.19 order, then the VMA setup. */
export const vfio_pci_core_mmap = path<FopMmapLocals>()('vfio_pci_core_mmap', 'entry', {
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
    const prot: PageProt = { cache: 'UC', decrypted: true };
    const vm_flags = vmFlagsSet(cx.l.vm_flags, VFIO_PCI_MMAP_FLAGS);
    setMmapVma(cx, { vm_private_data: vdev, vm_page_prot: prot, vm_flags, vm_ops: VFIO_PCI_MMAP_OPS });
    cx.emit('device', 'vfio_pci_core_mmap', {
      dev: vdevName(cx.k, vdev), index, start: hex(cx.l.vm_start), end: hex(cx.l.vm_end),
      pgoff: hex(cx.l.vm_pgoff), flags: vmFlagsString(vm_flags), ret: 0,
    });
    cx.ret(0);
  },
});
