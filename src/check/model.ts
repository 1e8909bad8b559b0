/**
 * A scenario's `check:` section as a {@link CheckModel}: the steps run first
 * as a deterministic setup (src/check/run.ts), whose final state is the
 * exploration's initial state; then each thread may start the ops of its
 * alphabet, evaluated against its process's variables in the state at hand.
 *
 * User space between actions is modelled as `barmap run` models it: when an
 * action returns, its `as:` variable is bound and pending signals are taken
 * (and printed as delivered). An `as:` of an action still inside the kernel
 * is remembered in the process's variables under `@as:<tid>:<name>` — user
 * memory the program will write the result into — so it is part of the state
 * that fingerprints see and merging stays sound.
 */
import type { KernelState } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import { ACTION_PATHS } from '../kernel/syscalls.js';
import type { ActionName } from '../kernel/syscalls.js';
import type { Frame } from '../kernel/sched/types.js';
import type { AlphabetItem, CheckModel } from './bfs.js';
import type { Transition } from './transitions.js';
import { applyTransition } from './transitions.js';
import type { Footprint } from './footprint.js';
import { runScenario, formatRet } from './run.js';
import type { RunResult, RunViolation } from './run.js';
import type { Scenario } from '../scenario/schema.js';
import type { AlphabetEntry, CheckSection } from '../scenario/check-section.js';
import { checkInvariantNames, DEADLOCK_INVARIANT } from '../scenario/check-section.js';
import { prepareAction, ActionError } from '../scenario/action.js';
import { INVARIANTS } from './invariants/index.js';

/** Bounds of an exploration; unset fields come from the scenario's `check:`. */
export interface Bounds {
  readonly maxActions: number;
  readonly preemptions: number;
  readonly maxStates?: number;
}

export interface ScenarioCheckOptions {
  readonly design: Design;
  /** Arch profile; the scenario's own when absent. */
  readonly arch?: string;
  readonly maxActions?: number;
  readonly preemptions?: number;
  readonly maxStates?: number;
  /** Invariant names to check (default: the scenario's `check.invariants`, else all). */
  readonly invariants?: readonly string[];
  /**
   * Defects switched on (names stored in the kernel state) before the setup
   * runs; default: the scenario's `defects:`.
   */
  readonly defects?: readonly string[];
}

/** The setup did not do what its steps expect: the exploration cannot start. */
export class SetupError extends Error {
  override name = 'SetupError';
}

export interface ScenarioModel {
  readonly model: CheckModel;
  readonly arch: string;
  readonly bounds: Bounds;
  /** Invariant names checked (the catalogue's order, no-deadlock last). */
  readonly invariants: readonly string[];
  readonly setup: RunResult;
  /** Invariants the setup already broke (found at depth 0). */
  readonly setupViolations: readonly RunViolation[];
  /** Apply a transition with the user-space effects (the same function the model uses). */
  readonly apply: (s: KernelState, t: Transition, fp?: Footprint) => { readonly state: KernelState; readonly events: readonly TraceEvent[] };
  /** The alphabet entry a thread's transition names. */
  entryOf(thread: string, entry: number): AlphabetEntry | undefined;
}

const AS_PREFIX = '@as:';

/** Variables the model keeps for itself (pending `as:` bindings) and reports hide. */
export function isInternalVar(name: string): boolean {
  return name.startsWith('@');
}

/** The op an action's outermost frame runs. */
function opOfFrame(f: Frame): ActionName {
  if (f.fn === ACTION_PATHS.load) return f.locals['write'] === true ? 'store' : 'load';
  const hit = (Object.keys(ACTION_PATHS) as ActionName[]).find((op) => ACTION_PATHS[op] === f.fn);
  return hit ?? (f.fn as ActionName);
}

