/**
 * errno values (include/uapi/asm-generic/errno-base.h, errno.h) and names.
 * Kernel paths return them negated, as the kernel does.
 */
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const ERANGE = 34;
export const EOVERFLOW = 75;
export const EBADFD = 77;
export const EADDRINUSE = 98;
export const EOPNOTSUPP = 95;

const NAMES: { readonly [errno: number]: string } = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [ESRCH]: 'ESRCH', [EINTR]: 'EINTR', [EIO]: 'EIO', [ENXIO]: 'ENXIO',
  [E2BIG]: 'E2BIG', [EBADF]: 'EBADF', [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM', [EACCES]: 'EACCES',
  [EFAULT]: 'EFAULT', [EBUSY]: 'EBUSY', [EEXIST]: 'EEXIST', [ENODEV]: 'ENODEV', [EINVAL]: 'EINVAL',
  [EMFILE]: 'EMFILE', [ENOTTY]: 'ENOTTY', [ENOSPC]: 'ENOSPC', [ESPIPE]: 'ESPIPE', [ERANGE]: 'ERANGE',
  [EOVERFLOW]: 'EOVERFLOW', [EBADFD]: 'EBADFD', [EADDRINUSE]: 'EADDRINUSE', [EOPNOTSUPP]: 'EOPNOTSUPP',
};

/** `-EINVAL` for -22; a plain number for anything that is not an errno. */
export function errnoName(ret: number): string {
  if (ret < 0 && ret >= -4095) return `-${NAMES[-ret] ?? String(-ret)}`;
  return String(ret);
}

/** IS_ERR_VALUE for a syscall return. */
export function isErr(ret: number): boolean {
  return ret < 0 && ret >= -4095;
}
