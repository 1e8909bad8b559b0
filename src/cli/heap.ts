/**
 * The V8 heap's growing factor for the checker's process.
 *
 * A breadth-first search keeps one level's frontier alive while it builds
 * the next, then lets it go chunk by chunk: the old generation fills with
 * garbage that only a full collection frees. By default V8 lets the old
 * generation grow up to four times its live size before the next full
 * collection (the heap controller's largest factor). Fixed at 1.5 times, the
 * bench's million-state search peaks at about 236 MB of RSS against 278-337
 * MB at 2.5 times (the factor before, chosen when the frontier was objects),
 * for about 0.5 s more of full collections in a 50 s search (docs/check.md,
 * "Performance": "The heap's growing factor"). The flag is the process's, so
 * the pool's worker threads get it too. A heap-growing flag the user gave
 * node is left alone (node takes it on its command line only: NODE_OPTIONS
 * refuses V8's heap-growing flag).
 */
import v8 from 'node:v8';
import { nodeWasGiven } from '../check/node-flags.js';

/** V8's heap growing factor, as 100 * (factor - 1). */
export const HEAP_GROWING_PERCENT = 50;

/** Set the heap growing factor unless the user set one; whether it was set. */
export function tuneHeap(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  const given = nodeWasGiven(/^--heap[-_]growing[-_]percent\b/, execArgv, nodeOptions);
  if (!given) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return !given;
}