/** Build the model of a scenario with a `check:` section. */
export function scenarioModel(sc: Scenario, opts: ScenarioCheckOptions): ScenarioModel {
  const section: CheckSection | undefined = sc.check;
  if (section === undefined) throw new SetupError(`scenario ${sc.name} has no check: section to explore`);
  const design = opts.design;
  const arch = opts.arch ?? sc.world.arch;
  const names = opts.invariants ?? section.invariants ?? checkInvariantNames();
  const invariants = INVARIANTS.filter((i) => names.includes(i.name));
  const checked = [...invariants.map((i) => i.name), ...(names.includes(DEADLOCK_INVARIANT) ? [DEADLOCK_INVARIANT] : [])];
  const setupScenario = section.setup === undefined ? sc : { ...sc, steps: sc.steps.slice(0, section.setup) };
  const setup = runScenario(setupScenario, { design, arch, invariants, defects: opts.defects ?? sc.defects ?? [] });
  const stepFailures = setup.steps.flatMap((st) => st.failures.map((f) => `steps[${st.index}] (${st.thread}: ${st.op}): ${f}`));
  // An expect that fails because the design broke an invariant during the setup is a finding (reported
  // as a violation with an empty schedule), not a broken scenario: the expects describe the safe path.
  if (stepFailures.length > 0 && setup.violations.length === 0) {
    throw new SetupError(`the setup steps do not meet their expects: ${stepFailures[0]}`);
  }
  if (setup.steps.length < setupScenario.steps.length) throw new SetupError('the setup steps stopped early (deadlock or step limit)');
  const initial = setup.steps.length > 0 ? setup.steps[setup.steps.length - 1]!.state : setup.initial;

  const devices = Object.fromEntries(sc.world.devices.map((d) => [d.name, d.bdf]));
  const alphabet = section.alphabet as Readonly<Record<string, readonly AlphabetEntry[]>>;
  const cache = new WeakMap<object, Map<string, readonly AlphabetItem[]>>();

  const alphabetOf = (s: KernelState, tid: number): readonly AlphabetItem[] => {
    const task = s.tasks[tid];
    const entries = task ? alphabet[task.name] : undefined;
    if (task === undefined || entries === undefined) return [];
    const vars = s.processes[task.pid]?.vars ?? {};
    let byName = cache.get(vars);
    if (byName === undefined) cache.set(vars, (byName = new Map()));
    let items = byName.get(task.name);
    if (items === undefined) {
      const out: AlphabetItem[] = [];
      entries.forEach((e, entry) => {
        try {
          out.push({ action: prepareAction(e.action, vars, devices).action, entry });
        } catch (err) {
          // An entry whose variables are not bound yet (e.g. munmap of an `as:` not returned) is not offered.
          if (!(err instanceof ActionError)) throw err;
        }
      });
      byName.set(task.name, (items = out));
    }
    return items;
  };

  const apply = (s: KernelState, t: Transition, fp?: Footprint): { state: KernelState; events: readonly TraceEvent[] } => {
    const before = s.tasks[t.tid];
    // Enabledness and the user-space part read the task and its process (its variables).
    if (fp && before) {
      fp.readRow('tasks', t.tid);
      fp.readRow('processes', before.pid);
    }
    const entry = t.action && t.entry !== undefined && before ? alphabet[before.name]?.[t.entry] : undefined;
    const wasIn = t.action !== undefined || (before !== undefined && before.frames.length > 0);
    // The user-space part runs on the step's own draft: each row is copied and fingerprinted once.
    return applyTransition(s, design, t, fp, (k) => {
      const events = k.events;
      if (t.action && entry && before) {
        // The syscall line with the arguments as `barmap run` prints them.
        const vars = s.processes[before.pid]?.vars ?? {};
        const i = events.findIndex((e) => e.kind === 'syscall');
        try {
          if (i >= 0) events[i] = { ...events[i]!, args: prepareAction(entry.action, vars, devices).args };
        } catch {
          // keep the raw arguments
        }
      }
      const after = k.find('tasks', t.tid);
      if (!after || after.dead || !wasIn) return;
      const proc = k.get('processes', after.pid);
      const key = (name: string): string => `${AS_PREFIX}${t.tid}:${name}`;
      if (after.frames.length > 0) {
        if (entry?.as !== undefined) k.mut('processes', after.pid).vars = { ...proc.vars, [key(entry.as)]: 0 };
        return;
      }
      // Back in user space: the return line, the `as:` binding, the signals taken.
      const op = t.action?.op ?? (before?.frames[0] ? opOfFrame(before.frames[0]) : 'syscall');
      const ret = typeof after.lastRet === 'number' ? after.lastRet : 0;
      k.emit({ tid: t.tid, kind: 'return', fn: op, args: { ret: formatRet(op, ret) } });
      const pending = Object.keys(proc.vars).find((v) => v.startsWith(`${AS_PREFIX}${t.tid}:`));
      const name = entry?.as ?? (pending !== undefined ? pending.slice(key('').length) : undefined);
      if (name !== undefined && !proc.exited) {
        const vars: Record<string, number> = { ...proc.vars, [name]: ret };
        if (pending !== undefined) delete vars[pending];
        k.mut('processes', after.pid).vars = vars;
      }
      const signals = after.pending;
      if (signals.length > 0) {
        // `after` may be this draft's own copy of the row, which mut() returns: keep the signals first.
        k.mut('tasks', t.tid).pending = [];
        for (const sig of signals) k.emit({ tid: t.tid, kind: 'signal', fn: 'deliver', args: { sig, to: `${after.name}-${t.tid}` } });
      }
    });
  };

  const bounds: Bounds = {
    maxActions: opts.maxActions ?? section.maxActions,
    preemptions: opts.preemptions ?? section.preemptions,
    ...(opts.maxStates ?? section.maxStates) !== undefined ? { maxStates: (opts.maxStates ?? section.maxStates)! } : {},
  };
  const model: CheckModel = {
    initial, design, alphabet: alphabetOf, apply,
    maxActions: bounds.maxActions, preemptionBound: bounds.preemptions, invariants,
    ...(bounds.maxStates !== undefined ? { maxStates: bounds.maxStates } : {}),
  };
  const setupViolations = setup.violations.filter((v) => checked.includes(v.invariant));
  return {
    model, arch, bounds, invariants: checked, setup, setupViolations, apply,
    entryOf: (thread, entry) => alphabet[thread]?.[entry],
  };
}
