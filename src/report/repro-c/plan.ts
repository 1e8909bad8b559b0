/**
 * What a C reproducer does, in order: every user action of a trace (the
 * scenario's scripted steps, then the schedule's action starts), each with
 * the op as written (so `$bar0` stays a variable, not the model's address),
 * the action as the model resolved it (bytes of ioctl and pwrite buffers),
 * where on the trace's timeline it starts and returns, what the model
 * predicts it returns, and which other actions are inside the kernel when it
 * starts (the order user space cannot force).
 */
import type { KernelState } from '../../kernel/state.js';
import type { UserAction } from '../../kernel/syscalls.js';
import type { Signal } from '../../kernel/sched/types.js';
import { taskLabel } from '../../kernel/sched/step.js';
import type { RunResult } from '../../check/run.js';
import type { ReplayResult } from '../../check/replay.js';
import type { TraceFile } from '../../check/trace-file.js';
import type { Scenario } from '../../scenario/schema.js';
import type { OpArgs } from '../../scenario/ops.js';
import { prepareAction } from '../../scenario/action.js';

export interface InFlight {
  readonly label: string;
  readonly thread: string;
  /** Where the other thread is inside the kernel when this action starts (`fn:label`). */
  readonly at: string;
}

export interface ReproAction {
  /** Index in start order. */
  readonly i: number;
  /** `steps[3]` for a scripted step, `t5` for a schedule transition. */
  readonly label: string;
  readonly thread: string;
  readonly tid: number;
  /** The op as written in the scenario, when known. */
  readonly op: OpArgs | undefined;
  /** The action the model ran. */
  readonly action: UserAction;
  readonly as?: string;
  /** Position on the trace's timeline where it starts. */
  readonly start: number;
  /** Position where it returned; Infinity when the trace ends with it still inside the kernel. */
  end: number;
  /** What the model says it returns (number or -errno), when it returned within the trace. */
  ret?: number;
  signals: Signal[];
  /** A scripted step that stops inside the kernel (`until:`). */
  readonly until?: string;
  readonly setup: boolean;
  readonly inFlight: readonly InFlight[];
}

export interface ReproPlan {
  readonly title: string;
  readonly scenario: Scenario;
  readonly design: string;
  readonly arch: string;
  readonly actions: readonly ReproAction[];
  /** The violation the trace shows, if any. */
  readonly invariant?: string;
  readonly message?: string;
  /** One line per schedule transition, for the header comment. */
  readonly schedule: readonly string[];
  /** The BAR the trace maps (the first BAR region an mmap, pread or pwrite names). */
  readonly bar: number;
}

function taskByName(s: KernelState, name: string): { tid: number; pid: number } | undefined {
  let found: { tid: number; pid: number } | undefined;
  for (const t of Object.values(s.tasks)) if (t.name === name && !t.dead) found = { tid: t.tid, pid: t.pid };
  return found;
}

class Builder {
  readonly actions: ReproAction[] = [];
  private readonly open = new Map<number, ReproAction>();

  start(a: Omit<ReproAction, 'i' | 'inFlight' | 'end' | 'signals'>, before: KernelState): ReproAction {
    const inFlight = [...this.open.values()].map((o) => {
      const t = before.tasks[o.tid];
      return { label: o.label, thread: o.thread, at: t && t.frames.length ? taskLabel(t) : 'user' };
    });
    const rec: ReproAction = { ...a, i: this.actions.length, inFlight, end: Infinity, signals: [] };
    this.actions.push(rec);
    this.open.set(a.tid, rec);
    return rec;
  }

  finish(tid: number, pos: number, ret: number, signals: readonly Signal[]): void {
    const a = this.open.get(tid);
    if (!a) return;
    a.end = pos;
    a.ret = ret;
    a.signals = [...signals];
    this.open.delete(tid);
  }
}

