/**
 * Running one step of one task: the scheduler's unit of work.
 *
 * `stepTask` runs the step at the top frame's label and applies the frame
 * move the step asked for (goto, call or ret). When the outermost frame
 * returns, the task is back in user space and its `lastRet` holds the result.
 */
import type { Kernel } from '../kernel.js';
import { ModelError } from '../kernel.js';
import { acquire, canAcquire, lockName, release } from '../locking/rwsem.js';
import type { KernelState } from '../state.js';
import type { Cx, Path } from './path.js';
import type { PathName } from './registry.js';
import type { Frame, Locals, Task, Value } from './types.js';
import type { Lock, LockMode } from '../locking/types.js';
import { addEdge, hasEdge } from '../locking/lockdep.js';
import type { EventKind, EventValue } from '../events.js';

export type StepOutcome = 'ran' | 'blocked' | 'idle';

type Move =
  | { kind: 'goto'; label: string }
  | { kind: 'call'; callee: string; args: Locals; into: string; then: string }
  | { kind: 'ret'; value: Value }
  | { kind: 'block' };

/** Whether the task has a step to run that is not waiting for a lock. */
export function isRunnable(s: KernelState, tid: number): boolean {
  const task = s.tasks[tid];
  if (task === undefined || task.dead || task.frames.length === 0) return false;
  const b = task.blockedOn;
  return b === null || canAcquire(s, b.lock, b.mode, tid);
}

/** Whether the task is inside a kernel path (running or sleeping). */
export function inKernel(s: KernelState, tid: number): boolean {
  const task = s.tasks[tid];
  return task !== undefined && !task.dead && task.frames.length > 0;
}

/** The label a task will run next, as `fn:label`, or '' in user space. */
export function taskLabel(task: Task): string {
  const top = task.frames[task.frames.length - 1];
  return top ? `${top.fn}:${top.pc}` : '';
}

/** Start a kernel path on a task that is in user space. */
export function enterKernel(k: Kernel, tid: number, handle: PathName | Path, args: Locals): void {
  const fn = typeof handle === 'string' ? handle : handle.name;
  const task = k.get('tasks', tid);
  if (task.frames.length > 0) throw new ModelError(`task ${tid} is already in the kernel`);
  const p = lookupPath(k, fn);
  k.mut('tasks', tid).frames = [{ fn, pc: landing(p, '', p.entry), locals: args, into: '' }];
}

export function lookupPath(k: Kernel, fn: string): Path {
  const p = k.design.paths.get(fn);
  if (!p) throw new ModelError(`no path '${fn}' in design '${k.design.name}'`);
  return p;
}

/** Run the next step of a task. */
export function stepTask(k: Kernel, tid: number): StepOutcome {
  const task = k.get('tasks', tid);
  const top = task.frames[task.frames.length - 1];
  if (task.dead || top === undefined) return 'idle';
  const p = lookupPath(k, top.fn);
  const step = p.steps[top.pc];
  if (!step) throw new ModelError(`path ${top.fn} has no label '${top.pc}'`);

  const locals: Record<string, Value> = { ...top.locals };
  const cx = new StepContext(k, tid, task.pid, locals, top);
  // The step was written for its path's own locals and labels; the frame holds them as plain data.
  step(cx as never);

  const m = cx.move;
  if (m === null) throw new ModelError(`${top.fn}:${top.pc} did not move its frame`);
  if (m.kind === 'block') return 'blocked';
  const frames = k.get('tasks', tid).frames.slice(0, -1);
  switch (m.kind) {
    case 'goto':
      frames.push({ ...top, pc: landing(p, top.pc, m.label), locals });
      break;
    case 'call': {
      const callee = lookupPath(k, m.callee);
      frames.push({ ...top, pc: landing(p, top.pc, m.then), locals });
      frames.push({ fn: m.callee, pc: landing(callee, '', callee.entry), locals: m.args, into: m.into });
      break;
    }
    case 'ret': {
      const caller = frames.pop();
      if (caller) frames.push({ ...caller, locals: { ...caller.locals, [top.into]: m.value } });
      else returnToUser(k, tid, m.value);
      break;
    }
  }
  k.mut('tasks', tid).frames = frames as readonly Frame[];
  return 'ran';
}

/**
 * What a step sees (a {@link Cx}): one object per step, its moves recorded
 * in `move`, rather than a fresh closure per operation.
 */
