/**
 * C reproducers: a trace (or a scenario's scripted run) as a C program that
 * drives a real kernel through the vfio uapi and checks that it does what
 * the model predicts. See docs/reports.md.
 */
import type { TraceFile } from '../../check/trace-file.js';
import { replayTrace } from '../../check/replay.js';
import type { RunResult } from '../../check/run.js';
import { loadScenario } from '../../scenario/load.js';
import type { Scenario } from '../../scenario/schema.js';
import { planRun, planTrace } from './plan.js';
import { emitC } from './emit.js';
import type { ReproOptions } from './emit.js';

export type { ReproOptions } from './emit.js';
export type { ReproPlan, ReproAction } from './plan.js';
export { planRun, planTrace } from './plan.js';

/** The reproducer of a trace file (replayed to learn what each call returns). */
export function reproFromTrace(tf: TraceFile, opts: ReproOptions): string {
  const sc = loadScenario(tf.scenario.source, `${tf.scenario.file} (embedded)`);
  return emitC(planTrace(tf, replayTrace(tf), sc), opts);
}

/** The reproducer of a scenario's steps as `barmap run` ran them. */
export function reproFromRun(sc: Scenario, run: RunResult, opts: ReproOptions): string {
  return emitC(planRun(sc, run), opts);
}
