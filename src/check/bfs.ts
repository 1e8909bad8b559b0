/**
 * Breadth-first search over schedules: every interleaving of the tasks'
 * steps and of the actions they may start, up to the bounds, with states
 * merged by fingerprint. The first violation of an invariant found is a
 * shortest schedule (in transitions) that breaks it.
 *
 * A node is a kernel state plus the search's own bookkeeping that decides
 * the node's future: how many actions each task has started, which task ran
 * last and how many preemptions the schedule spent. That bookkeeping is part
 * of the merged key, so merging never cuts off a future.
 */
import type { KernelState } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import type { UserAction } from '../kernel/syscalls.js';
import type { Invariant, Violation } from './invariants/types.js';
import type { Transition } from './transitions.js';
import { applyTransition, isDeadlocked, kernelTasks } from './transitions.js';
import { fingerprint, hashValue } from './fingerprint.js';
import { VisitedSet } from './visited.js';
import { Kernel } from '../kernel/kernel.js';

/** An action of an alphabet, optionally naming the alphabet entry it came from. */
export type AlphabetItem = UserAction | { readonly action: UserAction; readonly entry: number };

export interface CheckModel {
  readonly initial: KernelState;
  readonly design: Design;
  /** Actions task `tid` may start from user space in state `s` (arguments resolved). */
  readonly alphabet: (s: KernelState, tid: number) => readonly AlphabetItem[];
  /**
   * How a transition is applied (default: applyTransition). The scenario
   * layer adds what user space does when an action returns (binding `as:`,
   * taking pending signals); whatever it does must depend only on the state
   * and the transition, so that merging and replay stay exact.
   */
  readonly apply?: (s: KernelState, t: Transition) => { readonly state: KernelState; readonly events: readonly TraceEvent[] };
  /** Actions each task may start at most. */
  readonly maxActions: number;
  /** Switches away from a runnable task inside the kernel, at most (default 2). */
  readonly preemptionBound: number;
  readonly invariants: readonly Invariant[];
  /** Stop after this many distinct states (the result then says the bound was cut). */
  readonly maxStates?: number;
}

export interface Found {
  readonly violation: Violation;
  /** Transitions from the initial state to the violating state. */
  readonly schedule: readonly Transition[];
}

export interface CheckStats {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly complete: boolean;
  readonly visitedBytes: number;
  /** Nodes waiting to be expanded (random walks: walks left). */
  readonly queue: number;
}

export interface CheckResult {
  /** First (shortest) violation per invariant name; absent invariants held to the bound. */
  readonly found: ReadonlyMap<string, Found>;
  readonly stats: CheckStats;
}

interface Node {
  readonly state: KernelState;
  /** Actions started so far, by tid. */
  readonly used: Readonly<Record<number, number>>;
  readonly last: number;
  readonly preemptions: number;
  /** Index of the parent in `nodes`, -1 for the root. */
  readonly parent: number;
  readonly via: Transition | null;
  readonly depth: number;
}

export const DEADLOCK: Invariant = {
  name: 'no-deadlock',
  rule: 'Some task inside the kernel can always make progress: a set of tasks each sleeping on a lock ' +
    'another of them holds is a deadlock (lockdep would report the cycle).',
  check: ({ state: s }) => (isDeadlocked(s) ? { invariant: 'no-deadlock', message: deadlockMessage(s) } : null),
};

function deadlockMessage(s: KernelState): string {
  const parts: string[] = [];
  for (const t of Object.values(s.tasks)) {
    if (t.blockedOn === null || t.frames.length === 0) continue;
    const lock = s.locks[t.blockedOn.lock];
    parts.push(`${t.name} waits for ${lock ? `${lock.owner}->${lock.class}` : t.blockedOn.lock} (${t.blockedOn.mode})`);
  }
  return parts.join('; ');
}

/** Placeholder for the state of an expanded node. */
const RELEASED = null as unknown as KernelState;

