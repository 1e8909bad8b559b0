/**
 * The transitions the checker explores from a state, and applying one.
 *
 * A transition is one atomic step of one task: either the next step of a
 * task inside the kernel, or a task in user space starting an action from
 * its alphabet (entering the kernel and running the path's first step in one
 * go: entering has no effect another CPU could see). A schedule is the list
 * of transitions from the initial state; replaying it is deterministic.
 */
import type { Footprint } from './footprint.js';
import type { Kernel } from '../kernel/kernel.js';
import { draft } from './footprint.js';
import type { KernelState } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import type { UserAction } from '../kernel/syscalls.js';
import { actionEntry } from '../kernel/syscalls.js';
import { enterKernel, inKernel, isRunnable, stepTask } from '../kernel/sched/step.js';

export interface Transition {
  readonly tid: number;
  /** Present when the task starts a new action from user space. */
  readonly action?: UserAction;
  /** Index of the alphabet entry the action came from, when the alphabet gives one. */
  readonly entry?: number;
}

/**
 * Apply a transition; the caller checked that it is enabled. `fp` records
 * what it touched. `after` runs on the same draft once the step is done
 * (what user space does when the action returns, src/check/model.ts), so a
 * transition copies and fingerprints each row it writes once.
 */
export function applyTransition(
  s: KernelState,
  design: Design,
  t: Transition,
  fp?: Footprint,
  after?: (k: Kernel) => void,
): { readonly state: KernelState; readonly events: readonly TraceEvent[] } {
  const k = draft(s, design, fp);
  if (t.action) {
    const { fn, locals } = actionEntry(t.action);
    k.emit({ tid: t.tid, kind: 'syscall', fn: t.action.op, args: actionArgs(t.action) });
    enterKernel(k, t.tid, fn, locals);
  }
  stepTask(k, t.tid);
  after?.(k);
  return { state: k.finish(), events: k.events };
}

/** The action's arguments as event args (byte buffers shown by length). */
export function actionArgs(a: UserAction): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, v] of Object.entries(a)) {
    if (key === 'op') continue;
    if (Array.isArray(v)) out[key] = `[${v.length} bytes]`;
    else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
  }
  return out;
}

/** Tasks inside the kernel, and whether any of them can run. */
export function kernelTasks(s: KernelState): { readonly inside: number[]; readonly runnable: number[] } {
  const inside: number[] = [];
  const runnable: number[] = [];
  for (const key of Object.keys(s.tasks)) {
    const tid = Number(key);
    if (!inKernel(s, tid)) continue;
    inside.push(tid);
    if (isRunnable(s, tid)) runnable.push(tid);
  }
  return { inside, runnable };
}

/**
 * A deadlock: tasks are inside the kernel and none of them can run. A task
 * in wait_for_completion() (src/kernel/locking/completion.ts) does not
 * count: no task owns a completion, and a thread in user space may still
 * complete it (an importer's unmap ends a v7.1 revoke's wait).
 */
export function isDeadlocked(s: KernelState): boolean {
  const { inside, runnable } = kernelTasks(s);
  if (inside.length === 0 || runnable.length > 0) return false;
  return !inside.some((tid) => {
    const b = s.tasks[tid]?.blockedOn;
    return b != null && s.locks[b.lock]?.class === 'completion';
  });
}

/** A short key naming a transition at a node: the task, and the alphabet entry (or action) it starts. */
export function transitionKey(t: Transition): string {
  if (!t.action) return String(t.tid);
  return `${t.tid}:${t.entry !== undefined ? t.entry : JSON.stringify(t.action)}`;
}
