/**
 * mm: address spaces, VMAs, page tables, faults, zap, GUP slow and fast,
 * fork (Linux v6.19: mm/mmap.c, mm/vma.c, mm/memory.c, mm/huge_memory.c,
 * mm/gup.c, kernel/fork.c).
 *
 * Also mremap (mm/mremap.c), madvise (mm/madvise.c), the THP `enabled`
 * setting (mm/huge_memory.c), remote access (mm/memory.c
 * __access_remote_vm, kernel/ptrace.c, mm/process_vm_access.c) and private
 * anonymous memory at PTE level with COW (src/mm/anon.ts).
 *
 * Not modelled: page cache pages, anonymous THP and large folios, shmem;
 * COW of private PFN maps (B8); VMA merging, mprotect, mlock, accounting,
 * memfd seals, pkeys, userfaultfd, KSM, ASLR; per-VMA locks (faults always
 * take mmap_lock for read) and split page-table locks (one page_table_lock
 * per mm); the p4d level (folded); TLB flushes and mmu notifiers (a cleared
 * entry is gone at once); the mmap_prepare `action` member; hugetlbfs;
 * gup_fast_folio_allowed()'s CONFIG_SECRETMEM mapping check; FOLL_LONGTERM;
 * follow_pfnmap_start(); exit_mmap's read-locked zap (the model zaps under
 * the write lock).
 */
import type { Path } from '../kernel/sched/path.js';
import { doExitPath } from '../kernel/exit.js';
import { userAccessPath } from './access.js';
import { handleMmFaultPath } from './fault.js';
import { kernelClonePath } from './fork.js';
import { gupActionPath, oDirectRwPath } from './gup.js';
import { vmfInsertPfnPath, vmfInsertPfnPmdPath, vmfInsertPfnPudPath } from './insert.js';
import { unmapMappingRangePath } from './memory.js';
import { ksysMmapPgoffPath, mmapRegionPath, vmaSetFilePath } from './mmap.js';
import { doVmiMunmapPath, vmMunmapPath } from './munmap.js';
import { splitVmaPath } from './vma.js';
import { doMadvisePath } from './madvise.js';
import { doMremapPath } from './mremap.js';
import { remoteAccessPath } from './remote.js';

/** Every mm path (and do_exit, which tears an mm down), for the designs' registries. */
export const MM_PATHS: readonly Path[] = [
  ksysMmapPgoffPath, mmapRegionPath, vmaSetFilePath,
  vmMunmapPath, doVmiMunmapPath, splitVmaPath,
  handleMmFaultPath, vmfInsertPfnPath, vmfInsertPfnPmdPath, vmfInsertPfnPudPath,
  userAccessPath, unmapMappingRangePath, gupActionPath, oDirectRwPath,
  kernelClonePath, doExitPath, doMadvisePath, doMremapPath, remoteAccessPath,
];

export { mmapVma, setMmapVma, mmapDesc, setMmapDesc } from './mmap-vma.js';
export type { VmaDraft, VmaDraftChange, MmapDesc, MmapDescChange } from './mmap-vma.js';
export { newMm, findVma, vmaLookup, vmaById, getVma } from './mm.js';
export { walk, slotAt, setLeaf, clearRange, listLeaves, leavesIn, levelSize, levelOrder, orderLevel, alignDown } from './pgtable.js';
export { vmaOpLocals, linearPageIndex, PAGE_SIZE, PAGE_SHIFT } from './vma.js';
export { addPageRef } from './gup-fast.js';
