/**
 * Inodes and their i_mmap (mm/mmap.c vma_link_file, mm/vma.c
 * __remove_shared_vm_struct, v6.19). The i_mmap helpers are the plain
 * insert/remove; the caller holds i_mmap_rwsem for write, as
 * i_mmap_lock_write() around vma_interval_tree_insert/remove.
 */
import type { Kernel } from '../kernel/kernel.js';
import { ModelError } from '../kernel/kernel.js';
import { newLock } from '../kernel/locking/rwsem.js';
import type { Inode, VmaRef } from './inode.js';

/** new_inode(): an inode with an empty address_space and its i_mmap_rwsem. */
export function newInode(k: Kernel, kind: Inode['kind'], i_private: number): number {
  const id = k.allocId();
  const lock = newLock(k, 'i_mmap_rwsem', `inode ${id}`);
  k.set('inodes', id, { id, kind, i_private, i_mapping: { i_mmap: [], i_mmap_rwsem: lock } });
  return id;
}

/** The lock id of an inode's i_mmap_rwsem. */
export function iMmapLock(k: Kernel, inode: number): number {
  return k.get('inodes', inode).i_mapping.i_mmap_rwsem;
}

/** vma_interval_tree_insert() into the inode's i_mmap. */
export function iMmapInsert(k: Kernel, inode: number, ref: VmaRef): void {
  const ino = k.get('inodes', inode);
  if (ino.i_mapping.i_mmap.some((r) => r.mm === ref.mm && r.vma === ref.vma)) {
    throw new ModelError(`vma ${ref.vma} already in i_mmap of inode ${inode}`);
  }
  k.mut('inodes', inode).i_mapping = { ...ino.i_mapping, i_mmap: [...ino.i_mapping.i_mmap, ref] };
}

/** vma_interval_tree_remove() from the inode's i_mmap; false if it was not there. */
export function iMmapRemove(k: Kernel, inode: number, ref: VmaRef): boolean {
  const ino = k.get('inodes', inode);
  const i_mmap = ino.i_mapping.i_mmap.filter((r) => !(r.mm === ref.mm && r.vma === ref.vma));
  if (i_mmap.length === ino.i_mapping.i_mmap.length) return false;
  k.mut('inodes', inode).i_mapping = { ...ino.i_mapping, i_mmap };
  return true;
}
