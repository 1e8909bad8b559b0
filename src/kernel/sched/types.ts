/**
 * Tasks, processes and the frames of in-flight kernel paths.
 *
 * A syscall or kernel path is a table of labelled atomic steps (see
 * path.ts). While a task is inside one, its call stack of frames (which
 * path, which label, the locals carried across a step) is plain data here,
 * so a stored state resumes directly and a fingerprint sees everything that
 * decides the task's future.
 */
import type { HeldLock, LockMode } from '../locking/types.js';

/** Values a frame may carry across a step: plain, serialisable data. */
export type Value =
  | number
  | string
  | boolean
  | null
  | readonly Value[]
  | { readonly [key: string]: Value };

export type Locals = { readonly [key: string]: Value };

export interface Frame {
  /** The path (kernel function) this frame runs, e.g. `vfio_pci_mmap_huge_fault`. */
  readonly fn: string;
  /** The label of the next step to run. */
  readonly pc: string;
  readonly locals: Locals;
  /** Local of the caller that receives this frame's return value. */
  readonly into: string;
}

export type Signal = 'SIGBUS' | 'SIGSEGV';

export interface Task {
  readonly tid: number;
  /** Thread-group id: the process this task belongs to. */
  readonly pid: number;
  /** The scenario's name for the thread (A, B, child, ...). */
  readonly name: string;
  /** Call stack, innermost last; empty when the task is in user space. */
  readonly frames: readonly Frame[];
  /** The lock this task sleeps or spins on, if any. */
  readonly blockedOn: { readonly lock: number; readonly mode: LockMode } | null;
  /** Locks held, in acquisition order. */
  readonly held: readonly HeldLock[];
  /** Signals delivered and not yet seen by user space. */
  readonly pending: readonly Signal[];
  /** Return value of the last completed user action (syscall result or -errno). */
  readonly lastRet: Value;
  /** The task exited; it runs nothing more. */
  readonly dead: boolean;
  /**
   * Inodes whose i_mmap unmap_mapping_range() walked since the task last
   * entered the kernel (absent: none); cleared, and reported as a
   * `zap_walks` event, when it returns to user space. The
   * zap-reaches-every-mapping invariant judges what the zap actually walked.
   */
  readonly zapped?: readonly number[];
}

export interface Process {
  readonly pid: number;
  readonly name: string;
  readonly parent: number;
  /** mm_struct id; 0 after exit_mm(). */
  readonly mm: number;
  /** files_struct (fd table) id; 0 after exit_files(). */
  readonly fdtable: number;
  /**
   * User-space variables the scenario bound (`as: bar0`): mapped addresses,
   * fd numbers. They are user memory, so fork copies them.
   */
  readonly vars: { readonly [name: string]: number };
  readonly exited: boolean;
}