/** The scripted steps of a run as actions. */
function addRun(b: Builder, sc: Scenario, run: RunResult, steps: Scenario['steps']): void {
  const devices = Object.fromEntries(sc.world.devices.map((d) => [d.name, d.bdf]));
  run.steps.forEach((rec, n) => {
    const st = steps[n];
    if (!st) return;
    const before = n > 0 ? run.steps[n - 1]!.state : run.initial;
    if (st.kind === 'action') {
      const who = taskByName(before, st.thread);
      if (!who) return;
      let action: UserAction;
      try {
        action = prepareAction(st.action, before.processes[who.pid]?.vars ?? {}, devices).action;
      } catch {
        return;
      }
      b.start({
        label: `steps[${st.index}]`, thread: st.thread, tid: who.tid, op: st.action, action,
        ...(st.as !== undefined ? { as: st.as } : {}), start: n, ...(st.until !== undefined ? { until: st.until } : {}), setup: true,
      }, before);
    }
    if (rec.ret !== undefined) b.finish(rec.tid, n, rec.ret, rec.signals);
    // threads that came back while this step ran (the runner drove them): their return events
    for (const e of rec.events) {
      if (e.kind === 'return' && e.tid !== rec.tid) {
        const t = rec.state.tasks[e.tid];
        b.finish(e.tid, n, typeof t?.lastRet === 'number' ? t.lastRet : 0, []);
      }
    }
  });
}

function firstBar(actions: readonly ReproAction[]): number {
  for (const a of actions) {
    if (a.action.op === 'mmap' || a.action.op === 'pread' || a.action.op === 'pwrite') {
      const idx = Math.floor(a.action.offset / 2 ** 40);
      if (idx < 6) return idx;
    }
  }
  return 0;
}

/** The plan of a trace file, from its replay. */
export function planTrace(tf: TraceFile, r: ReplayResult, sc: Scenario): ReproPlan {
  const b = new Builder();
  const setupSteps = sc.check?.setup !== undefined ? sc.steps.slice(0, sc.check.setup) : sc.steps;
  addRun(b, sc, r.model.setup, setupSteps);
  const base = setupSteps.length;
  let before: KernelState = r.model.model.initial;
  const schedule: string[] = [];
  r.steps.forEach((st, k) => {
    const pos = base + k;
    const sch = tf.schedule[k];
    if (sch?.action) {
      const entry = sch.action.entry !== undefined ? sc.check?.alphabet[sch.thread]?.[sch.action.entry] : undefined;
      b.start({
        label: `t${k + 1}`, thread: st.thread, tid: st.tid, op: entry?.action, action: sch.action.resolved,
        ...(entry?.as !== undefined ? { as: entry.as } : {}), start: pos, setup: false,
      }, before);
    }
    const sys = st.events.find((e) => e.kind === 'syscall');
    schedule.push(`t${k + 1} ${st.thread}-${st.tid} ${sch?.action ? `${sch.action.resolved.op}()` + (sys ? ` ${Object.entries(sys.args).map(([a, v]) => `${a}=${String(v)}`).join(' ')}` : '') : st.at}`);
    for (const e of st.events) {
      if (e.kind !== 'return') continue;
      const t = st.state.tasks[e.tid];
      const sigs = st.events.filter((x) => x.kind === 'signal' && x.tid === e.tid).map((x) => String(x.args['sig']) as Signal);
      b.finish(e.tid, pos, typeof t?.lastRet === 'number' ? t.lastRet : 0, sigs);
    }
    before = st.state;
  });
  return {
    title: `${tf.invariant} in ${tf.scenario.name}`, scenario: sc, design: tf.design, arch: tf.arch, actions: b.actions,
    invariant: tf.invariant, message: r.message ?? tf.message, schedule, bar: firstBar(b.actions),
  };
}

/** The plan of a `barmap run` of a scenario (its steps only). */
export function planRun(sc: Scenario, run: RunResult): ReproPlan {
  const b = new Builder();
  addRun(b, sc, run, sc.steps);
  const v = run.violations[0];
  return {
    title: `barmap run ${sc.name}`, scenario: sc, design: run.design, arch: run.arch, actions: b.actions,
    ...(v ? { invariant: v.invariant, message: v.message } : {}), schedule: [], bar: firstBar(b.actions),
  };
}
