/**
 * vm_fault_t bits (include/linux/mm_types.h, enum vm_fault_reason) and the
 * vmf flags a fault carries.
 */
export const VM_FAULT_OOM = 0x000001;
export const VM_FAULT_SIGBUS = 0x000002;
export const VM_FAULT_MAJOR = 0x000004;
export const VM_FAULT_HWPOISON = 0x000010;
export const VM_FAULT_HWPOISON_LARGE = 0x000020;
export const VM_FAULT_SIGSEGV = 0x000040;
export const VM_FAULT_NOPAGE = 0x000100;
export const VM_FAULT_LOCKED = 0x000200;
export const VM_FAULT_RETRY = 0x000400;
export const VM_FAULT_FALLBACK = 0x000800;
export const VM_FAULT_DONE_COW = 0x001000;
export const VM_FAULT_NEEDDSYNC = 0x002000;
export const VM_FAULT_COMPLETED = 0x004000;

/** VM_FAULT_ERROR: the bits that end a fault in failure. */
export const VM_FAULT_ERROR =
  VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE;

const NAMES: readonly (readonly [number, string])[] = [
  [VM_FAULT_OOM, 'VM_FAULT_OOM'], [VM_FAULT_SIGBUS, 'VM_FAULT_SIGBUS'], [VM_FAULT_MAJOR, 'VM_FAULT_MAJOR'],
  [VM_FAULT_HWPOISON, 'VM_FAULT_HWPOISON'], [VM_FAULT_SIGSEGV, 'VM_FAULT_SIGSEGV'],
  [VM_FAULT_NOPAGE, 'VM_FAULT_NOPAGE'], [VM_FAULT_LOCKED, 'VM_FAULT_LOCKED'], [VM_FAULT_RETRY, 'VM_FAULT_RETRY'],
  [VM_FAULT_FALLBACK, 'VM_FAULT_FALLBACK'], [VM_FAULT_DONE_COW, 'VM_FAULT_DONE_COW'],
  [VM_FAULT_NEEDDSYNC, 'VM_FAULT_NEEDDSYNC'], [VM_FAULT_COMPLETED, 'VM_FAULT_COMPLETED'],
];

export function vmFaultName(ret: number): string {
  if (ret === 0) return '0';
  return NAMES.filter(([b]) => (ret & b) !== 0).map(([, n]) => n).join('|');
}

/** FAULT_FLAG_WRITE: the access that faulted was a write. */
export const FAULT_FLAG_WRITE = 0x1;

/** Orders the huge fault handlers are called with (PAGE_SHIFT 12). */
export const PMD_ORDER = 9;
export const PUD_ORDER = 18;
