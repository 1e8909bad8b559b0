/**
 * The data an HTML report embeds: the design × invariant × arch matrix, the
 * jobs with their progress samples, and one trace view per violation (or per
 * `barmap run`). A trace view has one lane per thread (`A-11`) and device
 * (`0000:01:00.0`), one step per transition with its events in kernel terms,
 * and the state after it as indexes into a table of interned snapshot lines,
 * so a state that a step leaves mostly alone costs a few numbers.
 *
 * Pure: built from replay results and run results, no Node, no DOM.
 */
import type { KernelState } from '../../kernel/state.js';
import type { TraceEvent } from '../../kernel/events.js';
import type { ReplayResult } from '../../check/replay.js';
import type { TraceFile } from '../../check/trace-file.js';
import type { RunResult } from '../../check/run.js';
import type { JobResult } from '../../check/job.js';
import type { Cell } from '../../check/results.js';
import { aggregate, aggregateKey } from '../../check/results.js';
import { verdictOf } from '../verdict.js';
import type { UnrunJob, Verdict } from '../verdict.js';
import { formatValue } from '../text.js';
import { snapshot } from './snapshot.js';

export interface LaneView {
  /** `A-11` for a thread, the bdf for a device. */
  readonly name: string;
  readonly kind: 'thread' | 'device' | 'kernel';
}

export interface EventView {
  /** Lane index. */
  readonly l: number;
  /** Event kind (fault, insert, zap, ...). */
  readonly k: string;
  /** Kernel function. */
  readonly f: string;
  /** `key=value` arguments. */
  readonly a: string;
  /** The result printed after `->`, if any. */
  readonly r?: string;
}

export interface StepView {
  /** `setup`, `t1`, `step 3`. */
  readonly n: string;
  /** Lane of the thread that ran the step (-1: several, as the setup). */
  readonly l: number;
  /** `fn:label` the thread ran, `user` for an action start, or the op. */
  readonly at: string;
  readonly ev: readonly EventView[];
  /** The state after the step: indexes into ReportData.items. */
  readonly st: readonly number[];
  /** Invariants broken after this step. */
  readonly bug?: readonly string[];
}

export interface TraceView {
  /** Anchor id (`o_direct_cmd-disable--legacy--x86_64-pte-special-only--gup-fast-agrees-with-gup`). */
  readonly id: string;
  readonly title: string;
  readonly scenario: string;
  readonly design: string;
  readonly arch: string;
  readonly defects: readonly string[];
  readonly invariant?: string;
  readonly message?: string;
  /** The trace file, when there is one (for `barmap replay`). */
  readonly file?: string;
  /** The recorded violation broke again at the last step when replayed. */
  readonly reproduced?: boolean;
  readonly lanes: readonly LaneView[];
  readonly steps: readonly StepView[];
}

export interface CellView {
  /** holds, broken or n/a. */
  readonly s: string;
  readonly n?: number;
  readonly sc?: string;
  /** Incomplete search. */
  readonly inc?: boolean;
  /** Not as the scenarios expect. */
  readonly bad?: boolean;
  /** Trace view id of the shortest violation. */
  readonly tr?: string;
}

export interface JobView {
  readonly scenario: string;
  readonly design: string;
  readonly arch: string;
  readonly states: number;
  readonly depth: number;
  readonly ms: number;
  readonly complete: boolean;
  readonly found: readonly string[];
  /** [ms, states, depth] samples over the search. */
  readonly samples: readonly (readonly [number, number, number])[];
}

export interface ReportData {
  readonly version: 1;
  readonly title: string;
  readonly kind: 'check' | 'run' | 'replay';
  readonly subtitle: string;
  /** Interned snapshot lines (JSON of SnapLine). */
  readonly items: readonly string[];
  /** Invariant rules by name. */
  readonly rules: { readonly [name: string]: string };
  /** Link to the invariant catalogue (docs/invariants.md), relative to the report. */
  readonly docs: string;
  /** The verdict per design (src/report/verdict.ts): the report's first view. */
  readonly verdict?: Verdict;
  /** Text shown for a design that breaks nothing beyond the shared findings. */
  readonly holdsWord?: string;
  readonly matrix?: { readonly columns: readonly string[]; readonly rows: readonly string[]; readonly cells: readonly (readonly CellView[])[] };
  readonly jobs?: readonly JobView[];
  readonly traces: readonly TraceView[];
}

/** A trace view id safe in a URL hash. */
export function traceId(scenario: string, design: string, arch: string, invariant: string): string {
  return [scenario, design, arch, invariant].map((s) => s.replace(/[^A-Za-z0-9_.-]+/g, '_')).join('--');
}

