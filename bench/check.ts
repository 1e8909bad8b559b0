/**
 * The checker's figures for `npm run bench` (src/check): states per second
 * per core over the built-in suite, bytes per stored state, scaling from 1 to
 * 2 worker threads on the biggest built-in job, time to the first violation
 * of each catalogued defect, and the whole suite's wall time (1 and N
 * workers). Timings are medians of `runs`; nothing here is asserted.
 */
import { availableParallelism } from 'node:os';
import { prepareJob, runJob } from '../src/check/job.js';
import type { JobResult, JobSpec } from '../src/check/job.js';
import { bfs } from '../src/check/bfs.js';
import { runJobs, runSplit } from '../src/check/split.js';
import { jobsFor, loadForCheck, suiteScenarios } from '../src/cli/suite.js';
import { DEFECTS } from '../src/designs/defects.js';

export interface CheckBench {
  readonly suite: {
    readonly jobs: number;
    readonly failedSetups: number;
    readonly states: number;
    readonly transitions: number;
    /** Sum of the jobs' search times on one thread. */
    readonly searchMs: number;
    readonly statesPerSecPerCore: number;
    readonly bytesPerState: number;
    /** Wall time of the whole suite on this thread and on N pool workers (one run each). */
    readonly wallMs1: number;
    readonly wallMsN: number;
    readonly workersN: number;
  };
  readonly scaling: { readonly job: string; readonly states: number; readonly ms1: number; readonly ms2: number; readonly speedup: number };
  readonly defects: readonly { readonly defect: string; readonly scenario: string; readonly invariant: string; readonly length: number | null; readonly ms: number }[];
  readonly por: { readonly statesOn: number; readonly statesOff: number; readonly transitionsOn: number; readonly transitionsOff: number; readonly msOn: number; readonly msOff: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function suiteJobs(): JobSpec[] {
  return jobsFor(suiteScenarios(), { defects: [] }, true);
}

async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = process.hrtime.bigint();
  const value = await f();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

export async function benchCheck(runs: number, log: (s: string) => void): Promise<CheckBench> {
  const jobs = suiteJobs();
  const stop = new SharedArrayBuffer(4);
  // The suite on this thread, job by job: states/s per core and bytes per state.
  log(`check: the built-in suite (${jobs.length} jobs) on one thread...`);
  const results: JobResult[] = [];
  let failedSetups = 0;
  const wall1 = (await timed(() => {
    for (const spec of jobs) {
      try {
        results.push(runJob(spec));
      } catch {
        failedSetups++;
      }
    }
  })).ms;
  const states = results.reduce((a, r) => a + r.stats.states, 0);
  const transitions = results.reduce((a, r) => a + r.stats.transitions, 0);
  const searchMs = results.reduce((a, r) => a + r.stats.ms, 0);
  // Bytes per state of the biggest job's visited set (the table only grows by doubling).
  const biggest = results.reduce((a, r) => (r.stats.states > a.stats.states ? r : a));
  const n = Math.max(2, availableParallelism());
  log(`check: the suite on ${n} workers...`);
  const wallN = (await timed(() => runJobs(jobs, { workers: n, stop }))).ms;
  // Scaling on the biggest job: split among 1 and 2 workers.
  const big = jobs.find((j) => j.source.file.includes(biggest.scenario) && j.design === biggest.design && j.arch === biggest.arch)!;
  const ms1: number[] = [];
  const ms2: number[] = [];
  for (let i = 0; i < runs; i++) {
    log(`check: scaling on ${biggest.scenario} ${biggest.design}/${biggest.arch}, run ${i + 1}/${runs}...`);
    ms1.push((await timed(() => runSplit(big, 1, stop))).ms);
    ms2.push((await timed(() => runSplit(big, 2, stop))).ms);
  }
  // Time to first violation per catalogued defect (setup included).
  const defects = [];
  for (const d of DEFECTS) {
    const spec = jobsFor([loadForCheck(d.scenario)], {}, false)[0]!;
    const times: number[] = [];
    let length: number | null = null;
    for (let i = 0; i < runs; i++) {
      const { value, ms } = await timed(() => {
        const p = prepareJob(spec);
        return bfs(p.m.model, undefined, { stopWhenFound: d.breaks });
      });
      times.push(ms);
      length = value.found.get(d.breaks)?.schedule.length ?? null;
    }
    defects.push({ defect: d.name, scenario: d.scenario, invariant: d.breaks, length, ms: median(times) });
  }
  // What the partial-order reduction saves on the biggest job.
  const on = runJob({ ...big, por: true });
  const off = runJob({ ...big, por: false });
  return {
    suite: {
      jobs: jobs.length, failedSetups, states, transitions, searchMs,
      statesPerSecPerCore: Math.round(states / (searchMs / 1000)),
      bytesPerState: Math.round((biggest.stats.visitedBytes / biggest.stats.states) * 10) / 10,
      wallMs1: wall1, wallMsN: wallN, workersN: n,
    },
    scaling: {
      job: `${biggest.scenario} ${biggest.design}/${biggest.arch}`, states: biggest.stats.states,
      ms1: median(ms1), ms2: median(ms2), speedup: Math.round((median(ms1) / median(ms2)) * 100) / 100,
    },
    defects,
    por: {
      statesOn: on.stats.states, statesOff: off.stats.states, transitionsOn: on.stats.transitions,
      transitionsOff: off.stats.transitions, msOn: on.stats.ms, msOff: off.stats.ms,
    },
  };
}

/** The checker's table. */
export function checkLines(b: CheckBench): string[] {
  const s = b.suite;
  return [
    'checker (targets from issue 5 in brackets):',
    `  suite: ${s.jobs} jobs (${s.failedSetups} setups failed), ${s.states.toLocaleString('en')} states, ${s.transitions.toLocaleString('en')} transitions, ${(s.searchMs / 1000).toFixed(1)} s of search`,
    `  states/s per core: ${s.statesPerSecPerCore.toLocaleString('en')}  [>= 50,000]`,
    `  bytes per stored state: ${s.bytesPerState}  [<= 16]`,
    `  suite wall time: ${(s.wallMs1 / 1000).toFixed(1)} s on 1 worker, ${(s.wallMsN / 1000).toFixed(1)} s on ${s.workersN}  [<= 60 s]`,
    `  scaling on ${b.scaling.job} (${b.scaling.states.toLocaleString('en')} states): ${(b.scaling.ms1 / 1000).toFixed(2)} s on 1, ${(b.scaling.ms2 / 1000).toFixed(2)} s on 2 workers: ${b.scaling.speedup}x  [>= 1.7x]`,
    `  partial-order reduction on that job: ${b.por.statesOff} -> ${b.por.statesOn} states, ${b.por.transitionsOff} -> ${b.por.transitionsOn} transitions, ${b.por.msOff} -> ${b.por.msOn} ms`,
    '  time to first violation per defect  [<= 2 s]:',
    ...b.defects.map((d) => `    ${d.defect.padEnd(24)} ${d.scenario.padEnd(30)} ${d.invariant.padEnd(26)} ${String(d.length ?? 'not found').padStart(4)} transitions  ${(d.ms / 1000).toFixed(2)} s`),
  ];
}
