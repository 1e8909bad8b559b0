/**
 * The design hook the seed thread asks for: from a VMA to the dma-buf
 * behind it, and the offset in that buffer of a user address.
 *
 * `Design.vmaToDmaBuf(k, vma)` answers the dma-buf id or null (legacy has
 * no hook: a VFIO BAR VMA leads to no dma-buf). The offset of a VA in the
 * buffer: where the VMA maps the buffer's own file (dma_buf_mmap semantics)
 * it is vm_pgoff pages plus the offset in the VMA; otherwise (a VMA on
 * another file whose object is backed by the buffer) it is found by
 * physical address: the PFN the VMA's object assigns to the VA
 * (vm_ops.expectedPfn) located in the exporter's ranges.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Vma } from '../mm/types.js';
import { VFIO_PCI_DMABUF_OPS } from '../vfio/pci/dmabuf.js';
import { PAGE_SIZE } from './io-pagetable.js';

/** k.design.vmaToDmaBuf?.(k, vma) ?? null, for a live dma-buf. */
export function vmaToDmaBuf(k: Kernel, vma: Vma): number | null {
  const d = k.design.vmaToDmaBuf?.(k, vma) ?? null;
  return d !== null && k.find('dmabufs', d) !== undefined ? d : null;
}

/** The byte offset of `addr` (inside `vma`) in dma-buf `dmabuf`, or null when it cannot be placed. */
export function dmabufOffsetOf(k: Kernel, vma: Vma, dmabuf: number, addr: number): number | null {
  const d = k.get('dmabufs', dmabuf);
  if (vma.vm_file === d.file) return vma.vm_pgoff * PAGE_SIZE + (addr - vma.vm_start);
  const pfn = k.design.vmOps[vma.vm_ops]?.expectedPfn?.(k, vma, addr) ?? null;
  if (pfn === null || d.ops !== VFIO_PCI_DMABUF_OPS) return null;
  const priv = k.find('vfio_dmabufs', d.priv);
  if (priv === undefined) return null;
  const phys = pfn * PAGE_SIZE + (addr % PAGE_SIZE);
  let base = 0;
  for (const r of priv.phys_vec) {
    if (phys >= r.paddr && phys < r.paddr + r.len) return base + (phys - r.paddr);
    base += r.len;
  }
  return null;
}
