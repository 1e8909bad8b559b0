/**
 * Run bench/check.ts's million-state search alone in this process, as
 * `barmap check --workers 1` runs one job (src/check/split.ts `runJobs`: in
 * one worker thread, with its young generation capped), and print, as JSON,
 * the peak resident set size of the process (process.resourceUsage().maxRSS,
 * KiB; the worker is a thread of it), the states and the visited set's bytes.
 */
import { runJobs } from '../src/check/split.js';
import { MILLION_JOB, jobOf } from './check.js';
import { tuneHeap } from '../src/cli/heap.js';

// As barmap's command line does: measure the heap the user gets.
tuneHeap();

const [outcome] = await runJobs([jobOf(MILLION_JOB)], { workers: 1, stop: new SharedArrayBuffer(4) });
const r = outcome?.result;
if (!r) throw new Error(`the million-state search failed: ${outcome?.error ?? 'no outcome'}`);
process.stdout.write(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, states: r.stats.states, visitedBytes: r.stats.visitedBytes }) + '\n');
