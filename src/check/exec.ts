/**
 * Executing user actions on the model: the building block of `barmap run`,
 * of tests and of the checker.
 *
 * `startAction` puts a task into the kernel; `runTask` steps it until it is
 * back in user space, reaches a label, or sleeps on a lock nobody runnable
 * will release; `step` runs exactly one step of one task.
 */
import { Kernel } from '../kernel/kernel.js';
import type { KernelState } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import type { UserAction } from '../kernel/syscalls.js';
import { actionEntry } from '../kernel/syscalls.js';
import { enterKernel, isRunnable, stepTask, taskLabel } from '../kernel/sched/step.js';
import type { StepOutcome } from '../kernel/sched/step.js';

export interface Stepped {
  readonly state: KernelState;
  readonly events: readonly TraceEvent[];
}

/** Enter the kernel path for `action` on task `tid` (which must be in user space). */
export function startAction(s: KernelState, design: Design, tid: number, action: UserAction): Stepped {
  const k = new Kernel(s, design);
  const { fn, locals } = actionEntry(action);
  enterKernel(k, tid, fn, locals);
  return { state: k.finish(), events: k.events };
}

/** Run one step of task `tid`. */
export function step(s: KernelState, design: Design, tid: number): Stepped & { readonly outcome: StepOutcome } {
  const k = new Kernel(s, design);
  const outcome = stepTask(k, tid);
  return { state: k.finish(), events: k.events, outcome };
}

export type RunStop = 'done' | 'label' | 'blocked' | 'limit';

/**
 * Step task `tid` until it returns to user space ('done'), is about to run
 * `until` ('label', as `fn:label`), or sleeps on a lock ('blocked').
 */
export function runTask(
  s: KernelState,
  design: Design,
  tid: number,
  until?: string,
  maxSteps = 100_000,
): Stepped & { readonly stop: RunStop } {
  let state = s;
  const events: TraceEvent[] = [];
  for (let n = 0; n < maxSteps; n++) {
    const task = state.tasks[tid];
    if (task === undefined || task.dead || task.frames.length === 0) return { state, events, stop: 'done' };
    if (until !== undefined && n > 0 && taskLabel(task) === until) return { state, events, stop: 'label' };
    if (!isRunnable(state, tid)) return { state, events, stop: 'blocked' };
    const r = step(state, design, tid);
    state = r.state;
    events.push(...r.events);
    if (r.outcome === 'blocked') return { state, events, stop: 'blocked' };
  }
  return { state, events, stop: 'limit' };
}

/** Start an action and run it to completion; the task's `lastRet` is the result. */
export function runAction(
  s: KernelState,
  design: Design,
  tid: number,
  action: UserAction,
): Stepped & { readonly stop: RunStop; readonly ret: number } {
  const started = startAction(s, design, tid, action);
  const r = runTask(started.state, design, tid);
  const ret = r.state.tasks[tid]?.lastRet;
  return { state: r.state, events: [...started.events, ...r.events], stop: r.stop, ret: typeof ret === 'number' ? ret : 0 };
}
