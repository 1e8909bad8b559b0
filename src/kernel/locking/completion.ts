/**
 * struct completion as a lock row, so that a task in wait_for_completion()
 * sleeps the way a task sleeps on a lock: the scheduler does not run it
 * until the row is free, and when every task in the kernel sleeps so, the
 * checker reports a deadlock (here: a revoke that waits forever because an
 * importer never unmaps).
 *
 * A completion that is not done is a row "held" by no task
 * ({@link COMPLETION_PENDING} as writer); complete() frees it and
 * reinit_completion() sets it pending again. wait_for_completion() is a
 * step that takes the row for read (sleeping while pending) and drops it at
 * once. Waiters never hold it across a step, so it adds no lock-order edge
 * that could invert.
 */
import type { Kernel } from '../kernel.js';
import { newLock } from './rwsem.js';

/** The writer of a pending completion: no task, so no task's release can free it. */
export const COMPLETION_PENDING = -1;

/** init_completion(): a new, pending completion; returns its lock row. */
export function initCompletion(k: Kernel, owner: string): number {
  const id = newLock(k, 'completion', owner);
  k.mut('locks', id).writer = COMPLETION_PENDING;
  return id;
}

/** complete(): wake every waiter (the row is free from now on). */
export function complete(k: Kernel, comp: number): void {
  if (k.find('locks', comp) !== undefined) k.mut('locks', comp).writer = 0;
}

/** reinit_completion(): pending again. */
export function reinitCompletion(k: Kernel, comp: number): void {
  if (k.find('locks', comp) !== undefined) k.mut('locks', comp).writer = COMPLETION_PENDING;
}

/** Whether complete() has run since the last (re)init. */
export function completionDone(k: Kernel, comp: number): boolean {
  return k.find('locks', comp)?.writer === 0;
}
