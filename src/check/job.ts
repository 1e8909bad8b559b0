/**
 * One unit of checking work: a scenario (its full source text), a design,
 * an arch profile and defects, explored breadth-first or by random walks.
 * Specs and results are plain data so they cross worker threads and are
 * written to files; results of several jobs (or, later, of shards of one
 * job) merge by (scenario, design, arch, invariant).
 */
import type { KernelState } from '../kernel/state.js';
import type { UserAction } from '../kernel/syscalls.js';
import { taskLabel } from '../kernel/sched/step.js';
import { parseSource, validateScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { expectedViolations } from '../scenario/check-section.js';
import type { Design } from '../designs/types.js';
import { designFor, designLineage } from './design-file.js';
import type { DesignFile } from './design-file.js';
import { bfs } from './bfs.js';
import { fingerprint, fingerprintHex } from './fingerprint.js';
import type { CheckStats, Found } from './bfs.js';
import { scenarioModel } from './model.js';
import type { Bounds, ScenarioModel } from './model.js';
import { randomWalks } from './random.js';
import type { Transition } from './transitions.js';

export interface RandomMode {
  readonly seed: number;
  readonly walks: number;
  /** Transitions per walk at most. */
  readonly depth: number;
}

export interface JobSpec {
  /** The scenario's source text (YAML or JSON) and the name to use for it in messages. */
  readonly source: { readonly text: string; readonly file: string };
  /** A built-in design's name, or a design file's absolute path (each worker loads it: src/check/design-file.ts). */
  readonly design: string;
  /** The design file, for trace files (absent for a built-in design). */
  readonly designFile?: DesignFile;
  /** Arch profile; the scenario's own when absent. */
  readonly arch?: string;
  /** Defect names switched on (reserved for `--defect`; none yet). */
  readonly defects: readonly string[];
  readonly maxActions?: number;
  readonly preemptions?: number;
  readonly maxStates?: number;
  /** Invariant names (default: the scenario's, else all). */
  readonly invariants?: readonly string[];
  /** Random walks instead of breadth-first search. */
  readonly random?: RandomMode;
  /** Partial-order reduction (default on; false explores every interleaving). */
  readonly por?: boolean;
  /** Explore one shard of the search: `index` of `count` (0-based). */
  readonly shard?: Shard;
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** One transition of a schedule, as trace files store it. */
export interface ScheduleStep {
  /** The thread's scenario name. */
  readonly thread: string;
  readonly tid: number;
  /** `fn:label` the thread runs in this transition; `user` when it starts an action. */
  readonly at: string;
  readonly action?: {
    /** Index of the entry in the thread's alphabet. */
    readonly entry?: number;
    /** The entry as written in the scenario (`{load: {addr: $bar0}}`). */
    readonly written?: unknown;
    /** The action with its arguments resolved. */
    readonly resolved: UserAction;
  };
  /** Fingerprint (hex) of the state after this transition, so replay says where an edited or stale trace diverges. */
  readonly fp?: string;
}

export interface FoundRecord {
  readonly invariant: string;
  readonly message: string;
  /** Transitions after the setup; empty when the setup itself broke the invariant. */
  readonly schedule: readonly ScheduleStep[];
}

export type StopReason = 'done' | 'max-states' | 'interrupted';

export interface JobStats {
  /** Distinct states: kernel states with the actions each task started. */
  readonly states: number;
  /** Search nodes kept (breadth-first; see docs/check.md "Partial-order reduction"). */
  readonly nodes?: number;
  readonly transitions: number;
  readonly depth: number;
  /** Every state within the bounds was explored. */
  readonly complete: boolean;
  readonly stop: StopReason;
  readonly visitedBytes: number;
  readonly ms: number;
  /** Worker threads that shared the search (1 when it ran alone). */
  readonly workers?: number;
}

export interface JobResult {
  readonly scenario: string;
  readonly design: string;
  readonly arch: string;
  readonly defects: readonly string[];
  readonly mode: 'bfs' | 'random';
  readonly bounds: Bounds;
  readonly random?: RandomMode;
  /** Invariants checked. */
  readonly invariants: readonly string[];
  /** Invariants the scenario says this exploration breaks. */
  readonly expected: readonly string[];
  readonly stats: JobStats;
  /** Shortest (bfs) or shrunk (random) violation per invariant. */
  readonly found: readonly FoundRecord[];
  /** Optional: [ms since start, states, depth] now and then during the search (for the HTML report's plot). */
  readonly samples?: readonly (readonly [number, number, number])[];
  /** Partial-order reduction was on (breadth-first search only). */
  readonly por?: boolean;
  /** The shard this result covers; merge (src/check/merge.ts) combines the shards of one job. */
  readonly shard?: Shard;
  /** A shard's visited keys, base64 of (hi, lo) Uint32 pairs, so that merging counts each state once. */
  readonly keys?: string;
}

/** Running statistics for progress displays. */
export type Progress = CheckStats & { readonly scenario: string; readonly design: string; readonly arch: string };

/**
 * Scenarios parsed so far, by file and text: the built-in suite runs each
 * scenario under 30 designs and arch profiles, and a worker would otherwise
 * parse and validate the same YAML for every one of them (about 3 % of the
 * suite's time). Parsed scenarios are read, never written, by everything
 * after this. A failed parse is not kept, so its error is thrown again.
 */
const parsed = new Map<string, { readonly sc: Scenario; readonly raw: unknown }>();
/** Scenarios {@link parsed} keeps before it starts over (the suite has 18). */
const PARSED_MAX = 64;

/** Parse and validate a job's scenario (throws ScenarioError). */
export function jobScenario(spec: JobSpec): { readonly sc: Scenario; readonly raw: unknown } {
  const key = `${spec.source.file}\0${spec.source.text}`;
  const hit = parsed.get(key);
  if (hit !== undefined) return hit;
  const { value, source } = parseSource(spec.source.text, spec.source.file);
  const out = { sc: validateScenario(value, source), raw: value };
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(key, out);
  return out;
}

/** The alphabet entry as written in the source. */
export function writtenEntry(raw: unknown, thread: string, entry: number): unknown {
  const check = (raw as { check?: { alphabet?: Record<string, unknown[]> } } | null)?.check;
  return check?.alphabet?.[thread]?.[entry];
}

/** A schedule as trace files store it, replaying it to name threads and labels. */
export function scheduleSteps(m: ScenarioModel, raw: unknown, schedule: readonly Transition[]): ScheduleStep[] {
  let s: KernelState = m.model.initial;
  return schedule.map((t) => {
    const task = s.tasks[t.tid];
    const thread = task?.name ?? `task${t.tid}`;
    const at = t.action ? 'user' : task ? taskLabel(task) : '?';
    s = m.apply(s, t).state;
    return {
      thread, tid: t.tid, at,
      ...(t.action ? {
        action: {
          ...(t.entry !== undefined ? { entry: t.entry, written: writtenEntry(raw, thread, t.entry) } : {}),
          resolved: t.action,
        },
      } : {}),
      fp: fingerprintHex(fingerprint(s)),
    };
  });
}

/** A job's scenario, design and model, ready to explore. */
export interface PreparedJob {
  readonly spec: JobSpec;
  readonly sc: Scenario;
  readonly raw: unknown;
  readonly design: Design;
  readonly m: ScenarioModel;
}

/** Build a job's model (runs the setup; throws SetupError). */
export function prepareJob(spec: JobSpec): PreparedJob {
  const { sc, raw } = jobScenario(spec);
  const design = designFor(spec.design);
  const m = scenarioModel(sc, {
    design,
    ...(spec.arch !== undefined ? { arch: spec.arch } : {}),
    ...(spec.maxActions !== undefined ? { maxActions: spec.maxActions } : {}),
    ...(spec.preemptions !== undefined ? { preemptions: spec.preemptions } : {}),
    ...(spec.maxStates !== undefined ? { maxStates: spec.maxStates } : {}),
    ...(spec.invariants !== undefined ? { invariants: spec.invariants } : {}),
    defects: spec.defects,
  });
  return { spec, sc, raw, design, m };
}

/** Violations as trace files store them, setup violations first, in the catalogue's order. */
export function foundRecords(p: PreparedJob, found: ReadonlyMap<string, Found>): FoundRecord[] {
  const out: FoundRecord[] = p.m.setupViolations.map((v) => ({ invariant: v.invariant, message: v.message, schedule: [] }));
  for (const name of p.m.invariants) {
    if (out.some((f) => f.invariant === name)) continue;
    const f: Found | undefined = found.get(name);
    if (f) out.push({ invariant: name, message: f.violation.message, schedule: scheduleSteps(p.m, p.raw, f.schedule) });
  }
  return out;
}

/** What a search (single-threaded, split among workers, or random) hands to {@link jobResult}. */
export interface SearchOutcome {
  readonly found: readonly FoundRecord[];
  readonly stats: CheckStats;
  readonly keys?: Uint32Array;
  readonly samples?: readonly (readonly [number, number, number])[];
}

/** Assemble a job's result from what its search found. */
export function jobResult(p: PreparedJob, r: SearchOutcome, ms: number, interrupted: boolean, workers = 1): JobResult {
  const { spec, sc, m, design } = p;
  const maxed = m.bounds.maxStates !== undefined && r.stats.states >= m.bounds.maxStates;
  const stop: StopReason = interrupted ? 'interrupted' : maxed && !r.stats.complete ? 'max-states' : 'done';
  return {
    scenario: sc.name, design: design.name, arch: m.arch, defects: [...spec.defects],
    mode: spec.random ? 'random' : 'bfs', bounds: m.bounds, ...(spec.random ? { random: spec.random } : {}),
    invariants: m.invariants, expected: expectedViolations(sc, designLineage(design), m.arch),
    stats: {
      states: r.stats.states, ...(r.stats.nodes !== undefined ? { nodes: r.stats.nodes } : {}),
      transitions: r.stats.transitions, depth: r.stats.depth, complete: r.stats.complete && !interrupted, stop, visitedBytes: r.stats.visitedBytes, ms, workers,
    },
    found: r.found,
    ...(r.samples ? { samples: [...r.samples, [ms, r.stats.states, r.stats.depth] as const] } : {}),
    ...(spec.random ? {} : { por: spec.por ?? true }),
    ...(spec.shard ? { shard: spec.shard } : {}),
    ...(r.keys ? { keys: encodeKeys(r.keys) } : {}),
  };
}

/** Keys as base64 text (little-endian Uint32 pairs). */
export function encodeKeys(keys: Uint32Array): string {
  return Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength).toString('base64');
}

export function decodeKeys(text: string): Uint32Array {
  const b = Buffer.from(text, 'base64');
  const out = new Uint32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Samples of [ms, states, depth] now and then (at most about 200), for the HTML report's plot. */
export function sampler(t0: number): { take: (st: CheckStats) => void; samples: [number, number, number][] } {
  const samples: [number, number, number][] = [];
  let every = 20;
  return {
    samples,
    take: (st) => {
      const at = Date.now() - t0;
      if (samples.length === 0 || at - samples[samples.length - 1]![0] >= every) {
        samples.push([at, st.states, st.depth]);
        // keep at most 200 samples: halve them and sample half as often
        if (samples.length > 200) { for (let i = 1; i <= 100; i++) samples.splice(i, 1); every *= 2; }
      }
    },
  };
}

/** Run a job in this thread; `progress` may return false to stop (the result is then marked interrupted). */
export function runJob(spec: JobSpec, progress?: (p: Progress) => boolean | void): JobResult {
  const p = prepareJob(spec);
  const t0 = Date.now();
  let interrupted = false;
  const samples = sampler(t0);
  const onProgress = (st: CheckStats): boolean => {
    samples.take(st);
    const go = progress?.({ ...st, scenario: p.sc.name, design: p.design.name, arch: p.m.arch }) !== false;
    if (!go) interrupted = true;
    return go;
  };
  const r = spec.random
    ? randomWalks(p.m.model, spec.random, onProgress)
    : bfs(p.m.model, onProgress, { por: spec.por ?? true, ...(spec.shard ? { shard: spec.shard, keys: true } : {}) });
  return jobResult(p, {
    found: foundRecords(p, r.found), stats: r.stats, samples: samples.samples, ...(r.keys ? { keys: r.keys } : {}),
  }, Date.now() - t0, interrupted);
}
