/**
 * HTML reports: one self-contained file per `barmap check`, `barmap run`,
 * `barmap replay` or `barmap report`. The states along a violation are not
 * stored in results: they are regenerated here by replaying each trace's
 * schedule (src/check/replay.ts).
 */
import type { Cell } from '../../check/results.js';
import type { JobResult } from '../../check/job.js';
import type { TraceFile } from '../../check/trace-file.js';
import type { RunResult } from '../../check/run.js';
import { replayTrace } from '../../check/replay.js';
import { INVARIANTS } from '../../check/invariants/index.js';
import { DEADLOCK } from '../../check/bfs.js';
import { ReportBuilder } from './data.js';
import type { ReportData } from './data.js';
import { renderPage } from './page.js';
import type { UnrunJob } from '../verdict.js';

export { renderPage } from './page.js';
export { ReportBuilder, traceId } from './data.js';
export type { ReportData, TraceView, StepView, EventView, LaneView } from './data.js';
export { snapshot } from './snapshot.js';

function rules(): { [name: string]: string } {
  return Object.fromEntries([...INVARIANTS, DEADLOCK].map((i) => [i.name, i.rule]));
}

export interface CheckReportInput {
  readonly title?: string;
  readonly subtitle: string;
  readonly cells: readonly Cell[];
  readonly jobs: readonly JobResult[];
  /** The trace of each violation and the file it was written to (shown for `barmap replay`). */
  readonly traces: readonly { readonly tf: TraceFile; readonly file?: string }[];
  /** Link to docs/invariants.md, relative to where the report is written. */
  readonly docs: string;
  /** Jobs that produced no result (interrupted or failed): named in the verdict, never "holds". */
  readonly unrun?: readonly UnrunJob[];
  /** What a design breaking nothing else gets (random walks: "not found in N walks of depth D"). */
  readonly holdsWord?: string;
}

/** The data of a check report; a trace that no longer replays is skipped and named in `skipped`. */
export function checkReportData(input: CheckReportInput): { data: ReportData; skipped: string[] } {
  const b = new ReportBuilder();
  const skipped: string[] = [];
  for (const t of input.traces) {
    try {
      b.addReplay(t.tf, replayTrace(t.tf), t.file);
    } catch (e) {
      skipped.push(`${t.file ?? t.tf.scenario.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const data = b.finish({
    title: input.title ?? 'barmap check', kind: 'check', subtitle: input.subtitle, rules: rules(), docs: input.docs,
    cells: input.cells, jobs: input.jobs, ...(input.unrun ? { unrun: input.unrun } : {}),
    ...(input.holdsWord !== undefined ? { holdsWord: input.holdsWord } : {}),
  });
  return { data, skipped };
}

export function checkReportHtml(input: CheckReportInput): { html: string; skipped: string[] } {
  const { data, skipped } = checkReportData(input);
  return { html: renderPage(data), skipped };
}

/** The report of one `barmap run`. */
export function runReportHtml(r: RunResult, description: string, docs: string): string {
  const b = new ReportBuilder();
  b.addRun(r);
  return renderPage(b.finish({
    title: `barmap run ${r.scenario}`, kind: 'run',
    subtitle: `${description} — design ${r.design}, arch ${r.arch}; ${r.steps.length} steps, ${r.modelSteps} model steps; ` +
      (r.failures.length ? `${r.failures.length} failure(s): ${r.failures.join('; ')}` : 'every expect met'),
    rules: rules(), docs,
  }));
}

/** The report of one trace file (`barmap replay --html`). */
export function replayReportHtml(tf: TraceFile, file: string, docs: string): string {
  const b = new ReportBuilder();
  const r = replayTrace(tf);
  b.addReplay(tf, r, file);
  return renderPage(b.finish({
    title: `barmap replay: ${tf.invariant} in ${tf.scenario.name}`, kind: 'replay',
    subtitle: `${file}: ${r.steps.length} transitions after the setup; ${r.reproduced ? 'the violation breaks again at the last one' : 'the violation does NOT reproduce'}`,
    rules: rules(), docs,
  }));
}
