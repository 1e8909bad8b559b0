/**
 * The PFN the object behind a VMA assigns to an address, read from the
 * kernel state: what a leaf there must map. The object is the one
 * file(vm_file) names, never what a design says of itself:
 *
 *   a vfio device file   the device, every BAR at its region offset
 *                        (VFIO_PCI_INDEX_TO_OFFSET(index)); vm_pgoff is
 *                        region offset >> PAGE_SHIFT (vma_to_pfn());
 *   a VFIO dma-buf file  the buffer, its phys_vec ranges laid end to end;
 *                        vm_pgoff is a page offset in the buffer.
 *
 * Any other file (a test driver's) has no object the model knows: undefined.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Vma } from '../../mm/types.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import { VFIO_DEVICE_FOPS } from '../../vfio/pci/open.js';
import { deviceRanges, objectOffset, physVecRanges, rangePfn } from '../../designs/common/vfio-dmabuf.js';

/** The pfn at `address`, null where the object assigns none, undefined where the object is not known. */
export function objectPfn(k: Kernel, vma: Vma, address: number): number | null | undefined {
  if (vma.vm_file === 0) return undefined;
  const f = k.find('files', vma.vm_file);
  if (f === undefined) return undefined;
  if (isDmaBufFile(k, f.id)) {
    const d = k.find('dmabufs', f.private_data);
    const p = d === undefined ? undefined : k.find('vfio_dmabufs', d.priv);
    return p === undefined ? null : rangePfn(physVecRanges(p.phys_vec), objectOffset(vma, address));
  }
  if (f.f_op === VFIO_DEVICE_FOPS && k.find('vfio', f.private_data) !== undefined) {
    return rangePfn(deviceRanges(k, f.private_data), objectOffset(vma, address));
  }
  return undefined;
}
