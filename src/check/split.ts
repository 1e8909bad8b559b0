/**
 * Running checks on worker threads: one job split among N workers
 * (src/check/split-worker.ts, levels in step, a shared visited set), or many
 * jobs spread over a pool of workers (src/check/worker.ts, each taking the
 * next job as it finishes one).
 */
import { Worker } from 'node:worker_threads';
import type { CheckStats } from './bfs.js';
import type { FoundRecord, JobResult, JobSpec, Progress } from './job.js';
import { encodeKeys, prepareJob, jobResult } from './job.js';
import { SharedVisitedSet, sharedVisitedBuffers } from './shared-visited.js';
import type { SplitFromWorker, SplitInput, SplitToWorker } from './split-worker.js';
import type { WorkerMessage } from './worker.js';
import { resetSteal, stealControl, stealPorts } from './steal.js';
import { nodeWasGiven } from './node-flags.js';

/** log2 of the slots of the shared visited set (8 bytes each; memory is committed only as it is touched). */
export const SHARED_BITS = Number(process.env['BARMAP_SHARED_BITS'] ?? 24);

/**
 * Work stealing within levels (src/check/steal.ts), off unless BARMAP_STEAL=1:
 * on the idle 2-core machine it made the bench's big search slower (19.5 s
 * against 16.2 s on 2 workers, medians of 3; docs/check.md), moving nodes
 * costing more than the waits it saved.
 */
export const STEAL = process.env['BARMAP_STEAL'] === '1';

/**
 * The young generation, in MiB, of a worker that runs one search alone. V8's
 * default on 64-bit is 48 MiB (three 16 MiB semi-spaces' worth: a worker's
 * new space measured 32 MiB uncapped, 16 MiB with this cap), and a search
 * keeps almost nothing young: its states either die at once or live for a
 * level. A worker's young generation is sized when it starts, so barmap can
 * cap it there (the main thread's is fixed when node starts). Capped, the
 * peak RSS of the bench's million-state search fell by about a tenth in
 * single-run trials (medians 279 against 310 MiB; docs/check.md, "The young
 * generation").
 */
export const SEARCH_YOUNG_GENERATION_MB = 16;

/**
 * The resource limits of a worker: a single search (one job in the pool, or
 * a split job) gets the capped young generation, unless node was given a
 * young-generation flag (on its command line or in NODE_OPTIONS), which is
 * left alone; a pool of many small jobs keeps V8's default, which measured a
 * few percent faster on the suite.
 */
export function searchResourceLimits(
  single: boolean,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env['NODE_OPTIONS'] ?? '',
): { maxYoungGenerationSizeMb?: number } {
  const given = nodeWasGiven(/^--(max|min)[-_](semi[-_]space|young[-_]generation)[-_]size\b/, execArgv, nodeOptions);
  return single && !given ? { maxYoungGenerationSizeMb: SEARCH_YOUNG_GENERATION_MB } : {};
}

export interface JobOutcome {
  readonly spec: JobSpec;
  result?: JobResult;
  error?: string;
  setup?: boolean;
  /** A split search: per worker, the nodes it took from others within levels, and ms it idled inside levels and at the barriers. */
  split?: { readonly stolen: readonly number[]; readonly idleMs: readonly number[]; readonly barrierMs: readonly number[] };
}

export interface RunOptions {
  /** Worker threads (at least 1). */
  readonly workers: number;
  /** Shared flag: 1 asks every search to stop. */
  readonly stop: SharedArrayBuffer;
  readonly onProgress?: (job: number, p: Progress) => void;
}

/**
 * Run jobs on worker threads: fewer jobs than workers (a single scenario,
 * a shard) are each split among all workers, one after the other; more are
 * spread over the pool.
 */
export async function runJobs(jobs: readonly JobSpec[], o: RunOptions): Promise<JobOutcome[]> {
  const splitEach = o.workers > 1 && jobs.length < o.workers;
  if (!splitEach) return runPool(jobs, o);
  const out: JobOutcome[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const spec = jobs[i]!;
    if (spec.random) {
      out.push(...(await runPool([spec], { ...o, workers: 1 })));
      continue;
    }
    out.push(await runSplit(spec, o.workers, o.stop, (p) => o.onProgress?.(i, p)));
  }
  return out;
}

