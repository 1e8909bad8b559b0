/**
 * dma_buf_mmap() (drivers/dma-buf/dma-buf.c, v6.19): a driver forwards its
 * own ->mmap into a dma-buf.
 *
 * Path `dma_buf_mmap` with locals {dmabuf, pgoff}, called from inside a
 * driver's f_op->mmap (an mmap_region frame is below it). v6.19 order:
 * exporter without ops->mmap → -EINVAL; pgoff + vma_pages wraps → -EOVERFLOW;
 * beyond the buffer → -EINVAL; then vma_set_file(vma, dmabuf->file) (get the
 * dma-buf file, fput the old vm_file) and vm_pgoff = pgoff, then
 * ops->mmap. On an exporter failure nothing is restored: the VMA keeps the
 * dma-buf file and the mmap core's error path fputs vma->vm_file, the file
 * the VMA holds then (1527f926fd04, B5), so every reference balances. B1's
 * 2013 fix restored vm_file/vm_pgoff here; vma_set_file (v5.11) made that
 * unnecessary and it went away.
 */
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { EINVAL, EOVERFLOW } from '../uapi/errno.js';
import { PAGE_SHIFT } from '../mm/vma.js';
import { mmapCallLocals, mmapVma, setMmapVma } from '../mm/mmap-vma.js';

interface Locals {
  readonly [key: string]: Value;
  dmabuf: number;
  pgoff: number;
  r: number;
  x: number;
}

const ULONG_MAX = 2n ** 64n - 1n;

export const dma_buf_mmap = path<Locals>()('dma_buf_mmap', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const ops = cx.k.design.dmaBufOps?.[d.ops];
    const v = mmapVma(cx);
    const pages = Math.floor((v.vm_end - v.vm_start) / 2 ** PAGE_SHIFT);
    let r = 0;
    if (!ops?.mmap) r = -EINVAL;
    else if (BigInt(cx.l.pgoff) + BigInt(pages) > ULONG_MAX) r = -EOVERFLOW;
    else if (cx.l.pgoff + pages > Math.floor(d.size / 2 ** PAGE_SHIFT)) r = -EINVAL;
    cx.emit('dmabuf', 'dma_buf_mmap', { dmabuf: d.id, pgoff: cx.l.pgoff, pages, size: d.size, ret: r });
    if (r < 0) return cx.ret(r);
    cx.call('vma_set_file', { file: d.file }, 'x', 'set_pgoff');
  },
  set_pgoff: (cx) => {
    setMmapVma(cx, { vm_pgoff: cx.l.pgoff });
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const mmap = cx.k.design.dmaBufOps?.[d.ops]?.mmap!;
    cx.call(mmap, { ...mmapCallLocals(mmapVma(cx), d.file), dmabuf: d.id }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});
