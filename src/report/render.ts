/**
 * Rendering a run step by step, as text or JSON lines: what `barmap run`
 * prints. Streaming: the CLI prints each step as the runner finishes it.
 */
import type { KernelState } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { RunProgress, RunResult, StepRecord } from '../check/run.js';
import { dumpState } from './state.js';
import { TextTrace, formatState } from './text.js';
import { jsonEvent, jsonRecord, jsonState } from './json.js';

export interface RenderOptions {
  readonly json: boolean;
  /** Dump the state after every step. */
  readonly state: boolean;
  /** Largest step index (to align the text columns). */
  readonly lastStep?: number;
}

function taskName(s: KernelState, fallback: KernelState, tid: number): string {
  return s.tasks[tid]?.name ?? fallback.tasks[tid]?.name ?? '';
}

export class TraceRenderer {
  private readonly text: TextTrace;
  private initial: KernelState | undefined;

  constructor(private readonly opts: RenderOptions) {
    this.text = new TextTrace({ lastStep: opts.lastStep ?? 9 });
  }

  /** Header lines: scenario, arch, design, setup events, initial state. */
  header(p: RunProgress, description: string): string[] {
    this.initial = p.initial;
    const out: string[] = [];
    if (this.opts.json) out.push(jsonRecord('run', { scenario: p.scenario, description, arch: p.arch, design: p.design }));
    else out.push(`# barmap run ${p.scenario}  arch=${p.arch}  design=${p.design}`, `# ${description}`);
    out.push(...this.events(p.setupEvents, p.initial, 'setup'));
    if (this.opts.state) out.push(...this.dump(p.initial, 'setup'));
    return out;
  }

  step(r: StepRecord): string[] {
    const out = this.events(r.events, r.state, r.index);
    if (this.opts.state) out.push(...this.dump(r.state, r.index));
    return out;
  }

  summary(r: RunResult): string[] {
    const ok = r.failures.length === 0;
    if (this.opts.json) {
      return [jsonRecord('summary', { ok, steps: r.steps.length, modelSteps: r.modelSteps, failures: r.failures })];
    }
    const head = `# ${r.steps.length} steps, ${r.modelSteps} model steps: ` + (ok ? 'every expect met' : `${r.failures.length} failure(s)`);
    return [head, ...r.failures.map((f) => `# FAIL ${f}`)];
  }

  private events(evs: readonly TraceEvent[], s: KernelState, step: number | string): string[] {
    const init = this.initial ?? s;
    return evs.map((e) => {
      const name = taskName(s, init, e.tid);
      return this.opts.json ? jsonEvent(e, name, step) : this.text.event(e, name, step);
    });
  }

  private dump(s: KernelState, step: number | string): string[] {
    const d = dumpState(s);
    return this.opts.json ? [jsonState(d, step)] : formatState(d, step);
  }
}