/** Many jobs over `workers` threads; each thread takes the next job when it is done with one. */
export function runPool(jobs: readonly JobSpec[], o: RunOptions): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = jobs.map((spec) => ({ spec }));
  const next = new SharedArrayBuffer(4);
  const n = Math.max(1, Math.min(o.workers, jobs.length));
  let running = n;
  const resourceLimits = searchResourceLimits(jobs.length === 1);
  return new Promise((resolve, reject) => {
    if (jobs.length === 0) { resolve(outcomes); return; }
    for (let w = 0; w < n; w++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { jobs, stop: o.stop, next }, resourceLimits });
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') o.onProgress?.(m.index, m.progress);
        else if (m.type === 'result') outcomes[m.index]!.result = m.result;
        else if (m.type === 'error') { outcomes[m.index]!.error = m.message; outcomes[m.index]!.setup = m.setup; }
        else if (m.type === 'done') {
          void worker.terminate();
          if (--running === 0) resolve(outcomes);
        }
      });
      worker.on('error', reject);
    }
  });
}

/** One breadth-first job shared by `n` workers; `steal`: work stealing within levels (default {@link STEAL}). */
export function runSplit(
  spec: JobSpec, n: number, stop: SharedArrayBuffer, onProgress?: (p: Progress) => void, steal = STEAL,
): Promise<JobOutcome> {
  const visited = sharedVisitedBuffers(SHARED_BITS);
  // Only a search without the reduction keeps its nodes apart from its states (pages are touched only if used).
  const nodes = sharedVisitedBuffers(spec.por === false ? SHARED_BITS : 1);
  const view = new SharedVisitedSet(visited);
  const t0 = Date.now();
  const workers: Worker[] = [];
  const levels: (Extract<SplitFromWorker, { type: 'level' }> | null)[] = new Array(n).fill(null);
  const filtered: (number | null)[] = new Array(n).fill(null);
  const results: (Extract<SplitFromWorker, { type: 'result' }> | null)[] = new Array(n).fill(null);
  const skip = new Set<string>();
  const progress: CheckStats[] = [];
  let failed: Extract<SplitFromWorker, { type: 'error' }> | null = null;
  const control = steal && n > 1 ? stealControl(n) : null;
  const ports = control ? stealPorts(n) : [];
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      for (const w of workers) void w.terminate();
      if (failed) { resolve({ spec, error: failed.message, setup: failed.setup }); return; }
      const rs = results.map((r) => r!);
      const split = { stolen: rs.map((r) => r.stolen), idleMs: rs.map((r) => r.idleMs), barrierMs: rs.map((r) => r.barrierMs) };
      try {
        resolve({ spec, split, result: combine(spec, rs, view, Date.now() - t0, n, Atomics.load(new Int32Array(stop), 0) !== 0) });
      } catch (e) {
        reject(e);
      }
    };
    const onLevel = (): void => {
      if (levels.some((l) => l === null)) return;
      const ls = levels.map((l) => l!);
      levels.fill(null);
      for (const l of ls) for (const f of l.found) skip.add(f.invariant);
      const finishAll = ls.every((l) => l.frontier === 0) || ls.some((l) => l.stopped);
      const end: SplitToWorker = { type: 'filter', skip: [...skip], finish: finishAll };
      for (const w of workers) w.postMessage(end);
    };
    // Every worker has filtered its frontier: only now may one go on to the next level (src/check/split-worker.ts).
    const onFiltered = (): void => {
      if (filtered.some((f) => f === null)) return;
      const plan = balance(filtered.map((f) => f!));
      filtered.fill(null);
      // Every worker has ended the level (and left the block) and waits for its go: ready the block for the next.
      if (control) resetSteal(control, n);
      workers.forEach((w, i) => {
        const go: SplitToWorker = { type: 'go', ...plan.get(i) };
        w.postMessage(go);
      });
    };
    for (let i = 0; i < n; i++) {
      const mine = ports[i]?.filter((p) => p !== null) ?? [];
      const input: SplitInput = { spec, index: i, count: n, visited, nodes, stop, ...(control ? { steal: { control, ports: ports[i]! } } : {}) };
      const w = new Worker(new URL('./split-worker.js', import.meta.url), {
        workerData: input, transferList: mine, resourceLimits: searchResourceLimits(true),
      });
      workers.push(w);
      w.on('message', (m: SplitFromWorker) => {
        if (m.type === 'progress') {
          progress[m.index] = m.stats;
          const st = progress.filter(Boolean);
          onProgress?.({
            states: Math.max(view.size, ...st.map((s) => s.states)), transitions: st.reduce((a, s) => a + s.transitions, 0),
            depth: Math.max(...st.map((s) => s.depth)), complete: false, visitedBytes: view.bytes,
            queue: st.reduce((a, s) => a + s.queue, 0), scenario: spec.source.file, design: spec.design, arch: spec.arch ?? '',
          });
        } else if (m.type === 'nodes') {
          const fwd: SplitToWorker = { type: 'nodes', nodes: m.nodes };
          workers[m.to]!.postMessage(fwd);
        } else if (m.type === 'level') {
          levels[m.index] = m;
          onLevel();
        } else if (m.type === 'filtered') {
          filtered[m.index] = m.frontier;
          onFiltered();
        } else if (m.type === 'result') {
          results[m.index] = m;
          if (results.every((r) => r !== null)) finish();
        } else {
          failed = m;
          finish();
        }
      });
      w.on('error', (e) => {
        for (const x of workers) void x.terminate();
        reject(e);
      });
    }
  });
}

