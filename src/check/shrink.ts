/**
 * Shrinking a failing schedule: a small delta-debugging shrinker.
 *
 * `fails(candidate)` replays a candidate from the initial state and says
 * whether it still breaks the same invariant (a transition that is not
 * enabled where it lands makes the candidate invalid, hence not failing).
 * First whole actions are dropped (an action's start with every step its
 * thread takes until it returns, since a step without its start is never
 * enabled), then single transitions by ddmin (Zeller and Hildebrandt) down to
 * 1-minimality: removing any one transition of the result no longer fails.
 */
import type { Transition } from './transitions.js';

/** The transitions of each action: its start and the steps its thread runs after it, until the next start. */
function actionGroups(schedule: readonly Transition[]): number[][] {
  const groups: number[][] = [];
  const open = new Map<number, number[]>();
  schedule.forEach((t, i) => {
    if (t.action || !open.has(t.tid)) {
      const g = [i];
      groups.push(g);
      open.set(t.tid, g);
    } else open.get(t.tid)!.push(i);
  });
  return groups;
}

function without(schedule: readonly Transition[], drop: ReadonlySet<number>): Transition[] {
  return schedule.filter((_, i) => !drop.has(i));
}

/** A 1-minimal sub-schedule of `schedule` that still fails. */
export function shrink(schedule: readonly Transition[], fails: (candidate: readonly Transition[]) => boolean): Transition[] {
  let cur = [...schedule];
  // Whole actions, last first (later actions depend on earlier ones less often than the reverse).
  for (let changed = true; changed;) {
    changed = false;
    const groups = actionGroups(cur);
    for (let g = groups.length - 1; g >= 0; g--) {
      const cand = without(cur, new Set(groups[g]));
      if (fails(cand)) {
        cur = cand;
        changed = true;
        break;
      }
    }
  }
  // ddmin over single transitions.
  let n = 2;
  while (cur.length >= 2) {
    const chunk = Math.ceil(cur.length / n);
    let reduced = false;
    for (let start = 0; start < cur.length; start += chunk) {
      const drop = new Set<number>();
      for (let i = start; i < Math.min(cur.length, start + chunk); i++) drop.add(i);
      const cand = without(cur, drop);
      if (cand.length < cur.length && fails(cand)) {
        cur = cand;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return cur;
}
