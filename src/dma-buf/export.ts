/**
 * Exporting a dma-buf (drivers/dma-buf/dma-buf.c dma_buf_export,
 * dma_buf_getfile, dma_buf_fd, dma_buf_get; v6.19).
 *
 * Every dma-buf gets its own anon inode on the dma-buf pseudo-fs and a file
 * whose f_op is dma_buf_fops; the file's f_count is the dma-buf's refcount
 * (dma_buf_put is fput), so the buffer lives as long as any fd, VMA or
 * importer attachment holds the file. dmabuf->file->f_mapping is the inode's
 * own address_space: the one a design that mmaps dma-bufs would zap.
 */
import type { Kernel } from '../kernel/kernel.js';
import { ModelError } from '../kernel/kernel.js';
import { newLock } from '../kernel/locking/rwsem.js';
import { newInode } from '../fs/address-space.js';
import { allocFile } from '../fs/file-table.js';
import { fdInstall } from '../fs/fd.js';
import { EINVAL } from '../uapi/errno.js';
import { O_ACCMODE, O_CLOEXEC, O_NONBLOCK } from '../uapi/fcntl.js';
import type { DmaBuf } from './types.js';

/** The file_operations table of every dma-buf file. */
export const DMA_BUF_FOPS = 'dma_buf_fops';

/** struct dma_buf_export_info, reduced. */
export interface DmaBufExportInfo {
  /** Name of the exporter's dma_buf_ops table in the design. */
  readonly ops: string;
  readonly size: number;
  /** Open flags for the file (only O_ACCMODE | O_NONBLOCK are kept in f_flags). */
  readonly flags: number;
  /** The exporter's private object id. */
  readonly priv: number;
  readonly exp_name: string;
}

/**
 * dma_buf_export(): a dma_buf with its file (f_count 1, the reference the
 * exporter holds until dma_buf_fd or dma_buf_put), its anon inode and its
 * own dma_resv. Returns the dma_buf id, or -EINVAL when the ops table lacks
 * map_dma_buf/unmap_dma_buf/release or has only one of pin/unpin (the
 * kernel's WARN_ON checks). Runs in one step: nothing else can see the new
 * objects until they are published.
 */
export function dmaBufExport(k: Kernel, info: DmaBufExportInfo, tid = 0): number {
  const ops = k.design.dmaBufOps?.[info.ops];
  if (!ops || !ops.map_dma_buf || !ops.unmap_dma_buf || !ops.release || !info.priv) {
    k.emit({ tid, kind: 'warn', fn: 'dma_buf_export', args: { report: 'WARN_ON: incomplete dma_buf_ops', ops: info.ops } });
    return -EINVAL;
  }
  if (!ops.pin !== !ops.unpin) {
    k.emit({ tid, kind: 'warn', fn: 'dma_buf_export', args: { report: 'WARN_ON: pin without unpin', ops: info.ops } });
    return -EINVAL;
  }
  const id = k.allocId();
  const inode = newInode(k, 'dma-buf', id);
  const file = allocFile(k, {
    f_op: DMA_BUF_FOPS, f_inode: inode, f_mapping: inode, private_data: id,
    f_flags: info.flags & (O_ACCMODE | O_NONBLOCK), name: `dmabuf:${id}`,
  });
  const resv = newLock(k, 'dma_resv', `dmabuf ${id}`);
  const row: DmaBuf = {
    id, size: info.size, ops: info.ops, file, inode, resv, priv: info.priv, exp_name: info.exp_name,
    name: null, attachments: [],
  };
  k.set('dmabufs', id, row);
  k.emit({ tid, kind: 'dmabuf', fn: 'dma_buf_export', args: { dmabuf: id, size: info.size, ops: info.ops, file, exp_name: info.exp_name } });
  return id;
}

/**
 * dma_buf_fd(): install the dma-buf's file in the lowest free fd of `pid`
 * (close-on-exec from O_CLOEXEC in `flags`). On success the fd owns the
 * reference the caller had; on failure (-EMFILE) the caller still owns it.
 */
export function dmaBufFd(k: Kernel, pid: number, dmabuf: number, flags: number, tid = 0): number {
  const d = k.find('dmabufs', dmabuf);
  if (d === undefined) return -EINVAL;
  const fd = fdInstall(k, pid, d.file, (flags & O_CLOEXEC) !== 0);
  if (fd >= 0) {
    k.emit({ tid, kind: 'file', fn: 'fd_install', args: { fd, file: d.file, name: k.get('files', d.file).name, f_count: k.get('files', d.file).f_count } });
  }
  return fd;
}

/** is_dma_buf_file(). */
export function isDmaBufFile(k: Kernel, file: number): boolean {
  return k.find('files', file)?.f_op === DMA_BUF_FOPS;
}

/** The dma_buf behind a dma-buf file (file->private_data). */
export function fileDmaBuf(k: Kernel, file: number): DmaBuf {
  const f = k.get('files', file);
  if (f.f_op !== DMA_BUF_FOPS) throw new ModelError(`file ${file} is not a dma-buf file`);
  return k.get('dmabufs', f.private_data);
}
