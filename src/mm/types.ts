/**
 * mm_struct, vm_area_struct and page tables as plain data.
 *
 * Flag values are the kernel's (include/linux/mm.h, v6.19 VMA bit numbers).
 * VM_ALLOW_ANY_UNCACHED is bit 39, above 32 bits, so flags are tested with
 * {@link vmFlagsHas} rather than JS bitwise operators.
 */
import type { Level } from '../arch/types.js';
import type { Value } from '../kernel/sched/types.js';

export const VM_NONE = 0;
export const VM_READ = 2 ** 0;
export const VM_WRITE = 2 ** 1;
export const VM_EXEC = 2 ** 2;
export const VM_SHARED = 2 ** 3;
export const VM_MAYREAD = 2 ** 4;
export const VM_MAYWRITE = 2 ** 5;
export const VM_MAYEXEC = 2 ** 6;
export const VM_MAYSHARE = 2 ** 7;
export const VM_PFNMAP = 2 ** 10;
export const VM_IO = 2 ** 14;
export const VM_DONTCOPY = 2 ** 17;
export const VM_DONTEXPAND = 2 ** 18;
export const VM_DONTDUMP = 2 ** 26;
export const VM_MIXEDMAP = 2 ** 28;
export const VM_ALLOW_ANY_UNCACHED = 2 ** 39;

export const VM_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [VM_READ, 'VM_READ'], [VM_WRITE, 'VM_WRITE'], [VM_EXEC, 'VM_EXEC'], [VM_SHARED, 'VM_SHARED'],
  [VM_MAYREAD, 'VM_MAYREAD'], [VM_MAYWRITE, 'VM_MAYWRITE'], [VM_MAYEXEC, 'VM_MAYEXEC'],
  [VM_MAYSHARE, 'VM_MAYSHARE'], [VM_PFNMAP, 'VM_PFNMAP'], [VM_IO, 'VM_IO'], [VM_DONTCOPY, 'VM_DONTCOPY'],
  [VM_DONTEXPAND, 'VM_DONTEXPAND'], [VM_DONTDUMP, 'VM_DONTDUMP'], [VM_MIXEDMAP, 'VM_MIXEDMAP'],
  [VM_ALLOW_ANY_UNCACHED, 'VM_ALLOW_ANY_UNCACHED'],
];

/** Whether every bit of `flag` is set in `flags` (safe above bit 31). */
export function vmFlagsHas(flags: number, flag: number): boolean {
  let f = flag;
  let v = flags;
  while (f > 0) {
    const fl = f % 2 ** 30;
    const vl = v % 2 ** 30;
    if ((vl & fl) !== fl) return false;
    f = Math.floor(f / 2 ** 30);
    v = Math.floor(v / 2 ** 30);
  }
  return true;
}

export function vmFlagsSet(flags: number, flag: number): number {
  let out = 0;
  let scale = 1;
  let a = flags;
  let b = flag;
  while (a > 0 || b > 0) {
    out += ((a % 2 ** 30) | (b % 2 ** 30)) * scale;
    a = Math.floor(a / 2 ** 30);
    b = Math.floor(b / 2 ** 30);
    scale *= 2 ** 30;
  }
  return out;
}

export function vmFlagsString(flags: number): string {
  return VM_FLAG_NAMES.filter(([f]) => vmFlagsHas(flags, f)).map(([, n]) => n).join('|') || 'VM_NONE';
}

/** vm_page_prot, reduced to what decides how a BAR is mapped. */
export interface PageProt {
  /** Memory type: write-back, uncached (pgprot_noncached), write-combine. */
  readonly cache: 'WB' | 'UC' | 'WC';
  /** pgprot_decrypted() applied (shared with the host under memory encryption). */
  readonly decrypted: boolean;
}

export interface Vma {
  /** A unique id: i_mmap and traces name a VMA by it. */
  readonly id: number;
  /** The mm_struct the VMA belongs to (vm_mm). */
  readonly vm_mm: number;
  readonly vm_start: number;
  readonly vm_end: number;
  /** Offset into vm_file in pages (the file offset, never the PFN: see B10). */
  readonly vm_pgoff: number;
  readonly vm_flags: number;
  readonly vm_page_prot: PageProt;
  /** File id, 0 for anonymous memory. */
  readonly vm_file: number;
  /** Name of the vm_operations_struct in the design, '' for none. */
  readonly vm_ops: string;
  /** What the driver put in vm_private_data (an object id or a record of ids). */
  readonly vm_private_data: Value;
}

/** A page-table leaf: a PFN mapped at one level. */
export interface PgLeaf {
  readonly kind: 'leaf';
  readonly level: Level;
  readonly pfn: number;
  readonly write: boolean;
  /** The arch's special bit (pte_special/pmd_special/pud_special). */
  readonly special: boolean;
}

/**
 * A page-table page, sparse: only its present entries, by ascending index
 * (src/mm/pgtable.ts keeps it canonical, so equal tables are equal data).
 */
export interface PgTable {
  readonly kind: 'table';
  /** The level of the entries this table holds: 'pgd' holds pud tables. */
  readonly level: 'pgd' | Level;
  /** The indices (0-511) of the present entries, ascending. */
  readonly index: readonly number[];
  /** The entry at each index of `index`, in the same order. */
  readonly entries: readonly (PgTable | PgLeaf)[];
}

export interface MmStruct {
  readonly id: number;
  /** The process that owns the mm (mm->owner). */
  readonly owner: number;
  /** mm_users: tasks using the address space. */
  readonly mm_users: number;
  /** Lock id of mmap_lock (rw_semaphore). */
  readonly mmap_lock: number;
  /** Lock id of page_table_lock (one per mm: split PTLs are not modelled). */
  readonly page_table_lock: number;
  /** VMAs sorted by vm_start, non-overlapping (the maple tree's order). */
  readonly vmas: readonly Vma[];
  readonly pgd: PgTable;
  /**
   * VMAs an in-flight munmap/exit has taken out of `vmas` but not yet out of
   * their i_mmap (vms_gather_munmap_vmas → free_pgtables): rmap walkers such
   * as unmap_mapping_range() still reach them. Absent means none.
   */
  readonly detached?: readonly Vma[];
}