/**
 * Balancing between levels (stealing within a level is src/check/steal.ts): the workers' frontiers drift apart (a worker
 * keeps the children it inserts first), so after each level the largest
 * frontier gives half the difference to the smallest, the second largest to
 * the second smallest, and so on, when they differ by at least 16 nodes and
 * a tenth of the larger.
 */
export function balance(sizes: readonly number[]): Map<number, { give?: { to: number; count: number }; receive?: boolean }> {
  const order = sizes.map((n, i) => [n, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const plan = new Map<number, { give?: { to: number; count: number }; receive?: boolean }>();
  for (let k = 0; k < Math.floor(order.length / 2); k++) {
    const [big, from] = order[k]!;
    const [small, to] = order[order.length - 1 - k]!;
    const diff = big - small;
    if (diff < 16 || diff * 10 < big) continue;
    plan.set(from, { give: { to, count: Math.floor(diff / 2) } });
    plan.set(to, { receive: true });
  }
  return plan;
}

/** One job's result from its workers' results: the shortest violation per invariant, the shared count. */
function combine(
  spec: JobSpec,
  rs: readonly Extract<SplitFromWorker, { type: 'result' }>[],
  view: SharedVisitedSet,
  ms: number,
  n: number,
  interrupted: boolean,
): JobResult {
  const split = rs.some((r) => r.split);
  const found = new Map<string, FoundRecord & { depth: number }>();
  for (const r of rs) {
    for (const f of r.found) {
      const prev = found.get(f.invariant);
      if (!prev || f.depth < prev.depth) found.set(f.invariant, f);
    }
  }
  const first = rs[0]!;
  const stats: CheckStats = split ? {
    states: view.size,
    nodes: first.prefixNodes + rs.reduce((a, r) => a + (r.stats.nodes ?? 0) - r.prefixNodes, 0),
    transitions: first.prefixTransitions + rs.reduce((a, r) => a + r.stats.transitions - r.prefixTransitions, 0),
    depth: Math.max(...rs.map((r) => r.stats.depth)),
    complete: rs.every((r) => r.stats.complete),
    visitedBytes: view.bytes,
    queue: 0,
  } : first.stats;
  // The model is built again here only for the result's metadata (expected violations, bounds).
  const p = prepareJob(spec);
  const order = p.m.invariants;
  const records = [...found.values()]
    .sort((a, b) => Number(a.depth > 0) - Number(b.depth > 0) || order.indexOf(a.invariant) - order.indexOf(b.invariant))
    .map(({ depth: _depth, ...f }) => f);
  const keys = spec.shard ? (split ? view.keys() : first.keys) : undefined;
  const r = jobResult(p, { found: records, stats, samples: first.samples, ...(keys ? { keys } : {}) }, ms, interrupted, split ? n : 1);
  return keys && !r.keys ? { ...r, keys: encodeKeys(keys) } : r;
}
