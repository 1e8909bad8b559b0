/**
 * Inodes and their address_space.
 *
 * Only what mapping and zapping need: the i_mmap set of VMAs that map the
 * inode (walked by unmap_mapping_range()) and the i_mmap_rwsem that guards it.
 */

/** A VMA as i_mmap records it: the mm it lives in and its id. */
export interface VmaRef {
  readonly mm: number;
  readonly vma: number;
}

export interface AddressSpace {
  /** VMAs mapping this inode, in insertion order (an interval tree in the kernel). */
  readonly i_mmap: readonly VmaRef[];
  /** Lock id of i_mmap_rwsem. */
  readonly i_mmap_rwsem: number;
}

export interface Inode {
  readonly id: number;
  /** What the inode stands for: one per vfio device on the vfio pseudo-fs, one per dma-buf. */
  readonly kind: 'vfio-device' | 'dma-buf' | 'anon';
  /** The object the inode belongs to (vfio device id, dma-buf id). */
  readonly i_private: number;
  readonly i_mapping: AddressSpace;
}
