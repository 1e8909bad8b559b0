/**
 * dma_buf_fops (drivers/dma-buf/dma-buf.c, v6.19): release, mmap and the
 * ioctls of a dma-buf file.
 *
 * release: dma_buf_file_release() takes the buffer off the global list;
 * the dentry's release (dma_buf_release, run by the same __fput) calls the
 * exporter's ops->release and frees the dma_buf. The model runs both from
 * f_op->release, then frees the inode and the dma_resv with the dma_buf.
 */
import { opName } from '../designs/types.js';
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { EFAULT, EINVAL, ENOTTY } from '../uapi/errno.js';
import { decodeStruct } from '../uapi/codec.js';
import {
  DMA_BUF_IOCTL_SYNC, DMA_BUF_NAME_LEN, DMA_BUF_SET_NAME_A, DMA_BUF_SET_NAME_B, DMA_BUF_SYNC_END,
  DMA_BUF_SYNC_RW, DMA_BUF_SYNC_VALID_FLAGS_MASK, dma_buf_sync, dmaBufIoctlName,
} from '../uapi/dma-buf.js';
import { PAGE_SHIFT } from '../mm/vma.js';
import { mmapVma } from '../mm/mmap-vma.js';
import type { UnlockedIoctlLocals } from '../fs/ioctl.js';
import { isDmaBufFile } from './export.js';

interface ReleaseLocals {
  readonly [key: string]: Value;
  file: number;
  dmabuf: number;
  r: number;
}

/** models dma_buf_file_release(): f_op->release of a dma-buf file; then the dentry release. */
export const dma_buf_file_release = path<ReleaseLocals>()('dma_buf_file_release', 'entry', {
  entry: (cx) => {
    if (!isDmaBufFile(cx.k, cx.l.file)) return cx.ret(-EINVAL);
    // __dma_buf_list_del(): the global dmabuf_list (debugfs, iterators) is not modelled.
    const dmabuf = cx.k.get('files', cx.l.file).private_data;
    cx.call('dma_buf_release', { dmabuf, r: 0 }, 'r', 'done');
  },
  done: (cx) => cx.ret(0),
});

/** models dma_buf_release() (dentry d_release): ops->release, then the dma_buf is freed. */
export const dma_buf_release = path<ReleaseLocals>()('dma_buf_release', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const ops = cx.k.design.dmaBufOps?.[d.ops];
    if (!ops) return cx.goto('free');
    cx.call(ops.release, { dmabuf: d.id }, 'r', 'free');
  },
  free: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    if (d.attachments.length > 0) {
      cx.emit('warn', 'dma_buf_release', { report: 'WARN_ON(!list_empty(&dmabuf->attachments))', dmabuf: d.id });
    }
    cx.emit('dmabuf', 'dma_buf_release', { dmabuf: d.id, freed: true });
    cx.k.remove('dmabufs', d.id);
    cx.k.remove('locks', d.resv);
    const ino = cx.k.find('inodes', d.inode);
    if (ino !== undefined) {
      cx.k.remove('locks', ino.i_mapping.i_mmap_rwsem);
      cx.k.remove('inodes', d.inode);
    }
    cx.ret(0);
  },
});

interface MmapLocals {
  readonly [key: string]: Value;
  file: number;
  dmabuf: number;
  r: number;
}

/**
 * models dma_buf_mmap_internal(): f_op->mmap of a dma-buf file. Checks in
 * v6.19's order: not a dma-buf file, exporter without ops->mmap, vm_pgoff +
 * vma_pages beyond the buffer (all -EINVAL); then ops->mmap. vm_pgoff is a
 * page offset inside the buffer. VM_SHARED is the exporter's business.
 */
export const dma_buf_mmap_internal = path<MmapLocals>()('dma_buf_mmap_internal', 'entry', {
  entry: (cx) => {
    if (!isDmaBufFile(cx.k, cx.l.file)) return cx.ret(-EINVAL);
    const d = cx.k.get('dmabufs', cx.k.get('files', cx.l.file).private_data);
    const mmap = cx.k.design.dmaBufOps?.[d.ops]?.mmap;
    const v = mmapVma(cx);
    const pages = Math.floor((v.vm_end - v.vm_start) / 2 ** PAGE_SHIFT);
    let r = 0;
    if (!mmap) r = -EINVAL;
    else if (v.vm_pgoff + pages > Math.floor(d.size / 2 ** PAGE_SHIFT)) r = -EINVAL;
    cx.emit('dmabuf', 'dma_buf_mmap_internal', {
      dmabuf: d.id, pgoff: v.vm_pgoff, pages, size: d.size, exporter_mmap: opName(mmap), ret: r,
    });
    if (r < 0 || !mmap) return cx.ret(r);
    cx.call(mmap, { ...cx.l, dmabuf: d.id }, 'r', 'done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

/**
 * models dma_buf_ioctl(): DMA_BUF_IOCTL_SYNC (copy of struct dma_buf_sync,
 * flag checks, then begin/end_cpu_access: no exporter hook and no fences in
 * the model, so 0) and DMA_BUF_SET_NAME_A/B (strndup_user of the name: the
 * `arg` bytes stand for the user string). The sync-file ioctls are answered
 * -ENOTTY, as by a kernel without CONFIG_SYNC_FILE.
 */
export const dma_buf_ioctl = path<UnlockedIoctlLocals>()('dma_buf_ioctl', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.k.get('files', cx.l.file).private_data);
    const cmd = cx.l.cmd;
    if (cmd === DMA_BUF_IOCTL_SYNC) {
      if (cx.l.argFault || cx.l.arg.length < dma_buf_sync.size) return cx.ret(-EFAULT);
      const flags = decodeStruct(dma_buf_sync, cx.l.arg).flags as bigint;
      let r = 0;
      if ((flags & ~BigInt(DMA_BUF_SYNC_VALID_FLAGS_MASK)) !== 0n) r = -EINVAL;
      else if ((flags & BigInt(DMA_BUF_SYNC_RW)) === 0n) r = -EINVAL;
      cx.emit('dmabuf', 'dma_buf_ioctl', {
        dmabuf: d.id, cmd: dmaBufIoctlName(cmd), flags: `0x${flags.toString(16)}`,
        ...(r === 0 ? { access: (flags & BigInt(DMA_BUF_SYNC_END)) !== 0n ? 'end_cpu_access' : 'begin_cpu_access' } : {}),
        ret: r,
      });
      return cx.ret(r);
    }
    if (cmd === DMA_BUF_SET_NAME_A || cmd === DMA_BUF_SET_NAME_B) {
      const r = strndupUser(cx.l.arg, cx.l.argFault, DMA_BUF_NAME_LEN);
      if (typeof r === 'number') return cx.ret(r);
      cx.k.mut('dmabufs', d.id).name = r; // under dmabuf->name_lock (a spinlock held for the store only)
      cx.emit('dmabuf', 'dma_buf_set_name', { dmabuf: d.id, name: r });
      return cx.ret(0);
    }
    cx.ret(-ENOTTY);
  },
});

/**
 * strndup_user(buf, n): the string up to its NUL, which must lie within n
 * bytes (else -EINVAL); a fault before the NUL is -EFAULT (the user buffer
 * is the `arg` bytes).
 */
function strndupUser(bytes: readonly number[], fault: boolean, n: number): string | number {
  if (fault) return -EFAULT;
  const nul = bytes.indexOf(0);
  if (nul < 0) return bytes.length >= n ? -EINVAL : -EFAULT;
  if (nul + 1 > n) return -EINVAL;
  return String.fromCharCode(...bytes.slice(0, nul));
}
