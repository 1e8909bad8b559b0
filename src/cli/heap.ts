/**
 * The V8 heap's growing factor for the checker's process.
 *
 * A breadth-first search keeps one level's frontier alive while it builds
 * the next, then lets it go chunk by chunk: the old generation fills with
 * garbage that only a full collection frees. By default V8 lets the old
 * generation grow up to four times its live size before the next full
 * collection (the heap controller's largest factor); fixed at 2.5 times, the
 * peak RSS of the bench's million-state search fell by about a quarter at
 * the same speed, measured before the frontier was stored compactly
 * (docs/check.md, "Performance": "The heap's growing factor"). The flag is the
 * process's, so the pool's worker threads get it too. A heap-growing flag
 * the user gave node (on its command line or in NODE_OPTIONS) is left alone.
 */
import v8 from 'node:v8';
import { nodeWasGiven } from '../check/node-flags.js';

/** V8's heap growing factor, as 100 * (factor - 1). */
export const HEAP_GROWING_PERCENT = 150;

/** Set the heap growing factor unless the user set one; whether it was set. */
export function tuneHeap(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  const given = nodeWasGiven(/^--heap[-_]growing[-_]percent\b/, execArgv, nodeOptions);
  if (!given) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return !given;
}