/** Builds report data, interning snapshot lines across every trace. */
export class ReportBuilder {
  private readonly items: string[] = [];
  private readonly index = new Map<string, number>();
  /** Snapshots by state identity: states are immutable, so a repeated state is dumped once. */
  private readonly snaps = new WeakMap<KernelState, number[]>();
  readonly traces: TraceView[] = [];

  private intern(s: KernelState): number[] {
    const hit = this.snaps.get(s);
    if (hit) return hit;
    const ids = snapshot(s).map((line) => {
      const j = JSON.stringify(line);
      let i = this.index.get(j);
      if (i === undefined) {
        i = this.items.length;
        this.items.push(j);
        this.index.set(j, i);
      }
      return i;
    });
    this.snaps.set(s, ids);
    return ids;
  }

  /** Add the view of a replayed trace file. */
  addReplay(tf: TraceFile, r: ReplayResult, file?: string): TraceView {
    const init = r.model.setup.initial;
    const start = r.model.model.initial;
    const finalState = r.steps.length ? r.steps[r.steps.length - 1]!.state : start;
    const lanes = lanesOf([init, start, finalState]);
    const setupEvents = [...r.model.setup.setupEvents, ...r.model.setup.steps.flatMap((s) => s.events)];
    const steps: StepView[] = [{
      n: 'setup', l: -1, at: `${r.model.setup.steps.length} scripted steps`,
      ev: this.events(setupEvents, lanes, [init, start]), st: this.intern(start),
      ...(r.steps.length === 0 && r.reproduced ? { bug: [tf.invariant] } : {}),
    }];
    // An invariant broken during the setup stays broken: say BUG once, where it first breaks (and the recorded one at the end).
    const seen = new Set<string>(r.model.setupViolations.map((v) => v.invariant));
    const lastIndex = r.steps.length - 1;
    for (const st of r.steps) {
      const thread = `${st.thread}-${st.tid}`;
      const bug = st.broken.map((b) => b.invariant).filter((b) => !seen.has(b) || (b === tf.invariant && st.index === lastIndex));
      bug.forEach((b) => seen.add(b));
      const sys = st.events.find((e) => e.kind === 'syscall');
      steps.push({
        n: `t${st.index + 1}`, l: lanes.findIndex((l) => l.name === thread),
        at: st.at === 'user' && sys ? `${sys.fn}()` : st.at,
        ev: this.events(st.events, lanes, [st.state, init]), st: this.intern(st.state),
        ...(bug.length ? { bug } : {}),
      });
    }
    const v: TraceView = {
      id: traceId(tf.scenario.name, tf.design, tf.arch, tf.invariant),
      title: `${tf.invariant} in ${tf.scenario.name}`,
      scenario: tf.scenario.name, design: tf.design, arch: tf.arch, defects: tf.defects,
      invariant: tf.invariant, message: r.message ?? tf.message, reproduced: r.reproduced,
      ...(file !== undefined ? { file } : {}), lanes, steps,
    };
    this.traces.push(v);
    return v;
  }

  /** Add the view of a `barmap run`: one step per scenario step. */
  addRun(r: RunResult): TraceView {
    const last = r.steps.length ? r.steps[r.steps.length - 1]!.state : r.initial;
    const lanes = lanesOf([r.initial, last]);
    const steps: StepView[] = [{ n: 'setup', l: -1, at: 'world built', ev: this.events(r.setupEvents, lanes, [r.initial]), st: this.intern(r.initial) }];
    const seen = new Set<string>();
    for (const st of r.steps) {
      const bug = r.violations.filter((v) => v.step === st.index && !seen.has(v.invariant)).map((v) => v.invariant);
      bug.forEach((b) => seen.add(b));
      steps.push({
        n: `step ${st.index}`, l: lanes.findIndex((l) => l.name === `${st.thread}-${st.tid}`), at: st.op,
        ev: this.events(st.events, lanes, [st.state, r.initial]), st: this.intern(st.state),
        ...(bug.length ? { bug } : {}),
      });
    }
    const v: TraceView = {
      id: traceId(r.scenario, r.design, r.arch, 'run'), title: `barmap run ${r.scenario}`,
      scenario: r.scenario, design: r.design, arch: r.arch, defects: r.initial.defects,
      ...(r.violations[0] ? { invariant: r.violations[0].invariant, message: r.violations[0].message } : {}),
      lanes, steps,
    };
    this.traces.push(v);
    return v;
  }

