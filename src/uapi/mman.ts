/**
 * mmap prot and flags (include/uapi/asm-generic/mman-common.h, include/uapi/linux/mman.h).
 * Values are the generic ones, which x86_64 and arm64 both use.
 */

export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_SEM = 0x8;

/** MAP_TYPE: the sharing type in the low nibble of flags. */
export const MAP_TYPE = 0x0f;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
/** MAP_SHARED plus validation of the extension flags (unknown flags → -EOPNOTSUPP). */
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_DROPPABLE = 0x08;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_POPULATE = 0x008000;
export const MAP_NONBLOCK = 0x010000;
export const MAP_STACK = 0x020000;
export const MAP_HUGETLB = 0x040000;
export const MAP_SYNC = 0x080000;
export const MAP_FIXED_NOREPLACE = 0x100000;

/** Names of prot bits, for traces ("PROT_READ|PROT_WRITE"). */
export function protName(prot: number): string {
  if (prot === PROT_NONE) return 'PROT_NONE';
  const parts: string[] = [];
  if (prot & PROT_READ) parts.push('PROT_READ');
  if (prot & PROT_WRITE) parts.push('PROT_WRITE');
  if (prot & PROT_EXEC) parts.push('PROT_EXEC');
  if (prot & PROT_SEM) parts.push('PROT_SEM');
  const rest = prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM);
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}

/** Names of mmap flags, for traces ("MAP_SHARED|MAP_FIXED"). */
export function mapFlagsName(flags: number): string {
  const parts: string[] = [];
  const type = flags & MAP_TYPE;
  if (type === MAP_SHARED) parts.push('MAP_SHARED');
  else if (type === MAP_PRIVATE) parts.push('MAP_PRIVATE');
  else if (type === MAP_SHARED_VALIDATE) parts.push('MAP_SHARED_VALIDATE');
  else if (type !== 0) parts.push(`type=0x${type.toString(16)}`);
  const named: readonly (readonly [number, string])[] = [
    [MAP_FIXED, 'MAP_FIXED'], [MAP_ANONYMOUS, 'MAP_ANONYMOUS'], [MAP_POPULATE, 'MAP_POPULATE'],
    [MAP_NONBLOCK, 'MAP_NONBLOCK'], [MAP_STACK, 'MAP_STACK'], [MAP_HUGETLB, 'MAP_HUGETLB'],
    [MAP_SYNC, 'MAP_SYNC'], [MAP_FIXED_NOREPLACE, 'MAP_FIXED_NOREPLACE'],
  ];
  let rest = flags & ~MAP_TYPE;
  for (const [bit, name] of named) {
    if (rest & bit) { parts.push(name); rest &= ~bit; }
  }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.length ? parts.join('|') : '0';
}

/** madvise advice (include/uapi/asm-generic/mman-common.h). */
export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_WIPEONFORK = 18;
export const MADV_KEEPONFORK = 19;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;
export const MADV_DONTNEED_LOCKED = 24;
export const MADV_COLLAPSE = 25;
export const MADV_HWPOISON = 100;
export const MADV_SOFT_OFFLINE = 101;
export const MADV_GUARD_INSTALL = 102;
export const MADV_GUARD_REMOVE = 103;

/** Every advice madvise_behavior_valid() accepts, by name. */
export const MADV_NAMES: { readonly [name: string]: number } = {
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_REMOVE,
  MADV_DONTFORK,
  MADV_DOFORK,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_DONTDUMP,
  MADV_DODUMP,
  MADV_WIPEONFORK,
  MADV_KEEPONFORK,
  MADV_COLD,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_DONTNEED_LOCKED,
  MADV_COLLAPSE,
  MADV_HWPOISON,
  MADV_SOFT_OFFLINE,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
};

/** mremap flags (include/uapi/linux/mman.h). */
export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;
