/**
 * rw_semaphore, mutex and spinlock semantics over lock rows.
 *
 * Models the ordering rules that matter for deadlocks and races, not the
 * kernel's queueing: a writer needs the lock free; a reader needs no writer
 * holding it and no writer waiting for it (as rwsem readers queue behind a
 * waiting writer, which is what makes a recursive down_read deadlock).
 * Mutexes and spinlocks are taken in write mode only.
 */
import type { Kernel } from '../kernel.js';
import type { KernelState } from '../state.js';
import type { Lock, LockClass, LockMode } from './types.js';

export function newLock(k: Kernel, cls: LockClass, owner: string): number {
  return k.add('locks', (id): Lock => ({ id, class: cls, owner, writer: 0, readers: [] }));
}

/** Whether `tid` could take `lock` in `mode` now. */
export function canAcquire(s: KernelState, lockId: number, mode: LockMode, tid: number): boolean {
  const lock = s.locks[lockId];
  if (lock === undefined) return false;
  if (lock.writer !== 0) return false;
  if (mode === 'write') return lock.readers.length === 0;
  for (const other of Object.values(s.tasks)) {
    if (other.tid !== tid && other.blockedOn?.lock === lockId && other.blockedOn.mode === 'write') {
      return false;
    }
  }
  return true;
}

/** Take the lock for `tid`; the caller checked {@link canAcquire}. */
export function acquire(k: Kernel, lockId: number, mode: LockMode, tid: number): void {
  const lock = k.mut('locks', lockId);
  if (mode === 'write') lock.writer = tid;
  else lock.readers = [...lock.readers, tid];
  const task = k.mut('tasks', tid);
  task.held = [...task.held, { lock: lockId, mode }];
  task.blockedOn = null;
}

/** Release the lock `tid` holds; returns false when it did not hold it. */
export function release(k: Kernel, lockId: number, tid: number): boolean {
  const task = k.get('tasks', tid);
  const at = task.held.findIndex((h) => h.lock === lockId);
  if (at < 0) return false;
  const lock = k.mut('locks', lockId);
  if (task.held[at]!.mode === 'write') lock.writer = 0;
  else {
    const r = lock.readers.indexOf(tid);
    lock.readers = lock.readers.filter((_, i) => i !== r);
  }
  const t = k.mut('tasks', tid);
  t.held = t.held.filter((_, i) => i !== at);
  return true;
}

export function lockName(lock: Lock): string {
  return `${lock.owner}->${lock.class}`;
}
