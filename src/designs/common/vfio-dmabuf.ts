/**
 * What the dma-buf designs add to vfio-pci's private dma-buf object, and the
 * offset → PFN look-ups their fault handlers and model hooks share.
 *
 * The designs keep v6.19's `struct vfio_pci_dma_buf` row (vfio_dmabufs
 * table) and add optional fields to it, so the v6.19 code that flips
 * `revoked` (vfio_pci_dma_buf_move, cleanup) keeps working on their rows.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Vma } from '../../mm/types.js';
import type { VfioPciDmaBuf } from '../../vfio/pci/dmabuf-types.js';
import type { PhysVec } from '../../dma-buf/types.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import { pciResourceLen, pciResourceStart } from '../../pci/device.js';
import { VFIO_PCI_INDEX_TO_OFFSET, VFIO_PCI_ROM_REGION_INDEX } from '../../uapi/vfio.js';
import { PAGE_SIZE, pageAlign, vfioPciMemoryEnabled } from '../../vfio/pci/device.js';

/** RFC1 6/7 mmap attribute of a buffer: 0 = uncached, 1 << 28 = write-combine. */
export type DmaBufMemAttr = 'UC' | 'WC';

/** struct vfio_pci_dma_buf with the fields the designs add. */
export interface DesignVfioDmaBuf extends VfioPciDmaBuf {
  /**
   * The vfio device file a BAR-mmap dma-buf was made from (dmabuf-vma): its
   * reference is the one the VMA had, kept by priv and put on release
   * (Matt Evans RFC v2 `priv->vfile`).
   */
  readonly vfile?: number;
  /** RFC1 5/7: revoked for good by DMA_BUF_IOCTL_REVOKE (status PERM_REVOKED); MSE re-enable keeps it. */
  readonly perm?: boolean;
  /** RFC1 6/7 mmap attribute (absent: UC). */
  readonly memattr?: DmaBufMemAttr;
}

/** RFC1 5/7 status of a buffer: VFIO_PCI_DMABUF_{OK, TEMP_REVOKED, PERM_REVOKED}. */
export function dmaBufStatus(p: DesignVfioDmaBuf): 'OK' | 'TEMP_REVOKED' | 'PERM_REVOKED' {
  if (p.perm) return 'PERM_REVOKED';
  return p.revoked ? 'TEMP_REVOKED' : 'OK';
}

/** The vfio private object of a dma-buf, while both are allocated. */
export function vdmabufOf(k: Kernel, dmabuf: number): DesignVfioDmaBuf | undefined {
  const d = k.find('dmabufs', dmabuf);
  return d === undefined ? undefined : k.find('vfio_dmabufs', d.priv);
}

/** The dma-buf behind a VMA whose vm_file is a dma-buf file, else null (the designs' vmaToDmaBuf). */
export function vmaDmaBuf(k: Kernel, vma: Vma): number | null {
  if (vma.vm_file === 0 || !isDmaBufFile(k, vma.vm_file)) return null;
  return k.get('files', vma.vm_file).private_data;
}

/**
 * One piece of the object a VMA maps: `len` bytes at object offset `off`
 * are the physical bytes from `paddr`. For a dma-buf the pieces are its
 * phys_vec laid end to end from offset 0; for the vfio device file (the
 * shared-base dummy) each BAR sits at its region offset (index << 40).
 */
export interface ObjectRange {
  readonly off: number;
  readonly paddr: number;
  readonly len: number;
}

/** phys_vec as object ranges: range i starts where range i-1 ends. */
export function physVecRanges(phys: readonly PhysVec[]): ObjectRange[] {
  const out: ObjectRange[] = [];
  let off = 0;
  for (const p of phys) {
    out.push({ off, paddr: p.paddr, len: p.len });
    off += p.len;
  }
  return out;
}

