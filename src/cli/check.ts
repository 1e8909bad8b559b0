/**
 * `barmap check [scenario...] [--design D ...] [--arch A ...] [--preemptions N]
 * [--max-actions N] [--max-states N] [--invariant NAME ...] [--json] [--out DIR]
 * [--random [--seed S] [--walks N] [--depth N]] [--workers N] [--shard i/N] [--no-por]`.
 *
 * The jobs run on worker threads (src/check/split.ts); this thread draws the progress line and
 * turns Ctrl-C into a clean stop (the results so far are printed, the cut
 * ones marked incomplete). Every violation is written as a trace file.
 */
import { DEFECTS } from '../designs/defects.js';
import { join, relative } from 'node:path';
import { runJobs } from '../check/split.js';
import type { JobOutcome } from '../check/split.js';
import type { JobSpec, RandomMode, Shard } from '../check/job.js';
import { cellsOf, notRunCells, surprises } from '../check/results.js';
import type { Cell } from '../check/results.js';
import { traceFile, traceFileName } from '../check/trace-file.js';
import type { TraceFile } from '../check/trace-file.js';
import { replayTrace } from '../check/replay.js';
import { checkInvariantNames } from '../scenario/check-section.js';
import { DESIGNS } from '../designs/index.js';
import { isDesignPath, loadDesignSpec } from '../check/design-file.js';
import type { DesignFile } from '../check/design-file.js';
import { ARCH_PROFILES } from '../arch/profiles.js';
import { closest } from '../scenario/flags.js';
import { matrixLines, scenarioLines } from '../report/matrix.js';
import { verdictLines, verdictOf } from '../report/verdict.js';
import type { UnrunJob } from '../report/verdict.js';
import { jobScenario } from '../check/job.js';
import { violationLines } from '../report/violation.js';
import { jobsFor, loadForCheck, suiteScenarios } from './suite.js';
import { ProgressLine } from './progress.js';
import { EXIT, UsageError } from './errors.js';
import { checkWritableDir, checkWritableFile, NUMBER_LIMITS, wholeNumber, workerCount, writeOutput } from './inputs.js';
import { docsLink, emitHtml } from './report.js';
import { checkReportHtml } from '../report/html/index.js';

export interface CheckFlags {
  readonly design?: readonly string[];
  readonly arch?: readonly string[];
  readonly preemptions?: string;
  readonly maxActions?: string;
  readonly maxStates?: string;
  readonly invariant?: readonly string[];
  readonly defect?: readonly string[];
  /** false with --no-defects: every defect off, also the scenario's. */
  readonly defects?: boolean;
  readonly json?: boolean;
  readonly out?: string;
  readonly random?: boolean;
  readonly seed?: string;
  readonly walks?: string;
  readonly depth?: string;
  /** Worker threads (default: the machine's cores). */
  readonly workers?: string;
  /** --force-workers: allow more workers than cores (up to 4 per core). */
  readonly forceWorkers?: boolean;
  /** `i/N`: explore shard i of N (0-based). */
  readonly shard?: string;
  /** false with --no-por: explore every interleaving. */
  readonly por?: boolean;
  /** Write the HTML report to this file ('-': stdout). */
  readonly html?: string;
  /** Print the full matrix, a line per scenario and every violation's report and trace. */
  readonly verbose?: boolean;
}

export const DEFAULT_TRACE_DIR = 'barmap-traces';
export const RANDOM_DEFAULTS = { seed: 1, walks: 200, depth: 60 } as const;

function known(kind: string, flag: string, given: readonly string[] | undefined, names: readonly string[]): string[] | undefined {
  if (given === undefined || given.length === 0) return undefined;
  for (const g of given) {
    if (!names.includes(g)) {
      const near = closest(g, names);
      throw new UsageError(`unknown ${kind} '${g}' (${flag}); ` + (near ? `did you mean ${near}? ` : '') + `${kind}s: ${names.join(', ')}`);
    }
  }
  return [...new Set(given)];
}

