/**
 * mm_struct allocation (kernel/fork.c mm_alloc/mm_init, v6.19) and lookups
 * over an mm's VMAs (find_vma, vma_lookup).
 */
import type { Kernel } from '../kernel/kernel.js';
import { ModelError } from '../kernel/kernel.js';
import { newLock } from '../kernel/locking/rwsem.js';
import type { MmStruct, Vma } from './types.js';
import { emptyPgd } from './pgtable.js';

/** mm_alloc(): an empty address space with its mmap_lock and page_table_lock. */
export function newMm(k: Kernel, owner: number): number {
  const id = k.allocId();
  const mmap_lock = newLock(k, 'mmap_lock', `mm ${id}`);
  const page_table_lock = newLock(k, 'page_table_lock', `mm ${id}`);
  k.set('mms', id, { id, owner, mm_users: 1, mmap_lock, page_table_lock, vmas: [], pgd: emptyPgd() });
  return id;
}

/** find_vma(): the first VMA with vm_end > addr, or undefined. */
export function findVma(mm: MmStruct, addr: number): Vma | undefined {
  return mm.vmas.find((v) => v.vm_end > addr);
}

/** vma_lookup(): the VMA containing addr, or undefined. */
export function vmaLookup(mm: MmStruct, addr: number): Vma | undefined {
  const v = findVma(mm, addr);
  return v !== undefined && v.vm_start <= addr ? v : undefined;
}

/** The VMA with this id in this mm, or undefined (it was unmapped). */
export function vmaById(k: Kernel, mm: number, id: number): Vma | undefined {
  return k.find('mms', mm)?.vmas.find((v) => v.id === id);
}

/** The VMA with this id; a missing one is a model bug. */
export function getVma(k: Kernel, mm: number, id: number): Vma {
  const v = vmaById(k, mm, id);
  if (v === undefined) throw new ModelError(`vma ${id} is not in mm ${mm}`);
  return v;
}

/** Replace the mm's VMA list, kept sorted by vm_start. */
export function setVmas(k: Kernel, mm: number, vmas: readonly Vma[]): void {
  k.mut('mms', mm).vmas = [...vmas].sort((a, b) => a.vm_start - b.vm_start);
}

/** Whether any VMA of mm intersects [start, end). */
export function vmaIntersects(mm: MmStruct, start: number, end: number): boolean {
  return mm.vmas.some((v) => v.vm_start < end && v.vm_end > start);
}
