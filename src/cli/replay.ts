/**
 * `barmap replay FILE [--state] [--json]`: rebuild the world of a trace file,
 * run its setup, apply its schedule transition by transition printing every
 * event, and check every invariant after each. Exit 1 when the recorded
 * invariant breaks again at the last transition, 0 when it does not.
 */
import { parseTraceFile, TraceFileError } from '../check/trace-file.js';
import { replayTrace } from '../check/replay.js';
import { SetupError } from '../check/model.js';
import { ScenarioError } from '../scenario/load.js';
import { TextTrace, formatState } from '../report/text.js';
import { jsonEvent, jsonRecord, jsonState } from '../report/json.js';
import { dumpState } from '../report/state.js';
import { tname } from '../report/violation.js';
import { EXIT, UsageError } from './errors.js';
import { FILE_LIMITS, readTextFile } from './inputs.js';
import { docsLink, emitHtml } from './report.js';
import { replayReportHtml } from '../report/html/index.js';

export interface ReplayFlags {
  readonly state?: boolean;
  readonly json?: boolean;
  /** Write an HTML trace viewer to this file ('-': stdout). */
  readonly html?: string;
}

export function replayCommand(file: string, flags: ReplayFlags, out: (line: string) => void): number {
  const text = readTextFile(file, 'trace file', FILE_LIMITS.trace);
  const json = flags.json ?? false;
  const trace = new TextTrace({ lastStep: 99 });
  try {
    const tf = parseTraceFile(text, file);
    if (json) out(jsonRecord('run', { replay: file, scenario: tf.scenario.name, design: tf.design, arch: tf.arch, defects: tf.defects, invariant: tf.invariant }));
    else {
      out(`# barmap replay ${file}: ${tf.scenario.name}  arch=${tf.arch}  design=${tf.design}${tf.defects.length ? `  defects=${tf.defects.join(',')}` : ''}`);
      out(`# expects ${tf.invariant} to break at the last of ${tf.schedule.length} transitions`);
    }
    let headerDone = false;
    const seen = new Set<string>();
    const r = replayTrace(tf, (st, m) => {
      if (!headerDone) {
        headerDone = true;
        const init = m.setup.initial;
        for (const rec of m.setup.steps) {
          for (const e of rec.events) {
            const name = rec.state.tasks[e.tid]?.name ?? init.tasks[e.tid]?.name ?? '';
            out(json ? jsonEvent(e, name, `setup ${rec.index}`) : trace.event(e, name, `setup ${rec.index}`));
          }
        }
        if (flags.state) stateLines(m.model.initial, 'setup').forEach(out);
      }
      const label = tname(st.index);
      for (const e of st.events) {
        const name = st.state.tasks[e.tid]?.name ?? '';
        out(json ? jsonEvent(e, name, label) : trace.event(e, name, label));
      }
      for (const b of st.broken) {
        if (seen.has(b.invariant) && b.invariant !== tf.invariant) continue;
        seen.add(b.invariant);
        const ev = { tid: st.tid, kind: 'violation' as const, fn: `BUG: ${b.invariant}`, args: { report: b.message } };
        out(json ? jsonEvent(ev, st.thread, label) : trace.event(ev, st.thread, label));
      }
      if (flags.state) stateLines(st.state, label).forEach(out);
    });
    const msg = r.reproduced
      ? `${tf.invariant} breaks again at the last transition: ${r.message ?? ''}`
      : `${tf.invariant} does not break at the last transition: the trace does not reproduce`;
    if (json) out(jsonRecord('summary', { reproduced: r.reproduced, invariant: tf.invariant, message: r.message ?? null, transitions: r.steps.length }));
    else out(`# ${msg}`);
    if (flags.html !== undefined) emitHtml(flags.html, replayReportHtml(tf, file, docsLink(flags.html === '-' ? undefined : flags.html)));
    return r.reproduced ? EXIT.failed : EXIT.ok;

    function stateLines(s: Parameters<typeof dumpState>[0], step: string): string[] {
      const d = dumpState(s);
      return json ? [jsonState(d, step)] : formatState(d, step);
    }
  } catch (e) {
    if (e instanceof TraceFileError) throw new UsageError(e.message.startsWith(file) ? e.message : `${file}: ${e.message}`);
    if (e instanceof ScenarioError) throw new UsageError(`${file}: the embedded scenario does not load: ${e.message}`);
    if (e instanceof SetupError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}
