/**
 * The progress line `barmap check` draws on a TTY (stderr), a few times a
 * second: job, states, depth, states/s, queue, elapsed and, when a maxStates
 * bound is known, an ETA.
 */
import type { Progress } from '../check/job.js';

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class ProgressLine {
  private latest: { progress: Progress; job: number; since: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly start = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly jobs: number,
    private readonly maxStates: number | undefined,
  ) {}

  begin(): void {
    this.timer = setInterval(() => this.draw(), 250);
  }

  update(job: number, progress: Progress): void {
    const since = this.latest?.job === job ? this.latest.since : Date.now();
    this.latest = { progress, job, since };
  }

  private draw(): void {
    const l = this.latest;
    if (!l) return;
    const p = l.progress;
    const jobMs = Math.max(1, Date.now() - l.since);
    const rate = Math.round((p.states / jobMs) * 1000);
    let line = `[${l.job + 1}/${this.jobs}] ${p.scenario} ${p.design}/${p.arch}  states ${p.states.toLocaleString('en')}` +
      `  depth ${p.depth}  ${rate.toLocaleString('en')} st/s  queue ${p.queue.toLocaleString('en')}  ${clock(Date.now() - this.start)}`;
    if (this.maxStates !== undefined && rate > 0) line += `  ETA ${clock(((this.maxStates - p.states) / rate) * 1000)}`;
    this.stream.write(`\r\x1b[K${line.slice(0, (this.stream.columns || 120) - 1)}`);
  }

  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.stream.write('\r\x1b[K');
  }
}