/** `--shard i/N`: shard i (0-based) of N. */
export function parseShard(v: string | undefined): Shard | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) {
    throw new UsageError(`--shard takes i/N with 0 <= i < N <= 999999 (e.g. 0/4), not '${v.length > 40 ? v.slice(0, 40) + '...' : v}'`);
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** Where check writes (--out, --html), checked before the search runs. */
function checkOutputs(f: CheckFlags): void {
  workerCount(f.workers, f.forceWorkers === true);
  const out = f.out ?? DEFAULT_TRACE_DIR;
  if (out.endsWith('.json')) {
    checkWritableFile(out, '--out');
    checkWritableDir(out.replace(/\.json$/, '-traces'), '--out');
  } else {
    if (f.shard !== undefined) throw new UsageError(`--shard writes a results file for barmap merge: give --out FILE.json, not '${out}'`);
    checkWritableDir(out, '--out');
  }
  if (f.html !== undefined && f.html !== '-') checkWritableFile(f.html, '--html');
}

/** The jobs a command line asks for (usage errors thrown). */
export async function planCheck(args: readonly string[], f: CheckFlags): Promise<{ jobs: JobSpec[]; suite: boolean }> {
  const { designs, designFiles } = await checkDesigns(f.design);
  const archs = known('arch profile', '--arch', f.arch, ARCH_PROFILES.map((p) => p.name));
  const invariants = known('invariant', '--invariant', f.invariant, checkInvariantNames());
  const defects = f.defects === false ? [] : known('defect', '--defect', f.defect, DEFECTS.map((d) => d.name));
  if (!f.random && (f.seed !== undefined || f.walks !== undefined || f.depth !== undefined)) {
    throw new UsageError('--seed, --walks and --depth go with --random');
  }
  const random: RandomMode | undefined = f.random ? {
    seed: wholeNumber('--seed', f.seed, 0, NUMBER_LIMITS.seed) ?? RANDOM_DEFAULTS.seed,
    walks: wholeNumber('--walks', f.walks, 1, NUMBER_LIMITS.walks) ?? RANDOM_DEFAULTS.walks,
    depth: wholeNumber('--depth', f.depth, 1, NUMBER_LIMITS.depth) ?? RANDOM_DEFAULTS.depth,
  } : undefined;
  const maxActions = wholeNumber('--max-actions', f.maxActions, 1, NUMBER_LIMITS.maxActions);
  const preemptions = wholeNumber('--preemptions', f.preemptions, 0, NUMBER_LIMITS.preemptions);
  const maxStates = wholeNumber('--max-states', f.maxStates, 1, NUMBER_LIMITS.maxStates);
  const shard = parseShard(f.shard);
  if (shard && random) throw new UsageError('--shard splits a breadth-first search; it does not go with --random');
  checkOutputs(f);
  const suite = args.length === 0;
  const scenarios = suite ? suiteScenarios() : args.map(loadForCheck);
  if (scenarios.length === 0) throw new UsageError('no shipped scenario has a check: section; name a scenario file');
  const jobs = jobsFor(scenarios, {
    ...(designs ? { designs, designFiles } : {}), ...(archs ? { archs } : {}), ...(invariants ? { invariants } : {}),
    ...(maxActions !== undefined ? { maxActions } : {}), ...(preemptions !== undefined ? { preemptions } : {}),
    ...(maxStates !== undefined ? { maxStates } : {}), ...(random ? { random } : {}), ...(defects ? { defects } : {}),
    ...(shard ? { shard } : {}), ...(f.por === false ? { por: false } : {}),
  }, suite);
  return { jobs, suite };
}

/**
 * `--design` values: built-in names, checked against the list, and design
 * files, loaded here (a mistake is one line) and named in the jobs by
 * absolute path, which each worker loads again.
 */
async function checkDesigns(given: readonly string[] | undefined): Promise<{ designs?: string[]; designFiles: Map<string, DesignFile> }> {
  const designFiles = new Map<string, DesignFile>();
  if (given === undefined || given.length === 0) return { designFiles };
  known('design', '--design', given.filter((g) => !isDesignPath(g)), DESIGNS.map((d) => d.name));
  const designs: string[] = [];
  for (const g of given) {
    const file = isDesignPath(g) ? (await loadDesignSpec(g)).file : undefined;
    if (file) designFiles.set(file.path, file);
    designs.push(file ? file.path : g);
  }
  return { designs: [...new Set(designs)], designFiles };
}

/** Run the jobs on worker threads; resolves when they are done or stopped (Ctrl-C). */
export async function runInWorkers(jobs: readonly JobSpec[], workers: number, progress: ProgressLine | undefined): Promise<{ outcomes: JobOutcome[]; interrupted: boolean }> {
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    Atomics.store(flag, 0, 1);
  };
  process.on('SIGINT', onSigint);
  progress?.begin();
  try {
    const outcomes = await runJobs(jobs, { workers, stop, onProgress: (i, p) => progress?.update(i, p) });
    return { outcomes, interrupted };
  } finally {
    process.off('SIGINT', onSigint);
    progress?.end();
  }
}