/** The whole vfio device as object ranges: every BAR at VFIO_PCI_INDEX_TO_OFFSET(index). */
export function deviceRanges(k: Kernel, vdev: number): ObjectRange[] {
  const dev = k.get('pci', k.get('vfio', vdev).pdev);
  const out: ObjectRange[] = [];
  for (let index = 0; index < VFIO_PCI_ROM_REGION_INDEX; index++) {
    const len = pciResourceLen(dev, index);
    if (len === 0) continue;
    out.push({ off: VFIO_PCI_INDEX_TO_OFFSET(index), paddr: pciResourceStart(dev, index), len: pageAlign(len) });
  }
  return out;
}

/** The byte offset in the mapped object of a user address of the VMA (vm_pgoff is object pages). */
export function objectOffset(vma: Vma, address: number): number {
  return vma.vm_pgoff * PAGE_SIZE + (address - vma.vm_start);
}

/** The pfn an object assigns to byte offset `off`, or null where no range holds it. */
export function rangePfn(ranges: readonly ObjectRange[], off: number): number | null {
  for (const r of ranges) {
    if (off >= r.off && off < r.off + r.len) return Math.floor((r.paddr + off - r.off) / PAGE_SIZE);
  }
  return null;
}

/**
 * models vfio_pci_dma_buf_find_pfn() (RFC1 3/7): the pfn for the 2^order
 * pages at object offset `off`, when they lie inside one range and the pfn
 * is aligned to the order; 'fallback' when they straddle a range end or the
 * pfn is unaligned (the kernel's -EAGAIN → VM_FAULT_FALLBACK); null when no
 * range holds `off`.
 */
export function findPfn(ranges: readonly ObjectRange[], off: number, order: number): number | 'fallback' | null {
  const size = PAGE_SIZE * 2 ** order;
  for (const r of ranges) {
    if (off < r.off || off >= r.off + r.len) continue;
    const pfn = Math.floor((r.paddr + off - r.off) / PAGE_SIZE);
    if (off + size > r.off + r.len || pfn % 2 ** order !== 0) return 'fallback';
    return pfn;
  }
  return null;
}

/**
 * The single-range look-up of dmabuf-vma stage 1: the buffer is taken to be
 * one contiguous range starting at phys_vec[0] (true for the buffers stage 1
 * makes), so the pfn is that range's start plus the offset.
 */
export function singleRangePfn(phys: readonly PhysVec[], off: number): number | null {
  const first = phys[0];
  return first === undefined ? null : Math.floor(first.paddr / PAGE_SIZE) + Math.floor(off / PAGE_SIZE);
}

/**
 * The PFN the object behind a dma-buf VMA assigns to `address` (every
 * range of the buffer, whatever the fault handler does): the designs'
 * expectedPfn for dma-buf-backed VMAs.
 */
export function dmaBufVmaPfn(k: Kernel, vma: Vma, address: number): number | null {
  const d = vmaDmaBuf(k, vma);
  const p = d === null ? undefined : vdmabufOf(k, d);
  return p === undefined ? null : rangePfn(physVecRanges(p.phys_vec), objectOffset(vma, address));
}

/**
 * Whether a fault may map the vfio device's BARs now (0: no device, as after
 * cleanup): memory decodes and low power is not engaged, the test v6.19's
 * vfio_pci_mmap_huge_fault() makes (pm_runtime_engaged || !memory enabled →
 * SIGBUS), which the designs' fault handlers keep.
 */
export function vdevEnabled(k: Kernel, vdev: number): boolean {
  return vdev !== 0 && k.find('vfio', vdev) !== undefined && !k.get('vfio', vdev).pm_runtime_engaged &&
    vfioPciMemoryEnabled(k, vdev);
}

/**
 * The unmap_mapping_range locals that zap every page of a dma-buf's own
 * address_space: unmap_mapping_range(dmabuf->file->f_mapping, 0, size, 1).
 */
export function zapOwnMappingArgs(k: Kernel, dmabuf: number) {
  const d = k.get('dmabufs', dmabuf);
  return { inode: k.get('files', d.file).f_mapping, holebegin: 0, holelen: d.size, even_cows: true };
}
