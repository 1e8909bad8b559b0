/**
 * The script runner behind `barmap run`: executes a scenario's steps in
 * order on the model and records, per step, the trace events and the state
 * after it.
 *
 * A step starts its op on its thread and runs it until the thread is back in
 * user space, or stops it before the step's `until` label. `resume` continues
 * a thread an `until` left in the kernel. When the running thread sleeps on
 * a lock, the other threads inside the kernel that can run do so, one step
 * at a time and lowest tid first, until it can go on; if none can, the run
 * reports a deadlock (who holds what, who waits for what) and stops.
 *
 * The runner emits the 'syscall' event when an op starts, and 'return' plus
 * any signal delivered when its thread is back in user space; the kernel
 * paths emit everything in between.
 */
import { Kernel } from '../kernel/kernel.js';
import type { KernelState } from '../kernel/state.js';
import type { EventValue, TraceEvent } from '../kernel/events.js';
import { hex } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import type { Signal, Task } from '../kernel/sched/types.js';
import { isRunnable, taskLabel } from '../kernel/sched/step.js';
import { lockName } from '../kernel/locking/rwsem.js';
import { errnoName, isErr } from '../uapi/errno.js';
import { startAction, step } from './exec.js';
import type { MappedExpect, Scenario, Step } from '../scenario/schema.js';
import type { NumExpr } from '../scenario/expr.js';
import { walk } from '../mm/pgtable.js';
import { archProfile } from '../arch/profiles.js';
import { buildWorld } from '../scenario/world.js';
import { prepareAction, ActionError } from '../scenario/action.js';
import { evalExpr } from '../scenario/expr.js';
import { closest } from '../scenario/flags.js';
import { INVARIANTS } from './invariants/index.js';
import type { Invariant } from './invariants/index.js';

export interface RunOptions {
  readonly design: Design;
  /** Arch profile; the scenario's own when absent. */
  readonly arch?: string;
  /** Model steps one scenario step may take before the run gives up (livelock guard). */
  readonly maxSteps?: number;
  /** Invariants checked after every model step (default: the whole catalogue). */
  readonly invariants?: readonly Invariant[];
  /** Defects to switch on (src/designs/defects.ts); default: the scenario's `defects:`. */
  readonly defects?: readonly string[];
}

/** An invariant that broke during a run, at the scenario step where it first broke. */
export interface RunViolation {
  readonly invariant: string;
  readonly step: number;
  readonly message: string;
}

export type StepStop =
  /** The thread is back in user space. */
  | 'done'
  /** The thread stopped before its `until` label. */
  | 'label'
  /** Threads wait for each other's locks; nothing can run. */
  | 'deadlock'
  /** The step took more than maxSteps model steps. */
  | 'limit';

/** What one scenario step did. */
export interface StepRecord {
  readonly index: number;
  readonly thread: string;
  readonly tid: number;
  /** The op, or 'resume'. */
  readonly op: string;
  readonly events: readonly TraceEvent[];
  /** The state after the step. */
  readonly state: KernelState;
  readonly stop: StepStop;
  /** The action's return value, when the thread came back to user space. */
  readonly ret?: number;
  /** Signals delivered to the thread when it came back to user space. */
  readonly signals: readonly Signal[];
  /** `expect` mismatches and other failures of this step, one sentence each. */
  readonly failures: readonly string[];
  /** Model steps this scenario step ran (all threads). */
  readonly modelSteps: number;
}

export interface RunResult {
  readonly scenario: string;
  readonly arch: string;
  readonly design: string;
  readonly initial: KernelState;
  readonly setupEvents: readonly TraceEvent[];
  readonly steps: readonly StepRecord[];
  /** Every failure, prefixed with its step. Empty when every `expect` held. */
  readonly failures: readonly string[];
  /** Invariants that broke, each at its first violation. */
  readonly violations: readonly RunViolation[];
  readonly modelSteps: number;
}