class StepContext implements Cx<Locals> {
  move: Move | null = null;

  constructor(
    readonly k: Kernel,
    readonly tid: number,
    readonly pid: number,
    readonly l: Record<string, Value>,
    private readonly top: Frame,
  ) {}

  private setMove(m: Move): void {
    if (this.move !== null && this.move.kind !== 'block') {
      throw new ModelError(`${this.top.fn}:${this.top.pc} moved its frame twice`);
    }
    this.move = m;
  }

  goto(label: string): void {
    this.setMove({ kind: 'goto', label });
  }

  call(callee: PathName | Path, args: Locals, into: string, then: string): void {
    this.setMove({ kind: 'call', callee: typeof callee === 'string' ? callee : callee.name, args, into, then });
  }

  ret(value: Value): void {
    this.setMove({ kind: 'ret', value });
  }

  lock(lockId: number, mode: LockMode): boolean {
    const { k, tid } = this;
    const lock = k.get('locks', lockId);
    checkOrder(k, tid, lock);
    if (canAcquire(k.state, lockId, mode, tid)) {
      acquire(k, lockId, mode, tid);
      k.emit({ tid, kind: 'lock', fn: mode === 'write' ? 'down_write' : 'down_read', args: { lock: lockName(lock) } });
      return true;
    }
    const t = k.get('tasks', tid);
    if (t.blockedOn === null) {
      k.emit({ tid, kind: 'lock', fn: 'wait', args: { lock: lockName(lock), mode, holder: holderOf(k, lockId) } });
    }
    k.mut('tasks', tid).blockedOn = { lock: lockId, mode };
    this.move = { kind: 'block' };
    return false;
  }

  unlock(lockId: number): void {
    const { k, tid } = this;
    const lock = k.get('locks', lockId);
    if (!release(k, lockId, tid)) throw new ModelError(`task ${tid} releases ${lockName(lock)} it does not hold`);
    k.emit({ tid, kind: 'lock', fn: 'up', args: { lock: lockName(lock) } });
  }

  holds(lockId: number, mode?: LockMode): boolean {
    return this.k.get('tasks', this.tid).held.some((h) => h.lock === lockId && (mode === undefined || h.mode === mode));
  }

  emit(kind: EventKind, fn: string, args: Readonly<Record<string, EventValue>> = {}): void {
    this.k.emit({ tid: this.tid, kind, fn, args });
  }
}

/** The outermost frame returned: the task is back in user space with `value`. */
function returnToUser(k: Kernel, tid: number, value: Value): void {
  const t = k.mut('tasks', tid);
  t.lastRet = value;
  if (t.zapped === undefined) return;
  k.emit({ tid, kind: 'zap', fn: 'zap_walks', args: { inodes: t.zapped.join(',') } });
  delete t.zapped;
}

/**
 * Where a move to `label` lands: a step a patch inserted before `label`
 * (Path.before), unless the move comes from that inserted step itself.
 */
function landing(p: Path, from: string, label: string): string {
  const inserted = p.before?.[label];
  return inserted !== undefined && inserted !== from ? inserted : label;
}

/** Record held-class -> new-class edges and report an inversion as lockdep would (models check_prev_add()). */
function checkOrder(k: Kernel, tid: number, lock: Lock): void {
  let graph = k.state.lockdep;
  for (const h of k.get('tasks', tid).held) {
    const held = k.get('locks', h.lock);
    if (held.class === lock.class) continue;
    // lockdep checks in lock_acquire(), before waiting, and reports a new dependency once.
    if (!hasEdge(graph, held.class, lock.class) && hasEdge(graph, lock.class, held.class)) {
      k.emit({
        tid, kind: 'warn', fn: 'lockdep',
        args: { report: 'possible circular locking dependency', holding: lockName(held), acquiring: lockName(lock) },
      });
    }
    graph = addEdge(graph, held.class, lock.class);
  }
  if (graph !== k.state.lockdep) k.setLockdep(graph);
}

function holderOf(k: Kernel, lockId: number): string {
  const lock = k.get('locks', lockId);
  const holders = lock.writer !== 0 ? [lock.writer] : lock.readers;
  // Through k.state: a holder's name is fixed for its row's life, so naming it does not read what its steps write.
  const tasks = k.state.tasks;
  return holders.map((t) => tasks[t]?.name ?? `task${t}`).join(',') || 'waiting writer';
}
