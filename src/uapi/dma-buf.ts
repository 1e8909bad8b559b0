/**
 * dma-buf uapi (include/uapi/linux/dma-buf.h, v6.19): ioctl numbers, flags
 * and struct layouts of the ioctls on a dma-buf fd.
 */
import { defineStruct } from './codec.js';
import { _IOW, _IOWR } from './ioctl.js';

export const DMA_BUF_BASE = 'b';

/** struct dma_buf_sync { __u64 flags; } */
export const dma_buf_sync = defineStruct('dma_buf_sync', [{ name: 'flags', type: 'u64' }]);

export const DMA_BUF_SYNC_READ = 1 << 0;
export const DMA_BUF_SYNC_WRITE = 2 << 0;
export const DMA_BUF_SYNC_RW = DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE;
export const DMA_BUF_SYNC_START = 0 << 2;
export const DMA_BUF_SYNC_END = 1 << 2;
export const DMA_BUF_SYNC_VALID_FLAGS_MASK = DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END;

/** Longest name DMA_BUF_SET_NAME takes, including the NUL. */
export const DMA_BUF_NAME_LEN = 32;

/** struct dma_buf_export_sync_file / dma_buf_import_sync_file: flags, fd. */
export const dma_buf_export_sync_file = defineStruct('dma_buf_export_sync_file', [
  { name: 'flags', type: 'u32' },
  { name: 'fd', type: 'u32' },
]);
export const dma_buf_import_sync_file = defineStruct('dma_buf_import_sync_file', [
  { name: 'flags', type: 'u32' },
  { name: 'fd', type: 'u32' },
]);

export const DMA_BUF_IOCTL_SYNC = _IOW(DMA_BUF_BASE, 0, dma_buf_sync.size);
/** The 32/64-bit variants of SET_NAME (the size field differs); the kernel accepts both. */
export const DMA_BUF_SET_NAME_A = _IOW(DMA_BUF_BASE, 1, 4);
export const DMA_BUF_SET_NAME_B = _IOW(DMA_BUF_BASE, 1, 8);
/** DMA_BUF_SET_NAME on a 64-bit kernel: _IOW('b', 1, const char *) = SET_NAME_B. */
export const DMA_BUF_SET_NAME = DMA_BUF_SET_NAME_B;
export const DMA_BUF_IOCTL_EXPORT_SYNC_FILE = _IOWR(DMA_BUF_BASE, 2, dma_buf_export_sync_file.size);
export const DMA_BUF_IOCTL_IMPORT_SYNC_FILE = _IOW(DMA_BUF_BASE, 3, dma_buf_import_sync_file.size);

export const DMA_BUF_IOCTL_NAMES: { readonly [cmd: number]: string } = {
  [DMA_BUF_IOCTL_SYNC]: 'DMA_BUF_IOCTL_SYNC',
  [DMA_BUF_SET_NAME_A]: 'DMA_BUF_SET_NAME_A',
  [DMA_BUF_SET_NAME_B]: 'DMA_BUF_SET_NAME',
  [DMA_BUF_IOCTL_EXPORT_SYNC_FILE]: 'DMA_BUF_IOCTL_EXPORT_SYNC_FILE',
  [DMA_BUF_IOCTL_IMPORT_SYNC_FILE]: 'DMA_BUF_IOCTL_IMPORT_SYNC_FILE',
};

export function dmaBufIoctlName(cmd: number): string {
  return DMA_BUF_IOCTL_NAMES[cmd] ?? `0x${cmd.toString(16)}`;
}