  private events(evs: readonly TraceEvent[], lanes: readonly LaneView[], states: readonly KernelState[]): EventView[] {
    return evs.map((e) => {
      const l = laneOf(e, lanes, states);
      let a = '';
      let res: string | undefined;
      for (const [k, v] of Object.entries(e.args)) {
        if (k === 'ret' || k === 'result') res = formatValue(v);
        else a += `${a ? ' ' : ''}${k}=${formatValue(v)}`;
      }
      return { l, k: e.kind, f: e.fn, a, ...(res !== undefined ? { r: res } : {}) };
    });
  }

  /** The report's data. */
  finish(head: {
    title: string; kind: ReportData['kind']; subtitle: string; rules: { readonly [name: string]: string }; docs: string;
    cells?: readonly Cell[]; jobs?: readonly JobResult[]; unrun?: readonly UnrunJob[]; holdsWord?: string;
  }): ReportData {
    const cells = head.cells ?? [];
    return {
      version: 1, title: head.title, kind: head.kind, subtitle: head.subtitle, items: this.items, rules: head.rules, docs: head.docs,
      ...(cells.length || head.unrun?.length ? { verdict: verdictOf(cells, head.unrun ?? []) } : {}),
      ...(head.holdsWord !== undefined ? { holdsWord: head.holdsWord } : {}),
      ...(head.cells && head.cells.length ? { matrix: matrixView(head.cells, new Set(this.traces.map((t) => t.id))) } : {}),
      ...(head.jobs ? { jobs: head.jobs.map(jobView) } : {}),
      traces: this.traces,
    };
  }
}

/** Lanes: every thread ever seen (by tid), then every device. */
function lanesOf(states: readonly KernelState[]): LaneView[] {
  const threads = new Map<number, string>();
  for (const s of states) for (const t of Object.values(s.tasks)) threads.set(t.tid, `${t.name}-${t.tid}`);
  const devs = new Set<string>();
  for (const s of states) for (const d of Object.values(s.pci)) devs.add(d.bdf);
  return [
    ...[...threads.entries()].sort((a, b) => a[0] - b[0]).map(([, name]): LaneView => ({ name, kind: 'thread' })),
    ...[...devs].map((name): LaneView => ({ name, kind: 'device' })),
    { name: '<kernel>', kind: 'kernel' },
  ];
}

/** Device events go to the device's lane; the rest to their thread's. */
function laneOf(e: TraceEvent, lanes: readonly LaneView[], states: readonly KernelState[]): number {
  if (e.kind === 'device') {
    const dev = Object.values(e.args).find((v) => typeof v === 'string' && lanes.some((l) => l.kind === 'device' && v.includes(l.name)));
    const i = typeof dev === 'string' ? lanes.findIndex((l) => l.kind === 'device' && dev.includes(l.name)) : lanes.findIndex((l) => l.kind === 'device');
    if (i >= 0) return i;
  }
  if (e.tid === 0) return lanes.length - 1;
  for (const s of states) {
    const t = s.tasks[e.tid];
    if (t) return lanes.findIndex((l) => l.name === `${t.name}-${e.tid}`);
  }
  return lanes.length - 1;
}

function matrixView(cells: readonly Cell[], traceIds: ReadonlySet<string>): NonNullable<ReportData['matrix']> {
  const columns = [...new Set(cells.map((c) => `${c.design}/${c.arch}`))];
  const rows = [...new Set(cells.map((c) => c.invariant))];
  const agg = aggregate(cells);
  return {
    columns, rows,
    cells: rows.map((inv) => columns.map((col): CellView => {
      const [design, arch] = col.split('/') as [string, string];
      const a = agg.get(aggregateKey(design, arch, inv));
      if (!a) return { s: 'n/a' };
      const id = a.scenario !== undefined ? traceId(a.scenario, design, arch, inv) : undefined;
      return {
        s: a.status, ...(a.length !== undefined ? { n: a.length } : {}), ...(a.scenario !== undefined ? { sc: a.scenario } : {}),
        ...(a.complete ? {} : { inc: true }), ...(a.ok ? {} : { bad: true }), ...(id && traceIds.has(id) ? { tr: id } : {}),
      };
    })),
  };
}

function jobView(j: JobResult): JobView {
  const samples = j.samples ?? [];
  return {
    scenario: j.scenario, design: j.design, arch: j.arch, states: j.stats.states, depth: j.stats.depth, ms: j.stats.ms,
    complete: j.stats.complete, found: j.found.map((f) => f.invariant),
    samples: samples.length ? samples : [[0, 0, 0], [j.stats.ms, j.stats.states, j.stats.depth]],
  };
}