function nodeKey(n: Node): { hi: number; lo: number } {
  const s = fingerprint(n.state);
  const meta = hashValue([s.hi, s.lo, n.used as Record<string, number>, n.last, n.preemptions]);
  return meta;
}

/** The transitions enabled in a node, within the bounds. */
function enabled(model: CheckModel, n: Node): { t: Transition; preempts: boolean }[] {
  const out: { t: Transition; preempts: boolean }[] = [];
  const s = n.state;
  const { runnable } = kernelTasks(s);
  const lastRunnable = runnable.includes(n.last);
  for (const tid of runnable) {
    const preempts = lastRunnable && tid !== n.last;
    if (preempts && n.preemptions >= model.preemptionBound) continue;
    out.push({ t: { tid }, preempts });
  }
  for (const key of Object.keys(s.tasks)) {
    const tid = Number(key);
    const task = s.tasks[tid]!;
    if (task.dead || task.frames.length > 0) continue;
    if ((n.used[tid] ?? 0) >= model.maxActions) continue;
    const preempts = lastRunnable && tid !== n.last;
    if (preempts && n.preemptions >= model.preemptionBound) continue;
    for (const item of model.alphabet(s, tid)) {
      const t: Transition = 'action' in item ? { tid, action: item.action, entry: item.entry } : { tid, action: item };
      out.push({ t, preempts });
    }
  }
  return out;
}

/** Explore breadth-first; `onProgress` is called now and then with the running stats. */
export function bfs(model: CheckModel, onProgress?: (stats: CheckStats) => boolean | void): CheckResult {
  const invariants = [...model.invariants, DEADLOCK];
  const apply = model.apply ?? ((s: KernelState, t: Transition) => applyTransition(s, model.design, t));
  const found = new Map<string, Found>();
  const visited = new VisitedSet();
  const nodes: Node[] = [];
  const root: Node = { state: model.initial, used: {}, last: 0, preemptions: 0, parent: -1, via: null, depth: 0 };
  visited.add(nodeKey(root));
  nodes.push(root);
  check(root, 0, []);
  let head = 0;
  let transitions = 0;
  let stopped = false;
  while (head < nodes.length && found.size < invariants.length) {
    const idx = head++;
    const n = nodes[idx]!;
    // Expanded nodes keep only their parent link; their state is no longer needed.
    nodes[idx] = { ...n, state: RELEASED };
    for (const { t, preempts } of enabled(model, n)) {
      const { state, events } = apply(n.state, t);
      transitions++;
      const used = t.action ? { ...n.used, [t.tid]: (n.used[t.tid] ?? 0) + 1 } : n.used;
      const child: Node = {
        state, used, last: t.tid, preemptions: n.preemptions + (preempts ? 1 : 0),
        parent: idx, via: t, depth: n.depth + 1,
      };
      if (!visited.add(nodeKey(child))) continue;
      nodes.push(child);
      check(child, nodes.length - 1, events);
      if (model.maxStates !== undefined && nodes.length >= model.maxStates) { stopped = true; break; }
    }
    if (stopped) break;
    if ((idx & 1023) === 0 && onProgress?.(stats(false)) === false) { stopped = true; break; }
  }
  return { found, stats: stats(!stopped && head >= nodes.length) };

  function stats(complete: boolean): CheckStats {
    return {
      states: nodes.length, transitions, depth: nodes[nodes.length - 1]?.depth ?? 0, complete,
      visitedBytes: visited.bytes, queue: nodes.length - head,
    };
  }

  function check(n: Node, idx: number, events: readonly TraceEvent[]): void {
    for (const inv of invariants) {
      if (found.has(inv.name)) continue;
      const v = inv.check({ state: n.state, events, k: new Kernel(n.state, model.design) });
      if (v) found.set(inv.name, { violation: v, schedule: scheduleOf(idx) });
    }
  }

  function scheduleOf(idx: number): Transition[] {
    const out: Transition[] = [];
    for (let i = idx; i > 0; i = nodes[i]!.parent) out.push(nodes[i]!.via!);
    return out.reverse();
  }
}
