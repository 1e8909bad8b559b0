/**
 * fs: files, fd tables, inodes and their address_space (Linux v6.19:
 * fs/file.c, fs/file_table.c, fs/ioctl.c, fs/read_write.c).
 *
 * Not modelled: paths, dentries, mounts, open(2) itself (the vfio/dma-buf
 * code creates files with allocFile), FMODE_PREAD/PWRITE (always set), the
 * generic ioctls of do_vfs_ioctl (FIOCLEX, FIONBIO, ...), read/write without
 * an offset and a file position (lseek is modelled as far as ->llseek goes:
 * src/fs/lseek.ts), fcntl/dup2/dup3, close_range, exec (close-on-exec is kept per
 * fd but nothing execs), RLIMIT_NOFILE other than the fixed NR_OPEN_MODEL
 * (64), and fdget's single-threaded no-reference shortcut (fdget always
 * takes a reference here, as fget does).
 */
import type { Path } from '../kernel/sched/path.js';
import { closeFdPath, sysDupPath } from './fd.js';
import { fputPath } from './file-table.js';
import { sysIoctlPath } from './ioctl.js';
import { ksysPread64Path, ksysPwrite64Path } from './read-write.js';
import { ksysLseekPath } from './lseek.js';

/** Every fs path, for the designs' registries. */
export const FS_PATHS: readonly Path[] = [
  fputPath, closeFdPath, sysDupPath, sysIoctlPath, ksysPread64Path, ksysPwrite64Path, ksysLseekPath,
];

export { allocFile, getFile, getFileActive } from './file-table.js';
export type { FileSpec } from './file-table.js';
export { fdInstall, fdLookup, fdRemove, fget, newFdTable, NR_OPEN_MODEL } from './fd.js';
export { newInode, iMmapInsert, iMmapRemove, iMmapLock } from './address-space.js';
export { ENOIOCTLCMD } from './ioctl.js';
