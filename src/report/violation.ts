/**
 * A violation as text, two-sided like a KCSAN report: the broken rule and
 * the message, each thread's path (the labels it ran, in schedule order) up
 * to the transition where the rule broke, what that transition changed in
 * the state, then the whole trace in the ftrace-like form of `barmap run`.
 */
import type { KernelState } from '../kernel/state.js';
import type { ReplayResult } from '../check/replay.js';
import type { TraceFile } from '../check/trace-file.js';
import { actionArgs } from '../check/transitions.js';
import { dumpState } from './state.js';
import { TextTrace, formatArgs, formatState } from './text.js';

const RULER = '='.repeat(78);

/** Lines of `before` and `after` that differ, as - and + lines. */
export function stateDiff(before: KernelState, after: KernelState): string[] {
  const a = formatState(dumpState(before), '').slice(1);
  const b = formatState(dumpState(after), '').slice(1);
  const inA = new Set(a);
  const inB = new Set(b);
  return [...a.filter((l) => !inB.has(l)).map((l) => `-${l}`), ...b.filter((l) => !inA.has(l)).map((l) => `+${l}`)];
}

/** The transition's name in a trace: t1, t2, ... */
export function tname(index: number): string {
  return `t${index + 1}`;
}

/** The report of one violation, given the trace file and its replay. */
export function violationLines(tf: TraceFile, r: ReplayResult, file?: string): string[] {
  const out: string[] = [RULER];
  out.push(`BUG: ${tf.invariant} in ${tf.scenario.name} (design ${tf.design}, arch ${tf.arch}${tf.defects.length ? `, defects ${tf.defects.join(',')}` : ''})`);
  if (tf.rule) out.push(`rule: ${tf.rule}`);
  out.push(`broken: ${r.message ?? tf.message}`);
  const setupSteps = r.model.setup.steps.length;
  if (tf.schedule.length === 0) {
    out.push('', `the setup (${setupSteps} steps) already breaks it; ${runCommandFor(tf)} shows where`);
  } else {
    out.push('');
    const threads = [...new Set(tf.schedule.map((s) => `${s.thread}-${s.tid}`))];
    for (const who of threads) {
      out.push(`${who}:`);
      tf.schedule.forEach((st, i) => {
        if (`${st.thread}-${st.tid}` !== who) return;
        const sys = r.steps[i]?.events.find((e) => e.kind === 'syscall');
        const args = sys ? sys.args : st.action ? actionArgs(st.action.resolved) : {};
        const what = st.action ? `${st.action.resolved.op}: ${formatArgs(args)}`.trimEnd() : st.at;
        out.push(`  ${tname(i).padEnd(4)} ${what}`);
      });
    }
    const lastIdx = r.steps.length - 1;
    const last = r.steps[lastIdx];
    if (last) {
      const before = lastIdx > 0 ? r.steps[lastIdx - 1]!.state : r.model.model.initial;
      out.push('', `what changed at ${tname(lastIdx)} (${last.thread}-${last.tid} ${last.at}):`);
      const text = new TextTrace({ lastStep: 9 });
      for (const e of last.events) out.push(text.event(e, last.state.tasks[e.tid]?.name ?? '', tname(lastIdx)));
      out.push(...stateDiff(before, last.state));
    }
    out.push('', `trace (after ${setupSteps} setup steps${file ? `; barmap replay ${file}` : ''}):`);
    out.push(...traceLines(r));
  }
  out.push(RULER);
  return out;
}

/** The schedule's events, ftrace-like, one line per event. */
export function traceLines(r: ReplayResult): string[] {
  const text = new TextTrace({ lastStep: 9 });
  const init = r.model.model.initial;
  return r.steps.flatMap((st) => st.events.map((e) => {
    const name = st.state.tasks[e.tid]?.name ?? init.tasks[e.tid]?.name ?? '';
    return text.event(e, name, tname(st.index));
  }));
}

/** The `barmap run` command line that replays a trace's setup as it ran: scenario, design, arch and defects. */
export function runCommandFor(tf: TraceFile): string {
  return `barmap run ${tf.scenario.file} --design ${tf.design} --arch ${tf.arch}` +
    (tf.defects.length ? tf.defects.map((d) => ` --defect ${d}`).join('') : ' --no-defects');
}
