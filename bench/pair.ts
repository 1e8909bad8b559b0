/**
 * A paired comparison of builds of barmap: the same suite jobs run on each
 * build in turn, in one process, and each build's time summed. On a machine
 * whose speed drifts (the bench's 2-core VM: ±20 % between runs of one
 * build minutes apart, CPU time included), timing builds in separate
 * processes says nothing about a change of a few percent; run in turn job
 * by job, the builds see the same drift. The builds share a heap, so one
 * build's garbage may be collected in the other's time: compare a build with
 * a copy of itself first (the noise that leaves; 2 % on that machine).
 *
 *   node dist/bench/pair.js DIR... (each a checkout with `npm run build` done)
 *
 * ROUNDS (default 3) rounds over every EVERY-th suite job (default 4); the
 * order of the builds rotates per job and round. Prints each build's time
 * per round and its ratio to the first build's, and fails when the builds
 * count different states (then they are not the same search).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobSpec } from '../src/check/job.js';

type JobModule = typeof import('../src/check/job.js');
type SuiteModule = typeof import('../src/cli/suite.js');

interface Build {
  readonly dir: string;
  readonly runJob: JobModule['runJob'];
  readonly jobs: readonly JobSpec[];
  readonly ms: number[];
  states: number;
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node dist/bench/pair.js DIR... (each a barmap checkout, built)');
  process.exit(2);
}
const rounds = Number(process.env['ROUNDS'] ?? 3);
const every = Number(process.env['EVERY'] ?? 4);
const builds: Build[] = [];
for (const dir of dirs) {
  if (!existsSync(resolve(dir, 'dist/src/check/job.js'))) {
    console.error(`${dir}: no dist/src/check/job.js there: give a barmap checkout and run npm run build in it first`);
    process.exit(2);
  }
  const at = (file: string): string => pathToFileURL(resolve(dir, 'dist', file)).href;
  const { runJob } = (await import(at('src/check/job.js'))) as JobModule;
  const { jobsFor, suiteScenarios } = (await import(at('src/cli/suite.js'))) as SuiteModule;
  const jobs = jobsFor(suiteScenarios(), { defects: [] }, true).filter((_, i) => i % every === 0);
  builds.push({ dir, runJob, jobs, ms: [], states: 0 });
}
const n = builds[0]!.jobs.length;
if (builds.some((b) => b.jobs.length !== n)) {
  console.error('the builds have different suites (not the same number of jobs): compare builds of the same scenarios');
  process.exit(2);
}
for (let r = 0; r < rounds; r++) {
  const round = builds.map(() => 0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < builds.length; k++) {
      const at = (k + i + r) % builds.length;
      const b = builds[at]!;
      const t0 = performance.now();
      try {
        b.states += b.runJob(b.jobs[i]!).stats.states;
      } catch {
        // A job whose setup fails fails on every build alike: it costs each the same.
      }
      round[at]! += performance.now() - t0;
    }
  }
  round.forEach((ms, k) => builds[k]!.ms.push(Math.round(ms)));
}
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const first = sum(builds[0]!.ms);
for (const b of builds) {
  console.log(`${b.dir}: ${b.ms.map((ms) => `${ms} ms`).join(', ')} over ${rounds} round(s) of ${n} jobs; ${(sum(b.ms) / first).toFixed(3)} of the first's time; ${b.states} states`);
}
if (builds.some((b) => b.states !== builds[0]!.states)) {
  console.error('the builds counted different states: they do not run the same search');
  process.exit(1);
}
