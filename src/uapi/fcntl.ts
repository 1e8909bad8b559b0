/**
 * open(2) flags (include/uapi/asm-generic/fcntl.h; x86_64 and arm64 use these values).
 */

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

/** fcntl F_GETFD flag. */
export const FD_CLOEXEC = 1;

/** FMODE_READ/FMODE_WRITE (include/linux/fs.h), derived from the access mode at open. */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;

/** The f_mode the kernel derives from open flags (OPEN_FMODE). */
export function openFmode(flags: number): number {
  const acc = flags & O_ACCMODE;
  return (acc === O_RDONLY || acc === O_RDWR ? FMODE_READ : 0)
    | (acc === O_WRONLY || acc === O_RDWR ? FMODE_WRITE : 0);
}

/** lseek whence (include/uapi/linux/fs.h); SEEK_MAX is SEEK_HOLE. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const SEEK_MAX = SEEK_HOLE;
