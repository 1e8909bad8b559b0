/**
 * Fuzz harness: runs command lines on a {@link ./cli-worker.ts} thread with
 * a time limit (a case still running then is a hang: the thread is killed
 * and a fresh one started) and a heap limit, and samples the process's
 * resident memory so a campaign can say no case went over its budget.
 */
import { Worker } from 'node:worker_threads';
import type { CliReply, CliRequest } from './cli-worker.js';

export type Outcome =
  | { readonly kind: 'exit'; readonly reply: CliReply }
  | { readonly kind: 'hang'; readonly ms: number }
  | { readonly kind: 'oom'; readonly message: string };

export interface PoolOptions {
  /** A case running longer is a hang (ms). */
  readonly timeoutMs: number;
  /** Heap of the worker thread (MiB); over it, the case is out of memory. */
  readonly heapMb: number;
  /** Start a fresh thread after this many cases (caches in the model grow). */
  readonly recycleAfter: number;
}

export class CliPool {
  private worker: Worker | undefined;
  private cases = 0;
  private nextId = 1;
  /** Largest resident set seen (bytes), sampled while cases run. */
  peakRss = 0;
  private readonly sampler: NodeJS.Timeout;

  constructor(private readonly o: PoolOptions) {
    this.sampler = setInterval(() => { this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss()); }, 50);
    this.sampler.unref();
  }

  private fresh(): Worker {
    const w = new Worker(new URL('./cli-worker.js', import.meta.url), {
      stdout: true, stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb },
    });
    w.unref();
    return w;
  }

  /** Run one command line; `timeoutMs` overrides the pool's limit (for fixtures). */
  async run(argv: readonly string[], timeoutMs = this.o.timeoutMs): Promise<Outcome> {
    if (this.worker === undefined || this.cases >= this.o.recycleAfter) {
      await this.worker?.terminate();
      this.worker = this.fresh();
      this.cases = 0;
    }
    this.cases++;
    const w = this.worker;
    const id = this.nextId++;
    const t0 = performance.now();
    return new Promise<Outcome>((resolve) => {
      const done = (o: Outcome): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
        resolve(o);
      };
      const kill = (): void => {
        this.worker = undefined;
        void w.terminate();
      };
      const onMessage = (m: CliReply): void => { if (m.id === id) done({ kind: 'exit', reply: m }); };
      const onError = (e: Error & { code?: string }): void => {
        kill();
        done(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { kind: 'oom', message: e.message } : { kind: 'exit', reply: { id, status: -1, stderr: '', stdoutBytes: 0, ms: performance.now() - t0, threw: e.stack ?? e.message } });
      };
      const onExit = (code: number): void => {
        this.worker = undefined;
        done({ kind: 'exit', reply: { id, status: -1, stderr: '', stdoutBytes: 0, ms: performance.now() - t0, threw: `the worker exited (${code})` } });
      };
      const timer = setTimeout(() => { kill(); done({ kind: 'hang', ms: performance.now() - t0 }); }, timeoutMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ id, argv } satisfies CliRequest);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sampler);
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
