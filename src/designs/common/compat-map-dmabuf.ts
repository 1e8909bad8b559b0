/**
 * "iommufd: type1 MAP_DMA of a VMA with a dma-buf under it": what Jason
 * Gunthorpe asks the dma-buf-under-every-VMA design to make possible
 * (<20260227125109.GH5933@nvidia.com>): VFIO_IOMMU_MAP_DMA on an iommufd
 * finds the dma-buf behind the VMA that covers [vaddr, vaddr + size) and
 * maps that buffer as IOMMU_IOAS_MAP_FILE would (dynamic attach, one range,
 * revoked with the buffer), instead of pinning user pages, which a PFN map
 * refuses. Not upstream: the series on the list leaves this step for later.
 *
 * The look-up reads vma->vm_file: a VMA whose file is a dma-buf file maps
 * that buffer at vm_pgoff pages (dma_buf_mmap semantics).
 */
import { hex } from '../../kernel/events.js';
import { getFile } from '../../fs/file-table.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Vma } from '../../mm/types.js';
import { vmaDmaBuf } from './vfio-dmabuf.js';
import { vmaLookup } from '../../mm/mm.js';
import { iommufd_vfio_map_dma } from '../../iommufd/vfio-compat.js';
import { PAGE_SIZE } from '../../iommufd/io-pagetable.js';
import { patch, patchPath } from '../patch.js';

/** What the look-up finds behind a user address: the dma-buf and the byte offset in it. */
export type DmaBufAt = (k: Kernel, vma: Vma, vaddr: number) => { readonly dmabuf: number; readonly offset: number } | null;

/** The design's look-up: a VMA whose vm_file is a dma-buf file maps it at vm_pgoff pages. */
export const vmFileDmaBuf: DmaBufAt = (k, vma, vaddr) => {
  const d = vmaDmaBuf(k, vma);
  if (d === null || k.find('dmabufs', d) === undefined) return null;
  return { dmabuf: d, offset: vma.vm_pgoff * PAGE_SIZE + (vaddr - vma.vm_start) };
};

/** The patch with a look-up of the dma-buf behind a VMA (a test can bring its own). */
export function compatMapDmaBufWith(lookup: DmaBufAt, subject: string, cite: string) {
  return patch(subject, cite,
  patchPath(iommufd_vfio_map_dma).locals<{ dmabuf: number; file: number; start: number; vma: number }>()
    .add('dmabuf_pages', (cx) => {
      if (cx.l.r < 0) return cx.call('fput', { file: cx.l.file }, 'x', 'out');
      cx.call('iopt_map_pages', {
        ioas: cx.l.ioas, pages: cx.l.r, length: cx.l.size, iova: cx.l.iova, fixed: true, read: cx.l.read,
        write: cx.l.write, start_byte: cx.l.start % PAGE_SIZE, addr: cx.l.start,
        origin: { kind: 'compat-vma', mm: cx.l.mm, vma: cx.l.vma, vaddr: cx.l.vaddr },
      }, 'r', 'out');
    })
    /**
     * Under mmap_lock (read): the VMA covering the whole range and the
     * dma-buf behind it, pinned by a file reference (dma_buf_get) before the
     * lock is dropped; no dma-buf: on to the user-pages path.
     */
    .insertBefore('user_pages', 'vma_to_dmabuf', (cx) => {
      const m = cx.k.get('mms', cx.l.mm);
      if (!cx.lock(m.mmap_lock, 'read')) return;
      const v = vmaLookup(m, cx.l.vaddr);
      const found = v !== undefined && cx.l.vaddr + cx.l.size <= v.vm_end ? lookup(cx.k, v, cx.l.vaddr) : null;
      const dmabuf = found?.dmabuf ?? null;
      const start = found?.offset ?? null;
      cx.emit('iommu', 'vma_to_dmabuf', {
        vaddr: hex(cx.l.vaddr), vma: v?.id ?? 0, dmabuf: dmabuf ?? 'none', ...(start !== null ? { offset: hex(start) } : {}),
      });
      if (v === undefined || dmabuf === null || start === null) {
        cx.unlock(m.mmap_lock);
        return cx.goto('user_pages');
      }
      const file = cx.k.get('dmabufs', dmabuf).file;
      getFile(cx.k, file, cx.tid);
      cx.unlock(m.mmap_lock);
      cx.l.dmabuf = dmabuf;
      cx.l.file = file;
      cx.l.start = start;
      cx.l.vma = v.id;
      cx.call('iopt_alloc_dmabuf_pages', {
        ictx: cx.l.ictx, file, dmabuf, start, length: cx.l.size, writable: cx.l.write,
      }, 'r', 'dmabuf_pages');
    }),
  );
}

export const compatMapDmaBuf = compatMapDmaBufWith(vmFileDmaBuf,
  'iommufd: map the dma-buf behind a VMA for type1 VFIO_IOMMU_MAP_DMA',
  'Jason Gunthorpe <20260227125109.GH5933@nvidia.com> (asked for; not posted as a patch)');
