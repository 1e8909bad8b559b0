/**
 * Sleeping and spinning locks as data.
 *
 * Every lock the model takes lives in the `locks` table so that who holds
 * it, who waits for it, and in which order tasks took locks are part of the
 * state: a missing lock or an inversion is then visible to the checker.
 */

/** Lock classes, as lockdep would name them. */
export type LockClass =
  | 'mmap_lock'        // mm_struct.mmap_lock (rw_semaphore)
  | 'memory_lock'      // vfio_pci_core_device.memory_lock (rw_semaphore)
  | 'i_mmap_rwsem'     // address_space.i_mmap_rwsem (rw_semaphore)
  | 'page_table_lock'  // mm_struct.page_table_lock (spinlock; split PTLs are not modelled)
  | 'dma_resv'         // dma_resv.lock (ww_mutex), used by later issues
  | 'completion';      // struct completion a design waits on (v7.1 revoke): see src/kernel/locking/completion.ts

export type LockMode = 'read' | 'write';

export interface Lock {
  readonly id: number;
  readonly class: LockClass;
  /** The object the lock belongs to, for the trace (`mm 3`, `vfio 0000:01:00.0`). */
  readonly owner: string;
  /** Task id of the writer (exclusive holder), 0 when none. */
  readonly writer: number;
  /** Task ids holding the lock for read, in acquisition order. */
  readonly readers: readonly number[];
}

export interface HeldLock {
  readonly lock: number;
  readonly mode: LockMode;
}