/** Write each violation's trace file; returns the files by job and invariant. */
export function saveTraces(outcomes: readonly JobOutcome[], dir: string): Map<string, { path: string; tf: TraceFile }> {
  const out = new Map<string, { path: string; tf: TraceFile }>();
  for (const o of outcomes) {
    if (!o.result) continue;
    for (const f of o.result.found) {
      const tf = traceFile(o.spec, o.result, f);
      const path = join(dir, traceFileName(o.result, f.invariant));
      writeOutput(path, JSON.stringify(tf, null, 2) + '\n', '--out');
      out.set(`${o.result.scenario}\u0000${o.result.design}\u0000${o.result.arch}\u0000${f.invariant}`, { path, tf });
    }
  }
  return out;
}

export async function checkCommand(args: readonly string[], f: CheckFlags, out: (line: string) => void): Promise<number> {
  const { jobs, suite } = await planCheck(args, f);
  const tty = !f.json && process.stderr.isTTY === true;
  const maxStates = jobs.every((j) => j.maxStates !== undefined) ? jobs[0]?.maxStates : undefined;
  const progress = tty ? new ProgressLine(process.stderr, jobs.length, maxStates) : undefined;
  const { outcomes, interrupted } = await runInWorkers(jobs, workerCount(f.workers, f.forceWorkers === true), progress);
  const resultsFile = f.out !== undefined && f.out.endsWith('.json') ? f.out : undefined;
  if (resultsFile !== undefined) writeResults(resultsFile, outcomes);
  const status = reportCheck(jobs, suite, outcomes, interrupted, { ...f, ...(resultsFile !== undefined ? { out: resultsFile.replace(/\.json$/, '-traces') } : {}) }, out);
  if (f.shard === undefined) return status;
  // A shard sees part of the space: whether results are as expected is for barmap merge to say.
  const failed = outcomes.some((o) => o.error !== undefined);
  if (!f.json) out(`# shard ${f.shard}: expectations are checked by barmap merge over all shards${resultsFile ? ` (results in ${resultsFile})` : ''}`);
  return failed ? EXIT.failed : incompleteJobs(outcomes).length > 0 ? EXIT.incomplete : EXIT.ok;
}

/** Jobs whose work is not all done: not run, interrupted or cut by --max-states. One line each. */
export function incompleteJobs(outcomes: readonly JobOutcome[]): string[] {
  return outcomes.flatMap((o) => {
    const where = `${o.result?.scenario ?? o.spec.source.file} (design ${o.spec.design}, arch ${o.result?.arch ?? o.spec.arch ?? 'its own'})`;
    if (o.error !== undefined) return [];
    if (!o.result) return [`${where}: not run`];
    if (o.result.stats.complete) return [];
    const why = o.result.stats.stop === 'max-states' ? `cut at max-states ${o.result.bounds.maxStates ?? ''}`.trim()
      : o.result.stats.stop === 'interrupted' ? 'interrupted' : 'not finished';
    return [`${where}: ${why} after ${o.result.stats.states.toLocaleString('en')} states`];
  });
}

