/**
 * Replaying a trace file: rebuild the world from the embedded scenario, run
 * its steps as the setup, then apply the schedule transition by transition,
 * checking every invariant after each. The trace reproduces when the
 * recorded invariant breaks at the last transition (or, for an empty
 * schedule, during the setup).
 */
import { findDefect } from '../designs/defects.js';
import { Kernel } from '../kernel/kernel.js';
import type { KernelState } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import { isRunnable, taskLabel } from '../kernel/sched/step.js';
import { findDesign } from '../designs/index.js';
import { findArchProfile } from '../arch/profiles.js';
import { parseSource, validateScenario } from '../scenario/load.js';
import { writtenEntry } from './job.js';
import { fingerprint, fingerprintHex } from './fingerprint.js';
import { checkInvariantNames } from '../scenario/check-section.js';
import { INVARIANTS } from './invariants/index.js';
import type { Invariant } from './invariants/index.js';
import { DEADLOCK } from './bfs.js';
import { scenarioModel } from './model.js';
import type { ScenarioModel } from './model.js';
import type { Transition } from './transitions.js';
import type { TraceFile } from './trace-file.js';
import { TraceFileError } from './trace-file.js';

export interface ReplayStep {
  /** Index in the schedule. */
  readonly index: number;
  readonly thread: string;
  readonly tid: number;
  /** `fn:label` the thread ran, or `user` for an action start. */
  readonly at: string;
  readonly events: readonly TraceEvent[];
  readonly state: KernelState;
  /** Invariants broken in the state after this transition. */
  readonly broken: readonly { readonly invariant: string; readonly message: string }[];
}

export interface ReplayResult {
  readonly model: ScenarioModel;
  readonly steps: readonly ReplayStep[];
  /** The recorded invariant broke again at the last transition. */
  readonly reproduced: boolean;
  /** Its message there, when it did. */
  readonly message?: string;
}

/** Replay a parsed trace file; `onStep` sees each transition as it is applied. */
export function replayTrace(tf: TraceFile, onStep?: (st: ReplayStep, m: ScenarioModel) => void): ReplayResult {
  const design = findDesign(tf.design);
  if (!design) throw new TraceFileError(`design '${tf.design}' is not built into this barmap`);
  if (!findArchProfile(tf.arch)) throw new TraceFileError(`arch profile '${tf.arch}' is not built into this barmap`);
  const unknown = tf.defects.find((d) => !findDefect(d));
  if (unknown !== undefined) throw new TraceFileError(`defect '${unknown}' is not in this barmap's catalogue (barmap list)`);
  const { value: raw, source } = parseSource(tf.scenario.source, `${tf.scenario.file} (embedded)`);
  const sc = validateScenario(raw, source);
  const m = scenarioModel(sc, {
    design, arch: tf.arch, maxActions: tf.bounds.maxActions, preemptions: tf.bounds.preemptions,
    invariants: checkInvariantNames(), defects: tf.defects,
  });
  const invariants: Invariant[] = [...INVARIANTS, DEADLOCK];
  const recorded = invariants.find((i) => i.name === tf.invariant);
  if (!recorded) throw new TraceFileError(`invariant '${tf.invariant}' is not in this barmap's catalogue`);

  if (tf.schedule.length === 0) {
    const v = m.setupViolations.find((x) => x.invariant === tf.invariant);
    return { model: m, steps: [], reproduced: v !== undefined, ...(v ? { message: v.message } : {}) };
  }
  let s = m.model.initial;
  const steps: ReplayStep[] = [];
  let last: { invariant: string; message: string } | undefined;
  tf.schedule.forEach((st, index) => {
    const at = `schedule[${index}]`;
    const task = s.tasks[st.tid];
    if (task === undefined) throw new TraceFileError(`${at}: no task ${st.tid} at this point of the replay`);
    if (task.name !== st.thread) throw new TraceFileError(`${at}: task ${st.tid} is ${task.name}, not ${st.thread}`);
    if (task.dead) throw new TraceFileError(`${at}: thread ${st.thread} has exited`);
    if (st.action && task.frames.length > 0) throw new TraceFileError(`${at}: thread ${st.thread} is inside the kernel; it cannot start ${st.action.resolved.op}`);
    if (!st.action && !isRunnable(s, st.tid)) {
      throw new TraceFileError(`${at}: thread ${st.thread} cannot run here (${task.frames.length === 0 ? 'it is in user space' : 'it waits for a lock'})`);
    }
    const label = taskLabel(task);
    if (!st.action && st.at !== label) throw new TraceFileError(`${at}: thread ${st.thread} is at ${label} here, not ${st.at} as recorded; the trace was edited or is stale`);
    if (st.action && st.at !== 'user') throw new TraceFileError(`${at}: an action start is recorded at 'user', not '${st.at}'; the trace was edited`);
    if (st.action?.entry !== undefined) {
      const entry = writtenEntry(raw, st.thread, st.action.entry);
      if (entry === undefined) throw new TraceFileError(`${at}: thread ${st.thread} has no alphabet entry ${st.action.entry} in the embedded scenario; the trace was edited or is stale`);
      if (st.action.written !== undefined && JSON.stringify(entry) !== JSON.stringify(st.action.written)) {
        throw new TraceFileError(`${at}: alphabet entry ${st.action.entry} of ${st.thread} is ${JSON.stringify(entry)} in the embedded scenario, not ${JSON.stringify(st.action.written)} as recorded; the trace was edited`);
      }
    }
    const t: Transition = st.action
      ? { tid: st.tid, action: st.action.resolved, ...(st.action.entry !== undefined ? { entry: st.action.entry } : {}) }
      : { tid: st.tid };
    let r;
    try {
      r = m.apply(s, t);
    } catch (e) {
      throw new TraceFileError(`${at}: the model refused this transition: ${e instanceof Error ? e.message : String(e)}`);
    }
    s = r.state;
    if (st.fp !== undefined) {
      const fp = fingerprintHex(fingerprint(s));
      if (fp !== st.fp) {
        throw new TraceFileError(`${at}: the state after ${st.thread}'s transition (${st.action ? st.action.resolved.op : st.at}) has fingerprint ${fp}, not ${st.fp} as recorded; the trace diverges here (edited, or written by another barmap or design)`);
      }
    }
    const k = new Kernel(s, design);
    const broken = invariants.flatMap((inv) => {
      const v = inv.check({ state: s, events: r.events, k });
      return v ? [{ invariant: v.invariant, message: v.message }] : [];
    });
    last = broken.find((b) => b.invariant === tf.invariant);
    const rec: ReplayStep = { index, thread: st.thread, tid: st.tid, at: st.action ? 'user' : label, events: r.events, state: s, broken };
    steps.push(rec);
    onStep?.(rec, m);
  });
  return { model: m, steps, reproduced: last !== undefined, ...(last ? { message: last.message } : {}) };
}
