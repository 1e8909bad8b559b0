/**
 * A pool worker that runs whole check jobs, so the main thread stays free to
 * draw progress and to catch Ctrl-C: each search is synchronous, and the
 * main thread asks it to stop through a shared flag that the search's
 * progress callback reads. Workers of a pool take jobs by bumping a shared
 * counter, so a thread that finishes early takes the next job.
 *
 * In:  { jobs: JobSpec[], stop: SharedArrayBuffer (Int32 flag, 1 = stop),
 *        next?: SharedArrayBuffer (Int32: index of the next job to take) }
 * Out: { type: 'progress', index, progress } now and then,
 *      { type: 'result', index, result } or { type: 'error', index, message, setup } per job,
 *      { type: 'done' }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob } from './job.js';
import { preloadDesigns } from './design-file.js';
import type { JobSpec, Progress } from './job.js';
import { SetupError } from './model.js';

export interface WorkerInput {
  readonly jobs: readonly JobSpec[];
  readonly stop: SharedArrayBuffer;
  readonly next?: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly index: number; readonly progress: Progress }
  | { readonly type: 'result'; readonly index: number; readonly result: ReturnType<typeof runJob> }
  | { readonly type: 'error'; readonly index: number; readonly message: string; readonly setup: boolean }
  | { readonly type: 'done' };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const input = workerData as WorkerInput;
  // design files are loaded once per worker, before the synchronous searches
  let loadError: string | undefined;
  try {
    await preloadDesigns(input.jobs.map((j) => j.design));
  } catch (e) {
    loadError = e instanceof Error ? e.message : String(e);
  }
  const stop = new Int32Array(input.stop);
  const next = new Int32Array(input.next ?? new SharedArrayBuffer(4));
  const post = (m: WorkerMessage): void => port.postMessage(m);
  let last = 0;
  for (;;) {
    const index = Atomics.add(next, 0, 1);
    if (index >= input.jobs.length || Atomics.load(stop, 0) !== 0) break;
    const spec = input.jobs[index]!;
    if (loadError !== undefined) {
      post({ type: 'error', index, message: loadError, setup: false });
      continue;
    }
    try {
      const result = runJob(spec, (progress) => {
        const now = Date.now();
        if (now - last >= 100) {
          last = now;
          post({ type: 'progress', index, progress });
        }
        return Atomics.load(stop, 0) === 0;
      });
      post({ type: 'result', index, result });
    } catch (e) {
      post({ type: 'error', index, message: e instanceof Error ? e.message : String(e), setup: e instanceof SetupError });
    }
  }
  post({ type: 'done' });
}

void main();
