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
import { findDesign } from '../designs/index.js';
import { bfs } from './bfs.js';
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
  readonly design: string;
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
}

export interface FoundRecord {
  readonly invariant: string;
  readonly message: string;
  /** Transitions after the setup; empty when the setup itself broke the invariant. */
  readonly schedule: readonly ScheduleStep[];
}

export type StopReason = 'done' | 'max-states' | 'interrupted';

export interface JobStats {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** Every state within the bounds was explored. */
  readonly complete: boolean;
  readonly stop: StopReason;
  readonly visitedBytes: number;
  readonly ms: number;
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
}

/** Running statistics for progress displays. */
export type Progress = CheckStats & { readonly scenario: string; readonly design: string; readonly arch: string };

/** Parse and validate a job's scenario (throws ScenarioError). */
export function jobScenario(spec: JobSpec): { readonly sc: Scenario; readonly raw: unknown } {
  const { value, source } = parseSource(spec.source.text, spec.source.file);
  return { sc: validateScenario(value, source), raw: value };
}

/** The alphabet entry as written in the source. */
function writtenEntry(raw: unknown, thread: string, entry: number): unknown {
  const check = (raw as { check?: { alphabet?: Record<string, unknown[]> } } | null)?.check;
  return check?.alphabet?.[thread]?.[entry];
}

/** A schedule as trace files store it, replaying it to name threads and labels. */
export function scheduleSteps(m: ScenarioModel, raw: unknown, schedule: readonly Transition[]): ScheduleStep[] {
  let s: KernelState = m.model.initial;
  return schedule.map((t) => {
    const task = s.tasks[t.tid];
    const thread = task?.name ?? `task${t.tid}`;
    const step: ScheduleStep = {
      thread, tid: t.tid, at: t.action ? 'user' : task ? taskLabel(task) : '?',
      ...(t.action ? {
        action: {
          ...(t.entry !== undefined ? { entry: t.entry, written: writtenEntry(raw, thread, t.entry) } : {}),
          resolved: t.action,
        },
      } : {}),
    };
    s = m.apply(s, t).state;
    return step;
  });
}

/** Run a job; `progress` may return false to stop (the result is then marked interrupted). */
export function runJob(spec: JobSpec, progress?: (p: Progress) => boolean | void): JobResult {
  const { sc, raw } = jobScenario(spec);
  const design = findDesign(spec.design);
  if (!design) throw new Error(`unknown design '${spec.design}'`);
  const m = scenarioModel(sc, {
    design,
    ...(spec.arch !== undefined ? { arch: spec.arch } : {}),
    ...(spec.maxActions !== undefined ? { maxActions: spec.maxActions } : {}),
    ...(spec.preemptions !== undefined ? { preemptions: spec.preemptions } : {}),
    ...(spec.maxStates !== undefined ? { maxStates: spec.maxStates } : {}),
    ...(spec.invariants !== undefined ? { invariants: spec.invariants } : {}),
    defects: spec.defects,
  });
  const t0 = Date.now();
  let interrupted = false;
  const onProgress = (st: CheckStats): boolean => {
    const go = progress?.({ ...st, scenario: sc.name, design: design.name, arch: m.arch }) !== false;
    if (!go) interrupted = true;
    return go;
  };
  const r = spec.random ? randomWalks(m.model, spec.random, onProgress) : bfs(m.model, onProgress);
  const ms = Date.now() - t0;
  const found: FoundRecord[] = m.setupViolations.map((v) => ({ invariant: v.invariant, message: v.message, schedule: [] }));
  for (const name of m.invariants) {
    if (found.some((f) => f.invariant === name)) continue;
    const f: Found | undefined = r.found.get(name);
    if (f) found.push({ invariant: name, message: f.violation.message, schedule: scheduleSteps(m, raw, f.schedule) });
  }
  const maxed = m.bounds.maxStates !== undefined && r.stats.states >= m.bounds.maxStates;
  const stop: StopReason = interrupted ? 'interrupted' : maxed && !r.stats.complete ? 'max-states' : 'done';
  return {
    scenario: sc.name, design: design.name, arch: m.arch, defects: [...spec.defects],
    mode: spec.random ? 'random' : 'bfs', bounds: m.bounds, ...(spec.random ? { random: spec.random } : {}),
    invariants: m.invariants, expected: expectedViolations(sc, design.name, m.arch),
    stats: {
      states: r.stats.states, transitions: r.stats.transitions, depth: r.stats.depth,
      complete: r.stats.complete && !interrupted, stop, visitedBytes: r.stats.visitedBytes, ms,
    },
    found,
  };
}
