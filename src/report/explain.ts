/**
 * `barmap explain`: a short account of why an invariant broke, the way a
 * kernel developer writes a race in a commit message — what the setup left
 * behind, then the transitions that matter as a CPU-column diagram (one
 * column per thread, time going down), then the broken rule with both sides
 * of the comparison it makes and what the last transition changed.
 *
 * "Matters" is decided from the replay: a transition that starts a syscall,
 * or emits anything but lock traffic, or changes the state beyond the
 * thread's own position and the locks. Lock-only steps (taking memory_lock,
 * say) are counted but not drawn.
 *
 * Pure: built from a trace file and its replay, no Node.
 */
import type { TraceEvent } from '../kernel/events.js';
import type { ReplayResult } from '../check/replay.js';
import type { TraceFile } from '../check/trace-file.js';
import { formatArgs } from './text.js';
import { runCommandFor, stateDiff, tname } from './violation.js';

/** Characters per thread column in the diagram. */
const COLUMN = 44;
/** An event line is cut to this many characters (the full trace is `barmap replay`'s). */
const EVENT_WIDTH = 76;

function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** An event as `fn(args) -> ret`. */
function call(e: TraceEvent): string {
  const text = formatArgs(e.args);
  const arrow = text.lastIndexOf('-> ');
  const args = arrow >= 0 ? text.slice(0, arrow).trimEnd() : text;
  const ret = arrow >= 0 ? ` ${text.slice(arrow)}` : '';
  return `${e.fn}(${args})${ret}`;
}

/** Is a state-diff line about more than a thread's position or a lock? */
function substantive(line: string): boolean {
  const l = line.slice(1).trim();
  return !/^process \S+ \(pid \d+\)/.test(l) && !l.startsWith('lock ');
}

/** The events worth drawing: no lock traffic, no violation markers (the rule is printed below). */
function drawn(evs: readonly TraceEvent[]): TraceEvent[] {
  return evs.filter((e) => e.kind !== 'lock' && e.kind !== 'violation');
}

/** The setup as one line per scenario step: `A: open(...) -> 0`. */
function setupLines(r: ReplayResult): string[] {
  return r.model.setup.steps.map((st) => {
    const sys = st.events.find((e) => e.kind === 'syscall' && e.tid === st.tid);
    const ret = st.events.filter((e) => e.kind === 'return' && e.tid === st.tid).pop();
    const what = sys ? `${sys.fn}(${formatArgs(sys.args)})` : st.op;
    const got = ret ? ` -> ${String(ret.args['ret'] ?? ret.args['result'] ?? '')}` : st.ret !== undefined ? ` -> ${st.ret}` : '';
    return `  ${st.thread}: ${what}${got}`;
  });
}

export interface Explanation {
  readonly lines: readonly string[];
  /** Transitions drawn in the diagram, of the schedule's. */
  readonly drawn: number;
  readonly total: number;
}

/** The account of one trace; `file` is how to name the trace in the replay hint. */
export function explainTrace(tf: TraceFile, r: ReplayResult, file?: string): Explanation {
  const out: string[] = [];
  const where = `${tf.scenario.name} (design ${tf.design}, arch ${tf.arch}${tf.defects.length ? `, defects ${tf.defects.join(',')}` : ''})`;
  const n = tf.schedule.length;
  out.push(`${tf.invariant} breaks in ${where} ${n === 0 ? 'during the setup' : `after ${n} transition${n === 1 ? '' : 's'}`}.`);
  out.push('');
  out.push(`Setup (${r.model.setup.steps.length} scenario steps, run before the search):`);
  out.push(...setupLines(r));
  let shown = 0;
  if (n > 0) {
    const threads = [...new Set(tf.schedule.map((s) => `${s.thread}-${s.tid}`))];
    out.push('');
    out.push('Then, time going down (lock-only steps left out):');
    out.push('');
    out.push('  ' + threads.map((t, i) => (i === threads.length - 1 ? `CPU ${t}` : `CPU ${t}`.padEnd(COLUMN))).join(''));
    let prev = r.model.model.initial;
    r.steps.forEach((st, i) => {
      const evs = drawn(st.events);
      const diff = stateDiff(prev, st.state).filter(substantive);
      prev = st.state;
      if (tf.schedule[i]?.action === undefined && evs.length === 0 && diff.length === 0) return;
      shown++;
      const indent = ' '.repeat(2 + threads.indexOf(`${st.thread}-${st.tid}`) * COLUMN);
      const head = `${tname(i)} `;
      const body = evs.length ? evs.map(call) : [st.at];
      body.forEach((b, j) => out.push(`${indent}${j === 0 ? head : ' '.repeat(head.length)}${cut(b, EVENT_WIDTH)}`));
    });
  }
  out.push('');
  out.push(`What breaks: ${r.message ?? tf.message}`);
  if (tf.rule) out.push(`The rule (${tf.invariant}): ${tf.rule}`);
  const lastIdx = r.steps.length - 1;
  if (lastIdx >= 0) {
    const before = lastIdx > 0 ? r.steps[lastIdx - 1]!.state : r.model.model.initial;
    const diff = stateDiff(before, r.steps[lastIdx]!.state).filter(substantive);
    if (diff.length) {
      out.push(`What ${tname(lastIdx)} changed in the state:`);
      out.push(...diff.slice(0, 12).map((l) => `  ${l}`));
      if (diff.length > 12) out.push(`  ... ${diff.length - 12} more line(s)`);
    }
  }
  out.push('');
  out.push(`Full trace: barmap replay ${file ?? 'TRACE.json'}${n === 0 ? ` (or ${runCommandFor(tf)})` : ''}`);
  if (!r.reproduced) out.push('NOTE: the recorded violation does not break again when replayed with this barmap.');
  return { lines: out, drawn: shown, total: n };
}
