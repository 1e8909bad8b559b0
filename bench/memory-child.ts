/**
 * Run bench/check.ts's million-state search alone in this process and print, as
 * JSON, the peak resident set size (process.resourceUsage().maxRSS, KiB),
 * the states and the visited set's bytes.
 */
import { runJob } from '../src/check/job.js';
import { MILLION_JOB, jobOf } from './check.js';
import { tuneHeap } from '../src/cli/heap.js';

// As barmap's command line does: measure the heap the user gets.
tuneHeap();

const spec = jobOf(MILLION_JOB);
const r = runJob(spec);
process.stdout.write(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, states: r.stats.states, visitedBytes: r.stats.visitedBytes }) + '\n');