/** The worker threads --workers asks for (default: the machine's cores). */
export function plannedWorkers(f: CheckFlags): number {
  return workerCount(f.workers, f.forceWorkers === true);
}

/** The results document (src/check/results-file.ts has its schema). */
export type { ResultsFile } from '../check/results-file.js';
import type { ResultsFile } from '../check/results-file.js';

export function writeResults(file: string, outcomes: readonly JobOutcome[]): void {
  const doc: ResultsFile = {
    version: 1, kind: 'barmap-check-results',
    outcomes: outcomes.map((o) => ({ spec: o.spec, ...(o.result ? { result: o.result } : {}), ...(o.error !== undefined ? { error: o.error } : {}) })),
  };
  writeOutput(file, JSON.stringify(doc) + '\n', '--out');
}

/** Print (or write as JSON/HTML) what a check found; the exit status. */
export function reportCheck(
  jobs: readonly JobSpec[],
  suite: boolean,
  outcomes: readonly JobOutcome[],
  interrupted: boolean,
  f: CheckFlags,
  out: (line: string) => void,
): number {

  const all = checkInvariantNames();
  const unrun = unrunJobs(outcomes);
  // A job without a result has cells too, `not run`, so no aggregate shows it as holding.
  const cells: Cell[] = [...outcomes.flatMap((o) => (o.result ? cellsOf(o.result, all) : [])), ...unrun.flatMap((u) => notRunCells(u, all))];
  const dir = f.out ?? DEFAULT_TRACE_DIR;
  const traces = saveTraces(outcomes, dir);
  const errors = outcomes.filter((o) => o.error !== undefined).map((o) => `${o.spec.source.file} (design ${o.spec.design}, arch ${o.spec.arch ?? 'its own'}): ${o.error}`);
  const notRun = outcomes.filter((o) => !o.result && o.error === undefined).length;
  const unexpected = surprises(cells, jobs[0]?.random);
  const incomplete = incompleteJobs(outcomes);
  const ok = unexpected.length === 0 && errors.length === 0 && notRun === 0;
  // Not as expected (or a job failed) is 1; otherwise work left undone is 4, never 0.
  const status = !ok && (unexpected.length > 0 || errors.length > 0) ? EXIT.failed : incomplete.length > 0 || interrupted ? EXIT.incomplete : EXIT.ok;
  const totals = outcomes.reduce((a, o) => ({ states: a.states + (o.result?.stats.states ?? 0), ms: a.ms + (o.result?.stats.ms ?? 0) }), { states: 0, ms: 0 });
  if (f.html !== undefined) {
    const { html } = checkReportHtml({
      title: `barmap check${suite ? ' (built-in suite)' : ''}`,
      subtitle: `${jobs.length} job(s), ${totals.states.toLocaleString('en')} states in ${(totals.ms / 1000).toFixed(1)} s; ${traces.size} violation(s)` +
        (unexpected.length ? `; ${unexpected.length} result(s) not as expected` : '; every result as expected') +
        (incomplete.length ? `; INCOMPLETE: ${incomplete.length} job(s) did not finish (cells marked *)` : ''),
      cells, jobs: outcomes.flatMap((o) => (o.result ? [o.result] : [])),
      traces: [...traces.values()].map((t) => ({ tf: t.tf, file: relative(process.cwd(), t.path) || t.path })),
      docs: docsLink(f.html === '-' ? undefined : f.html), unrun,
      ...(jobs[0]?.random ? { holdsWord: `nothing else found in ${jobs[0].random.walks} walks of depth ${jobs[0].random.depth}` } : {}),
    });
    emitHtml(f.html, html);
  }

  if (f.json) {
    out(JSON.stringify({
      version: 1, ok, complete: incomplete.length === 0 && !interrupted, incomplete, interrupted, suite,
      // A job split over workers says how the work was spread: per worker, nodes taken within levels and ms waited.
      jobs: outcomes.flatMap((o) => (o.result ? [o.split ? { ...o.result, split: o.split } : o.result] : [])),
      cells, surprises: unexpected, errors, notRun,
      traces: [...traces.values()].map((t) => t.path),
      stats: { jobs: jobs.length, states: totals.states, ms: totals.ms },
    }));
    return status;
  }
  const first = jobs[0];
  const random = first?.random;
  const bounds = random
    ? `random walks: seed ${random.seed}, ${random.walks} walks of depth ${random.depth}`
    : `bounds: ${first?.maxActions ?? "each scenario's"} max-actions, ${first?.preemptions ?? "each scenario's"} preemptions`;
  out(`# barmap check${suite ? ' (built-in suite)' : ''}: ${jobs.length} job(s); ${bounds}`);
  if (interrupted) out('# interrupted (Ctrl-C): results so far; jobs that did not finish are marked * (not run, or cut short)');
  out('');
  const holdsWord = random ? `nothing else found in ${random.walks} walks of depth ${random.depth}` : undefined;
  if (cells.length || notRun) {
    verdictLines(verdictOf(cells, unrun), ...(holdsWord ? [holdsWord] : [])).forEach((l) => out(l));
  }
  if (f.verbose && cells.length) {
    out('');
    out(random
      ? `result matrix (not found = not found in ${random.walks} walks of depth ${random.depth}; broken N = shrunk trace of N transitions; * incomplete; ! not as expected):`
      : 'result matrix (holds = holds to the bound; broken N = shortest trace of N transitions; * incomplete or not run; ! not as expected):');
    matrixLines(cells, random ? 'not found' : 'holds').forEach((l) => out(l));
    out('');
    out('per scenario:');
    scenarioLines(cells).forEach((l) => out(l));
  }
  for (const o of outcomes) {
    if (!o.result || !f.verbose) continue;
    for (const fr of o.result.found) {
      const t = traces.get(`${o.result.scenario}\u0000${o.result.design}\u0000${o.result.arch}\u0000${fr.invariant}`);
      if (!t) continue;
      out('');
      const rel = relative(process.cwd(), t.path) || t.path;
      try {
        violationLines(t.tf, replayTrace(t.tf), rel).forEach((l) => out(l));
      } catch (e) {
        out(`# ${fr.invariant}: the trace did not replay (${e instanceof Error ? e.message : String(e)}); a bug in barmap`);
      }
    }
  }
  out('');
  out(`# ${jobs.length - notRun} job(s) run, ${totals.states.toLocaleString('en')} states in ${(totals.ms / 1000).toFixed(1)} s` +
    (traces.size ? `; ${traces.size} trace file(s) in ${dir}/` : ''));
  if (traces.size && !f.verbose) out(`# --verbose prints the full matrix and every trace; barmap explain ${dir}/FILE says why one broke`);
  for (const e of errors) out(`# ERROR ${e}`);
  for (const s of incomplete) out(`# INCOMPLETE ${s}`);
  for (const s of unexpected) out(`# FAIL ${s}`);
  out(!ok && status === EXIT.failed ? '# some results are not as expected'
    : status === EXIT.incomplete ? `# INCOMPLETE: ${incomplete.length} job(s) did not finish; their results hold only as far as the search got (exit ${EXIT.incomplete})`
      : '# every result is as expected');
  return status;
}


/** The jobs without a result (not run, or failed), named as cells name them. */
function unrunJobs(outcomes: readonly JobOutcome[]): UnrunJob[] {
  return outcomes.filter((o) => !o.result).map((o) => {
    let scenario = o.spec.source.file;
    let arch = o.spec.arch ?? '?';
    try {
      const { sc } = jobScenario(o.spec);
      scenario = sc.name;
      arch = o.spec.arch ?? sc.world.arch;
    } catch { /* the error line names it */ }
    return { scenario, design: o.spec.design, arch, ...(o.error !== undefined ? { failed: true } : {}) };
  });
}
