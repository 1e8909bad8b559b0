/**
 * The worker thread that runs check jobs, so the main thread stays free to
 * draw progress and to catch Ctrl-C: the search itself is synchronous, and
 * the main thread asks it to stop through a shared flag that the search's
 * progress callback reads.
 *
 * In:  { jobs: JobSpec[], stop: SharedArrayBuffer (Int32 flag, 1 = stop) }
 * Out: { type: 'progress', index, progress } now and then,
 *      { type: 'result', index, result } or { type: 'error', index, message, setup } per job,
 *      { type: 'done' }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob } from './job.js';
import type { JobSpec, Progress } from './job.js';
import { SetupError } from './model.js';

export interface WorkerInput {
  readonly jobs: readonly JobSpec[];
  readonly stop: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly index: number; readonly progress: Progress }
  | { readonly type: 'result'; readonly index: number; readonly result: ReturnType<typeof runJob> }
  | { readonly type: 'error'; readonly index: number; readonly message: string; readonly setup: boolean }
  | { readonly type: 'done' };

function main(): void {
  const port = parentPort;
  if (!port) return;
  const input = workerData as WorkerInput;
  const stop = new Int32Array(input.stop);
  const post = (m: WorkerMessage): void => port.postMessage(m);
  let last = 0;
  input.jobs.forEach((spec, index) => {
    if (Atomics.load(stop, 0) !== 0) return;
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
  });
  post({ type: 'done' });
}

main();