/** A scenario that cannot run as written (unbound variable, unknown label): a user error. */
export class ScenarioRunError extends Error {
  override name = 'ScenarioRunError';
  constructor(readonly path: readonly (string | number)[], message: string) {
    super(message);
  }
}

/** The model itself failed during a step (a ModelError: a bug in barmap or in a design). */
export class RunCrash extends Error {
  override name = 'RunCrash';
  constructor(readonly step: number, override readonly cause: unknown) {
    super(`steps[${step}]: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** How a thread's action ended when it ended during another step. */
interface Finished {
  readonly ret: number;
  readonly signals: readonly Signal[];
  readonly step: number;
}

/** Run a scenario; `onStep` sees each step as soon as it is done (for streaming output). */
export function runScenario(sc: Scenario, opts: RunOptions, onStep?: (r: StepRecord, res: RunProgress) => void): RunResult {
  const arch = opts.arch ?? sc.world.arch;
  const design = opts.design;
  const world = buildWorld(sc.world, arch, design, opts.defects ?? sc.defects ?? []);
  const runner = new Runner(world.state, design, world.devices, opts.maxSteps ?? 100_000, opts.invariants ?? INVARIANTS);
  const steps: StepRecord[] = [];
  const failures: string[] = [];
  const progress: RunProgress = { scenario: sc.name, arch, design: design.name, initial: world.state, setupEvents: world.events };
  for (const st of sc.steps) {
    let rec: StepRecord;
    try {
      rec = runner.run(st);
    } catch (e) {
      if (e instanceof ScenarioRunError) throw e;
      throw new RunCrash(st.index, e);
    }
    steps.push(rec);
    for (const f of rec.failures) failures.push(`steps[${rec.index}] (${rec.thread}: ${rec.op}): ${f}`);
    onStep?.(rec, progress);
    if (rec.stop === 'deadlock' || rec.stop === 'limit') break;
  }
  const violations = runner.violations;
  failures.push(...unexpectedViolations(violations, sc.violates ?? []));
  return { ...progress, steps, failures, violations, modelSteps: steps.reduce((n, s) => n + s.modelSteps, 0) };
}

/** Violations the scenario does not declare in `violates`, and declared ones that did not happen. */
function unexpectedViolations(found: readonly RunViolation[], declared: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of found) {
    if (!declared.includes(v.invariant)) out.push(`steps[${v.step}]: invariant ${v.invariant} violated: ${v.message}`);
  }
  for (const name of declared) {
    if (!found.some((v) => v.invariant === name)) out.push(`invariant ${name} was expected to break (violates:) but held`);
  }
  return out;
}

/** What is known about a run before its first step. */
export interface RunProgress {
  readonly scenario: string;
  readonly arch: string;
  readonly design: string;
  readonly initial: KernelState;
  readonly setupEvents: readonly TraceEvent[];
}

function findTask(s: KernelState, name: string): Task | undefined {
  let found: Task | undefined;
  for (const t of Object.values(s.tasks)) if (t.name === name && !t.dead) found = t;
  return found;
}

function inKernel(t: Task): boolean {
  return !t.dead && t.frames.length > 0;
}

class Runner {
  private events: TraceEvent[] = [];
  private failures: string[] = [];
  private modelSteps = 0;
  /** Threads that finished their action while another step ran. */
  private readonly finished = new Map<string, Finished>();
  /** The op each thread is running, for its return event. */
  private readonly currentOp = new Map<number, string>();
  private stepIndex = 0;

  constructor(
    private state: KernelState,
    private readonly design: Design,
    private readonly devices: { readonly [name: string]: string },
    private readonly maxSteps: number,
    private readonly invariants: readonly Invariant[],
  ) {}

  /** Invariants broken so far, each at its first violation. */
  readonly violations: RunViolation[] = [];

  run(st: Step): StepRecord {
    this.events = [];
    this.failures = [];
    this.modelSteps = 0;
    this.stepIndex = st.index;
    const at = (...p: (string | number)[]): (string | number)[] => ['steps', st.index, ...p];
    if (st.until !== undefined) this.checkLabel(st.until, at('until'));

    const done = this.finished.get(st.thread);
    let task = findTask(this.state, st.thread);
    if (st.kind === 'resume' && done !== undefined) {
      // It already came back to user space while another step ran.
      this.finished.delete(st.thread);
      return this.record(st, task?.tid ?? 0, 'resume', 'done', done.ret, done.signals);
    }
    if (task === undefined) throw new ScenarioRunError(at(st.kind === 'resume' ? 'resume' : 'thread'), `thread ${st.thread} does not exist (or has exited) at this step`);
    const tid = task.tid;
    let op = 'resume';
    if (st.kind === 'action') {
      if (inKernel(task)) throw new ScenarioRunError(at('thread'), `thread ${st.thread} is still inside the kernel at ${taskLabel(task)}; add \`resume: ${st.thread}\` first`);
      op = st.action.op;
      const vars = this.state.processes[task.pid]?.vars ?? {};
      let prepared;
      try {
        prepared = prepareAction(st.action, vars, this.devices);
      } catch (e) {
        if (e instanceof ActionError) throw new ScenarioRunError(at(op, ...e.path), e.message);
        throw e;
      }
      this.events.push({ tid, kind: 'syscall', fn: op, args: prepared.args });
      const r = startAction(this.state, this.design, tid, prepared.action);
      this.state = r.state;
      this.events.push(...r.events);
      this.currentOp.set(tid, op);
    } else if (!inKernel(task)) {
      throw new ScenarioRunError(at('resume'), `thread ${st.thread} is not inside the kernel; nothing to resume`);
    }
    const stop = this.drive(tid, st.until, st.kind === 'resume');
    task = this.state.tasks[tid];
    if (stop !== 'done') return this.record(st, tid, op, stop);
    if (st.until !== undefined) this.failures.push(`the action returned before reaching ${st.until}`);
    const back = this.backInUser(tid);
    return this.record(st, tid, op, 'done', back?.ret, back?.signals ?? []);
  }

  /** A label must name a path of the design and one of its steps. */
  private checkLabel(label: string, path: (string | number)[]): void {
    const [fn, pc] = label.split(':') as [string, string];
    const p = this.design.paths.get(fn);
    if (!p) {
      const near = closest(fn, [...this.design.paths.keys()]);
      throw new ScenarioRunError(path, `no kernel path '${fn}' in design ${this.design.name}` + (near ? `; did you mean ${near}?` : ''));
    }
    if (!(pc in p.steps)) {
      throw new ScenarioRunError(path, `${fn} has no label '${pc}'; its labels: ${Object.keys(p.steps).join(', ')}`);
    }
  }

  /** Run `tid` until it is in user space, at `until`, or stuck. */
  private drive(tid: number, until: string | undefined, resuming: boolean): StepStop {
    let first = true;
    for (;;) {
      if (this.modelSteps >= this.maxSteps) {
        this.failures.push(`gave up after ${this.maxSteps} model steps (a livelock, or raise maxSteps)`);
        return 'limit';
      }
      const task = this.state.tasks[tid];
      if (task === undefined || !inKernel(task)) return 'done';
      if (until !== undefined && !(first && resuming) && taskLabel(task) === until) return 'label';
      first = false;
      if (isRunnable(this.state, tid)) {
        this.stepOnce(tid);
        continue;
      }
      const other = this.runnableOthers(tid)[0];
      if (other === undefined) {
        this.reportDeadlock();
        return 'deadlock';
      }
      this.stepOnce(other);
      const o = this.state.tasks[other];
      if (o !== undefined && !inKernel(o)) {
        const back = this.backInUser(other);
        if (back) this.finished.set(o.name, { ...back, step: this.stepIndex });
      }
    }
  }

  private stepOnce(tid: number): void {
    const r = step(this.state, this.design, tid);
    this.state = r.state;
    this.events.push(...r.events);
    this.modelSteps++;
    this.checkInvariants(tid, r.events);
  }

  /** Check every invariant after a model step; report each one the first time it breaks. */
  private checkInvariants(tid: number, events: readonly TraceEvent[]): void {
    const k = new Kernel(this.state, this.design);
    for (const inv of this.invariants) {
      if (this.violations.some((v) => v.invariant === inv.name)) continue;
      const v = inv.check({ state: this.state, events, k });
      if (v === null) continue;
      this.violations.push({ invariant: v.invariant, step: this.stepIndex, message: v.message });
      this.events.push({ tid, kind: 'violation', fn: `BUG: ${v.invariant}`, args: { report: v.message } });
    }
  }

  private runnableOthers(tid: number): number[] {
    return Object.values(this.state.tasks)
      .filter((t) => t.tid !== tid && inKernel(t) && isRunnable(this.state, t.tid))
      .map((t) => t.tid)
      .sort((a, b) => a - b);
  }

  /** The task returned to user space: emit 'return' and deliver its pending signals. */
  private backInUser(tid: number): { ret: number; signals: Signal[] } | undefined {
    const task = this.state.tasks[tid];
    const op = this.currentOp.get(tid) ?? 'syscall';
    this.currentOp.delete(tid);
    if (task === undefined || task.dead) return undefined;
    const ret = typeof task.lastRet === 'number' ? task.lastRet : 0;
    this.events.push({ tid, kind: 'return', fn: op, args: { ret: formatRet(op, ret) } });
    const signals = [...task.pending];
    if (signals.length > 0) {
      const k = new Kernel(this.state, this.design);
      k.mut('tasks', tid).pending = [];
      this.state = k.finish();
      for (const sig of signals) this.events.push({ tid, kind: 'signal', fn: 'deliver', args: { sig, to: `${task.name}-${tid}` } });
    }
    return { ret, signals };
  }

  private reportDeadlock(): void {
    const s = this.state;
    for (const t of Object.values(s.tasks).filter(inKernel)) {
      const holds = t.held.map((h) => `${lockName(s.locks[h.lock]!)}(${h.mode})`).join(',') || 'nothing';
      const args: Record<string, EventValue> = { task: `${t.name}-${t.tid}`, at: taskLabel(t), holds };
      if (t.blockedOn) {
        const l = s.locks[t.blockedOn.lock]!;
        const holders = (l.writer !== 0 ? [l.writer] : l.readers).map((x) => `${s.tasks[x]?.name ?? 'task'}-${x}`);
        args['waits'] = `${lockName(l)}(${t.blockedOn.mode})`;
        args['held_by'] = holders.join(',') || 'a waiting writer';
      }
      this.events.push({ tid: t.tid, kind: 'warn', fn: 'deadlock', args });
    }
    this.failures.push('deadlock: every thread inside the kernel waits for a lock another one holds');
  }

  private record(st: Step, tid: number, op: string, stop: StepStop, ret?: number, signals: readonly Signal[] = []): StepRecord {
    if (stop === 'done' && ret !== undefined) this.afterReturn(st, tid, ret, signals);
    return {
      index: st.index, thread: st.thread, tid, op, events: this.events, state: this.state, stop,
      ...(ret !== undefined ? { ret } : {}), signals, failures: this.failures, modelSteps: this.modelSteps,
    };
  }

  /** Bind `as` and check `expect`. */
  private afterReturn(st: Step, tid: number, ret: number, signals: readonly Signal[]): void {
    const task = this.state.tasks[tid];
    const pid = task?.pid ?? 0;
    const proc = this.state.processes[pid];
    if (st.expect) {
      const e = st.expect;
      if (e.ret !== undefined) {
        const want = typeof e.ret === 'number' ? e.ret : evalExpected(e.ret, proc?.vars ?? {}, st.index);
        if (want !== ret) this.mismatch(tid, 'ret', formatRet(st.kind === 'action' ? st.action.op : '', want), formatRet(st.kind === 'action' ? st.action.op : '', ret));
      }
      const wantSig = e.signal ?? 'none';
      const gotSig = signals.length ? signals.join(',') : 'none';
      if (wantSig !== gotSig) this.mismatch(tid, 'signal', wantSig, gotSig);
    }
    if (st.as !== undefined && proc !== undefined && !proc.exited) {
      const k = new Kernel(this.state, this.design);
      k.mut('processes', pid).vars = { ...proc.vars, [st.as]: ret };
      this.state = k.finish();
    }
    if (st.expect?.mapped) this.checkMapped(st, tid, st.expect.mapped);
    if (st.expect?.vars) this.checkVars(st, tid, pid, st.expect.vars);
  }

  /** The process's variables after the step (bound by `as:` or `out:`). */
  private checkVars(st: Step, tid: number, pid: number, want: { readonly [name: string]: number | NumExpr }): void {
    const vars = this.state.processes[pid]?.vars ?? {};
    for (const [name, e] of Object.entries(want)) {
      const w = typeof e === 'number' ? e : evalAt(e, vars, ['steps', st.index, 'expect', 'vars', name]);
      const got = vars[name];
      if (got !== w) this.mismatch(tid, `$${name}`, hex(w), got === undefined ? 'unbound' : hex(got));
    }
  }

  /** The leaf mapping an address in the thread's mm after the step. */
  private checkMapped(st: Step, tid: number, m: MappedExpect): void {
    const pid = this.state.tasks[tid]?.pid ?? 0;
    const proc = this.state.processes[pid];
    const vars = proc?.vars ?? {};
    const addr = evalAt(m.addr, vars, ['steps', st.index, 'expect', 'mapped', 'addr']);
    const mm = proc && proc.mm !== 0 ? this.state.mms[proc.mm] : undefined;
    const w = mm ? walk(archProfile(this.state.arch), mm.pgd, addr) : undefined;
    const leaf = w?.kind === 'leaf' ? w.leaf : undefined;
    const got = leaf
      ? `${leaf.level} pfn=${hex(leaf.pfn)}${leaf.special ? ' special' : ''}${leaf.write ? ' write' : ''}`
      : 'none';
    let want = m.level;
    let ok = (leaf?.level ?? 'none') === m.level;
    if (m.pfn !== undefined) {
      const pfn = evalAt(m.pfn, vars, ['steps', st.index, 'expect', 'mapped', 'pfn']);
      want += ` pfn=${hex(pfn)}`;
      ok &&= leaf?.pfn === pfn;
    }
    if (m.special !== undefined) {
      want += m.special ? ' special' : ' !special';
      ok &&= leaf?.special === m.special;
    }
    if (m.write !== undefined) {
      want += m.write ? ' write' : ' !write';
      ok &&= leaf?.write === m.write;
    }
    if (!ok) this.mismatch(tid, `mapped ${hex(addr)}`, want, got);
  }

  private mismatch(tid: number, what: string, want: string, got: string): void {
    this.events.push({ tid, kind: 'warn', fn: 'expect', args: { check: what, expected: want, got } });
    this.failures.push(`expected ${what} ${want}, got ${got}`);
  }
}

function evalExpected(e: NumExpr, vars: { readonly [n: string]: number }, index: number): number {
  return evalAt(e, vars, ['steps', index, 'expect', 'ret']);
}

function evalAt(e: NumExpr, vars: { readonly [n: string]: number }, path: (string | number)[]): number {
  try {
    return evalExpr(e, vars);
  } catch (err) {
    throw new ScenarioRunError(path, err instanceof Error ? err.message : String(err));
  }
}

/** A return value as the trace prints it: errno name, hex address, or decimal. */
export function formatRet(op: string, ret: number): string {
  if (isErr(ret)) return errnoName(ret);
  if (op === 'mmap' || op === 'mremap' || op === 'load') return hex(ret);
  return String(ret);
}
