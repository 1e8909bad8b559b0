/**
 * Flag names a scenario may write (`prot: [PROT_READ, PROT_WRITE]`), with
 * the kernel's values from src/uapi.
 */
import * as fcntl from '../uapi/fcntl.js';
import * as mman from '../uapi/mman.js';
import * as dmabuf from '../uapi/dma-buf.js';

/** One family of flags: names and values, plus how to list them in a hint. */
export interface FlagSet {
  readonly what: string;
  readonly values: { readonly [name: string]: number };
  /** The names are values of an enum, not bits (IOMMU_VFIO_IOAS_GET is 0): shown by value. */
  readonly enum?: boolean;
}

export const OPEN_FLAGS: FlagSet = {
  what: 'open flag',
  values: {
    O_RDONLY: fcntl.O_RDONLY, O_WRONLY: fcntl.O_WRONLY, O_RDWR: fcntl.O_RDWR, O_CLOEXEC: fcntl.O_CLOEXEC,
    O_NONBLOCK: fcntl.O_NONBLOCK, O_DIRECT: fcntl.O_DIRECT, O_APPEND: fcntl.O_APPEND, O_SYNC: fcntl.O_DSYNC,
    O_LARGEFILE: fcntl.O_LARGEFILE,
  },
};

export const PROT_FLAGS: FlagSet = {
  what: 'flag',
  values: { PROT_READ: mman.PROT_READ, PROT_WRITE: mman.PROT_WRITE, PROT_EXEC: mman.PROT_EXEC, PROT_NONE: mman.PROT_NONE },
};

export const MAP_FLAGS: FlagSet = {
  what: 'flag',
  values: {
    MAP_SHARED: mman.MAP_SHARED, MAP_PRIVATE: mman.MAP_PRIVATE, MAP_SHARED_VALIDATE: mman.MAP_SHARED_VALIDATE,
    MAP_FIXED: mman.MAP_FIXED, MAP_FIXED_NOREPLACE: mman.MAP_FIXED_NOREPLACE, MAP_ANONYMOUS: mman.MAP_ANONYMOUS,
    MAP_POPULATE: mman.MAP_POPULATE, MAP_NONBLOCK: mman.MAP_NONBLOCK, MAP_HUGETLB: mman.MAP_HUGETLB,
    MAP_SYNC: mman.MAP_SYNC,
  },
};

/** madvise advice: one name (an enum, not bits). */
export const MADV_ADVICE: FlagSet = {
  what: 'madvise advice',
  enum: true,
  values: mman.MADV_NAMES,
};

export const MREMAP_FLAGS: FlagSet = {
  what: 'mremap flag',
  values: { MREMAP_MAYMOVE: mman.MREMAP_MAYMOVE, MREMAP_FIXED: mman.MREMAP_FIXED, MREMAP_DONTUNMAP: mman.MREMAP_DONTUNMAP },
};

/** lseek whence (an enum). */
export const SEEK_WHENCE: FlagSet = {
  what: 'whence',
  enum: true,
  values: {
    SEEK_SET: fcntl.SEEK_SET, SEEK_CUR: fcntl.SEEK_CUR, SEEK_END: fcntl.SEEK_END, SEEK_DATA: fcntl.SEEK_DATA, SEEK_HOLE: fcntl.SEEK_HOLE,
  },
};

/** struct dma_buf_sync flags (DMA_BUF_SYNC_START is 0: it only names the absence of END). */
export const DMA_BUF_SYNC_FLAGS: FlagSet = {
  what: 'dma-buf sync flag',
  values: {
    DMA_BUF_SYNC_READ: dmabuf.DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE: dmabuf.DMA_BUF_SYNC_WRITE,
    DMA_BUF_SYNC_RW: dmabuf.DMA_BUF_SYNC_RW, DMA_BUF_SYNC_START: dmabuf.DMA_BUF_SYNC_START,
    DMA_BUF_SYNC_END: dmabuf.DMA_BUF_SYNC_END,
  },
};

/** Names of the bits set in `value` (a name whose value is 0 never shows), the rest as hex; an enum's name. */
export function flagNames(set: FlagSet, value: number): string {
  if (set.enum) return Object.entries(set.values).find(([, v]) => v === value)?.[0] ?? String(value);
  const parts: string[] = [];
  let rest = value;
  for (const [n, v] of Object.entries(set.values)) {
    if (v !== 0 && (rest & v) === v) {
      parts.push(n);
      rest &= ~v;
    }
  }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|') || '0';
}

/** "A, B, C or D". */
export function orList(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** The known name closest to `name` by edit distance, if it is close enough to be a typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) { best = k; bestD = d; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
