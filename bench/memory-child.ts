/**
 * Run bench/check.ts's million-state search alone in this process and print, as
 * JSON, the peak resident set size (process.resourceUsage().maxRSS, KiB),
 * the states and the visited set's bytes.
 */
import { runJob } from '../src/check/job.js';
import { jobsFor, loadForCheck } from '../src/cli/suite.js';
import { MILLION_JOB } from './check.js';

const spec = jobsFor([loadForCheck(MILLION_JOB.scenario)], {
  designs: [MILLION_JOB.design], archs: [MILLION_JOB.arch], defects: [], maxActions: MILLION_JOB.maxActions, maxStates: MILLION_JOB.maxStates,
}, false)[0]!;
const r = runJob(spec);
process.stdout.write(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, states: r.stats.states, visitedBytes: r.stats.visitedBytes }) + '\n');
