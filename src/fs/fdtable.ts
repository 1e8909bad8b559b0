/**
 * files_struct / fdtable: a process's file descriptors.
 */

export interface FdEntry {
  readonly file: number;
  /** close_on_exec bit (O_CLOEXEC). */
  readonly cloexec: boolean;
}

export interface FdTable {
  readonly id: number;
  /** fd -> entry; null for a free slot. The lowest free slot is allocated first. */
  readonly fds: readonly (FdEntry | null)[];
}
