/**
 * Creating a process with its threads, as the world builder does before any
 * action runs (the model's stand-in for exec of a fresh program): a Process
 * with an empty mm_struct and fd table, and one Task per thread name.
 */
import type { Kernel } from '../kernel.js';
import { newFdTable } from '../../fs/fd.js';
import { newMm } from '../../mm/mm.js';
import type { Process, Task } from './types.js';

/** A new task of process `pid` in user space (copy_process for one thread). */
export function newTask(k: Kernel, pid: number, name: string): number {
  return k.add('tasks', (tid): Task => ({
    tid, pid, name, frames: [], blockedOn: null, held: [], pending: [], lastRet: null, dead: false,
  }));
}

/** A process named `name` with threads `threads` (names); parent 0. */
export function createProcess(
  k: Kernel, name: string, threads: readonly string[],
): { pid: number; tids: number[] } {
  const pid = k.allocId();
  const mm = newMm(k, pid);
  const fdtable = newFdTable(k);
  k.set('processes', pid, { pid, name, parent: 0, mm, fdtable, vars: {}, exited: false } satisfies Process);
  const tids = threads.map((t) => newTask(k, pid, t));
  k.mut('mms', mm).mm_users = Math.max(1, tids.length);
  return { pid, tids };
}
