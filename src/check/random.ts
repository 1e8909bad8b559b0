/**
 * Random walks: seeded, each walk from the initial state picks uniformly
 * among the enabled transitions (the next step of any runnable thread
 * inside the kernel, or any op of a thread's alphabet while it has actions
 * left) up to `depth` transitions. There is no preemption bound: walks go
 * where breadth-first search cannot reach. Every violation is shrunk
 * (src/check/shrink.ts) and the shortest shrunk schedule per invariant kept.
 */
import type { KernelState } from '../kernel/state.js';
import { Kernel } from '../kernel/kernel.js';
import type { CheckModel, CheckResult, CheckStats, Found } from './bfs.js';
import { DEADLOCK } from './bfs.js';
import type { Transition } from './transitions.js';
import { applyTransition, kernelTasks } from './transitions.js';
import { shrink } from './shrink.js';

/** mulberry32: a small seeded generator, the same sequence on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The transitions enabled in `s` for a walk (no preemption bound). */
export function walkTransitions(model: CheckModel, s: KernelState, used: Readonly<Record<number, number>>): Transition[] {
  const out: Transition[] = kernelTasks(s).runnable.map((tid) => ({ tid }));
  for (const key of Object.keys(s.tasks)) {
    const tid = Number(key);
    const task = s.tasks[tid]!;
    if (task.dead || task.frames.length > 0 || (used[tid] ?? 0) >= model.maxActions) continue;
    for (const item of model.alphabet(s, tid)) {
      out.push('action' in item ? { tid, action: item.action, entry: item.entry } : { tid, action: item });
    }
  }
  return out;
}

/** The first invariant that breaks along a schedule, and where; null when none does or a transition is not enabled. */
export function firstViolation(model: CheckModel, schedule: readonly Transition[], only?: string): { name: string; at: number; message: string } | null {
  const apply = model.apply ?? ((s: KernelState, t: Transition) => applyTransition(s, model.design, t));
  const invariants = [...model.invariants, DEADLOCK].filter((i) => only === undefined || i.name === only);
  let s = model.initial;
  const used: Record<number, number> = {};
  for (let i = 0; i < schedule.length; i++) {
    const t = schedule[i]!;
    if (!enabled(model, s, used, t)) return null;
    if (t.action) used[t.tid] = (used[t.tid] ?? 0) + 1;
    const r = apply(s, t);
    s = r.state;
    for (const inv of invariants) {
      const v = inv.check({ state: s, events: r.events, k: new Kernel(s, model.design) });
      if (v) return { name: inv.name, at: i, message: v.message };
    }
  }
  return null;
}

/** Whether `t` may run in `s`: its thread is runnable in the kernel, or in user space with the action in its alphabet. */
function enabled(model: CheckModel, s: KernelState, used: Readonly<Record<number, number>>, t: Transition): boolean {
  const task = s.tasks[t.tid];
  if (task === undefined || task.dead) return false;
  if (!t.action) return kernelTasks(s).runnable.includes(t.tid);
  if (task.frames.length > 0 || (used[t.tid] ?? 0) >= model.maxActions) return false;
  const want = JSON.stringify(t.action);
  return model.alphabet(s, t.tid).some((item) => JSON.stringify('action' in item ? item.action : item) === want);
}

/** Run `walks` seeded random walks; `onProgress` may return false to stop. */
export function randomWalks(
  model: CheckModel,
  opts: { readonly seed: number; readonly walks: number; readonly depth: number },
  onProgress?: (stats: CheckStats) => boolean | void,
): CheckResult {
  const apply = model.apply ?? ((s: KernelState, t: Transition) => applyTransition(s, model.design, t));
  const invariants = [...model.invariants, DEADLOCK];
  const rnd = prng(opts.seed);
  const found = new Map<string, Found>();
  let transitions = 0;
  let maxDepth = 0;
  let stopped = false;
  const stats = (complete: boolean): CheckStats => ({
    states: transitions + 1, transitions, depth: maxDepth, complete, visitedBytes: 0, queue: opts.walks,
  });
  const keep = (name: string, message: string, schedule: Transition[]): void => {
    const shrunk = shrink(schedule, (cand) => firstViolation(model, cand, name)?.name === name);
    const v = firstViolation(model, shrunk, name);
    const small = v ? shrunk.slice(0, v.at + 1) : shrunk;
    const prev = found.get(name);
    if (!prev || small.length < prev.schedule.length) {
      found.set(name, { violation: { invariant: name, message: v?.message ?? message }, schedule: small });
    }
  };
  for (let w = 0; w < opts.walks && !stopped; w++) {
    let s = model.initial;
    const used: Record<number, number> = {};
    const schedule: Transition[] = [];
    const seen = new Set<string>();
    for (let d = 0; d < opts.depth; d++) {
      const choices = walkTransitions(model, s, used);
      if (choices.length === 0) break;
      const t = choices[Math.floor(rnd() * choices.length)]!;
      if (t.action) used[t.tid] = (used[t.tid] ?? 0) + 1;
      const r = apply(s, t);
      s = r.state;
      schedule.push(t);
      transitions++;
      maxDepth = Math.max(maxDepth, schedule.length);
      for (const inv of invariants) {
        if (seen.has(inv.name)) continue;
        const v = inv.check({ state: s, events: r.events, k: new Kernel(s, model.design) });
        if (v) {
          seen.add(inv.name);
          keep(inv.name, v.message, [...schedule]);
        }
      }
    }
    if (onProgress?.({ ...stats(false), queue: opts.walks - w - 1 }) === false) stopped = true;
  }
  return { found, stats: stats(!stopped) };
}
