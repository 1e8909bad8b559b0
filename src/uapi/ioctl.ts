/**
 * ioctl command encoding (include/uapi/asm-generic/ioctl.h), which x86_64
 * and arm64 both use: | dir:2 | size:14 | type:8 | nr:8 |.
 */

export const _IOC_NRBITS = 8;
export const _IOC_TYPEBITS = 8;
export const _IOC_SIZEBITS = 14;
export const _IOC_DIRBITS = 2;

export const _IOC_NRSHIFT = 0;
export const _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
export const _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
export const _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;

export const _IOC_NONE = 0;
export const _IOC_WRITE = 1;
export const _IOC_READ = 2;

/** A type given as a character (';' for VFIO) or a number. */
export type IocType = string | number;

function typeNum(type: IocType): number {
  return typeof type === 'string' ? type.charCodeAt(0) : type;
}

/** _IOC(dir, type, nr, size) as an unsigned 32-bit number. */
export function _IOC(dir: number, type: IocType, nr: number, size: number): number {
  return (
    (dir * 2 ** _IOC_DIRSHIFT) +
    ((size & ((1 << _IOC_SIZEBITS) - 1)) << _IOC_SIZESHIFT) +
    ((typeNum(type) & 0xff) << _IOC_TYPESHIFT) +
    ((nr & 0xff) << _IOC_NRSHIFT)
  );
}

export function _IO(type: IocType, nr: number): number {
  return _IOC(_IOC_NONE, type, nr, 0);
}
export function _IOR(type: IocType, nr: number, size: number): number {
  return _IOC(_IOC_READ, type, nr, size);
}
export function _IOW(type: IocType, nr: number, size: number): number {
  return _IOC(_IOC_WRITE, type, nr, size);
}
export function _IOWR(type: IocType, nr: number, size: number): number {
  return _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);
}

export function _IOC_DIR(cmd: number): number {
  return Math.floor(cmd / 2 ** _IOC_DIRSHIFT) & ((1 << _IOC_DIRBITS) - 1);
}
export function _IOC_TYPE(cmd: number): number {
  return (cmd >>> _IOC_TYPESHIFT) & ((1 << _IOC_TYPEBITS) - 1);
}
export function _IOC_NR(cmd: number): number {
  return (cmd >>> _IOC_NRSHIFT) & ((1 << _IOC_NRBITS) - 1);
}
export function _IOC_SIZE(cmd: number): number {
  return (cmd >>> _IOC_SIZESHIFT) & ((1 << _IOC_SIZEBITS) - 1);
}
