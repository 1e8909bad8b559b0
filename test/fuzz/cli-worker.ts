/**
 * Fuzz harness: a worker thread that runs barmap command lines in-process,
 * one at a time, through the same main() the `barmap` binary calls, and
 * answers each with its exit status and what it printed. Running in a
 * worker keeps the module graph warm (a case costs milliseconds, not the
 * half second of starting node) while letting the parent kill a case that
 * hangs and cap its heap.
 */
import { parentPort } from 'node:worker_threads';
import { main } from '../../src/cli/main.js';

export interface CliRequest {
  readonly id: number;
  readonly argv: readonly string[];
}

export interface CliReply {
  readonly id: number;
  readonly status: number;
  /** The first 4 KiB of stderr. */
  readonly stderr: string;
  readonly stdoutBytes: number;
  readonly ms: number;
  /** main() threw instead of answering with a status (a harness-level failure). */
  readonly threw?: string;
}

// Only as a worker thread (node --test runs every file under test/ and must find nothing to do here).
if (parentPort !== null) serve(parentPort);

function serve(port: NonNullable<typeof parentPort>): void {
  let stderr = '';
  let stdoutBytes = 0;
  const capture = (sink: 'out' | 'err') => (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (sink === 'err') { if (stderr.length < 4096) stderr += text.slice(0, 4096 - stderr.length); }
    else stdoutBytes += text.length;
    const cb = rest.find((r): r is () => void => typeof r === 'function');
    cb?.();
    return true;
  };
  process.stdout.write = capture('out') as typeof process.stdout.write;
  process.stderr.write = capture('err') as typeof process.stderr.write;

  port.on('message', (req: CliRequest) => {
    stderr = '';
    stdoutBytes = 0;
    const t0 = performance.now();
    main(req.argv).then(
      (status) => port.postMessage({ id: req.id, status, stderr, stdoutBytes, ms: performance.now() - t0 } satisfies CliReply),
      (e: unknown) => port.postMessage({ id: req.id, status: -1, stderr, stdoutBytes, ms: performance.now() - t0, threw: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies CliReply),
    );
  });
}
