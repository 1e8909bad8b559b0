/**
 * Dominance between search nodes of the same kernel state, for the
 * reduction (src/check/bfs.ts; docs/check.md, "Partial-order reduction").
 *
 * A node is a kernel state with the actions each task started, the task that
 * ran last (0 when it can no longer run) and the preemptions spent. Of two
 * nodes with the same state and the same actions started, R = (last r,
 * spent p) dominates Q = (last q, spent p') when
 *
 *     p + [r ≠ 0 and r ≠ q] ≤ p'
 *
 * — every transition Q may take costs R at most one preemption more than it
 * costs Q only when R's last task differs, and that one is paid for. Then
 * every schedule from Q is one from R within the bound, so R's futures
 * include Q's, and a node dominated by a node already kept need not be
 * expanded.
 *
 * The kept variants of one state are summarised in a 32-bit *front*: eight
 * 4-bit slots, slot 0 for "no last task" and slot j (1..7) for the task of
 * rank j among the state's tasks, each holding 1 + the fewest preemptions of
 * a kept node with that last task (0: none). Three rules read it: a kept
 * node with no last task or the same last task and no more preemptions, or
 * any kept node with at least one preemption fewer, dominates.
 */
import type { KernelState } from '../kernel/state.js';

/** Slots of a front. A node whose last task has rank 8 or more, or who spent more than MAX_PRE, is not summarised. */
export const FRONT_SLOTS = 8;
export const MAX_PRE = 14;

/** The front slot of a node's last task among a state's `tasks` (0: none), or -1 when it does not fit. */
export function frontSlot(tasks: KernelState['tasks'], last: number, pre: number): number {
  if (pre > MAX_PRE) return -1;
  if (last === 0) return 0;
  let rank = 1;
  // Integer keys enumerate in ascending order: the rank is canonical for the state.
  for (const key in tasks) {
    if (Number(key) === last) return rank < FRONT_SLOTS ? rank : -1;
    rank++;
  }
  return -1;
}

/** Whether a kept node summarised in `front` dominates the node (slot, pre). */
export function dominated(front: number, slot: number, pre: number): boolean {
  let min = 16;
  for (let j = 0; j < FRONT_SLOTS; j++) {
    const v = (front >>> (4 * j)) & 15;
    if (v === 0) continue;
    if ((j === 0 || j === slot) && v - 1 <= pre) return true;
    if (v < min) min = v;
  }
  // Some kept node spent at least one preemption fewer: min - 1 + 1 ≤ pre.
  return min <= pre;
}

/** The front with node (slot, pre) kept (called when it is not dominated). */
export function withNode(front: number, slot: number, pre: number): number {
  return ((front & ~(15 << (4 * slot))) | ((pre + 1) << (4 * slot))) >>> 0;
}

/**
 * Whether a kept node other than (slot, pre) itself dominates it: a node
 * kept at the same level after it, which the frontier then need not expand.
 */
export function superseded(front: number, slot: number, pre: number): boolean {
  for (let j = 0; j < FRONT_SLOTS; j++) {
    const v = (front >>> (4 * j)) & 15;
    if (v === 0) continue;
    if (j === slot) {
      if (v - 1 < pre) return true;
    } else if ((j === 0 && v - 1 <= pre) || v <= pre) {
      return true;
    }
  }
  return false;
}

/** The definition: node (last r, spent p) dominates node (last q, spent p') of the same state. */
export function dominates(r: number, p: number, q: number, pq: number): boolean {
  return p + (r !== 0 && r !== q ? 1 : 0) <= pq;
}

/**
 * The fewest nodes a reduced search can keep while every node of the
 * unreduced search at depth d stays dominated by a kept node at depth ≤ d
 * (docs/check.md, "Why the results are kept"): the nodes no other node of
 * the same state at the same or a smaller depth dominates, for only they
 * dominate themselves there. `log` is the unreduced search's nodes as
 * (key hi, key lo, last, preemptions, depth), each at the depth it was
 * first reached (the `nodeLog` of src/check/bfs.ts's search options).
 */
export function fewestNodes(log: ArrayLike<number>): number {
  const byState = new Map<string, number[]>();
  for (let i = 0; i < log.length; i += 5) {
    const key = `${log[i]}:${log[i + 1]}`;
    let at = byState.get(key);
    if (at === undefined) byState.set(key, (at = []));
    at.push(i);
  }
  let count = 0;
  for (const at of byState.values()) {
    for (const q of at) {
      const needed = !at.some((r) => r !== q && log[r + 4]! <= log[q + 4]! && dominates(log[r + 2]!, log[r + 3]!, log[q + 2]!, log[q + 3]!));
      if (needed) count++;
    }
  }
  return count;
}
