/**
 * A lockdep-style order check over lock classes.
 *
 * Every time a task takes a lock while holding others, the edge
 * held-class → new-class is recorded in the state (a bitmask over the few
 * classes, so it costs nothing to copy and is part of the fingerprint:
 * whether an inversion can still be reported depends on it). Taking a lock
 * whose reverse edge is already recorded is a possible circular locking
 * dependency, reported as lockdep would, even if no deadlock happens in
 * this run. Nesting within one class (parent and child mmap_lock in fork,
 * mmap_lock_nested) is not an edge.
 */
import type { LockClass } from './types.js';

export const LOCK_CLASSES: readonly LockClass[] = [
  'mmap_lock', 'memory_lock', 'i_mmap_rwsem', 'page_table_lock', 'dma_resv', 'completion',
];

function classIndex(c: LockClass): number {
  return LOCK_CLASSES.indexOf(c);
}

function edgeBit(from: LockClass, to: LockClass): number {
  return 2 ** (classIndex(from) * LOCK_CLASSES.length + classIndex(to));
}

export function hasEdge(graph: number, from: LockClass, to: LockClass): boolean {
  const bit = edgeBit(from, to);
  return Math.floor(graph / bit) % 2 === 1;
}

export function addEdge(graph: number, from: LockClass, to: LockClass): number {
  return hasEdge(graph, from, to) ? graph : graph + edgeBit(from, to);
}

/** The recorded order edges, for the state dump. */
export function edges(graph: number): string[] {
  const out: string[] = [];
  for (const a of LOCK_CLASSES) {
    for (const b of LOCK_CLASSES) if (a !== b && hasEdge(graph, a, b)) out.push(`${a} -> ${b}`);
  }
  return out;
}
