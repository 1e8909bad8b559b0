/**
 * `barmap explain TRACE.json...`: why each trace's invariant broke, in a
 * few lines (src/report/explain.ts). Exit 0 when every trace still breaks
 * its invariant, 1 when one does not reproduce, 2 for a file that is not a
 * trace.
 */
import { explainTrace } from '../report/explain.js';
import { EXIT, UsageError } from './errors.js';
import { readAndReplay } from './trace-input.js';

export function explainCommand(files: readonly string[], out: (line: string) => void): number {
  if (files.length === 0) throw new UsageError('explain needs a trace file (barmap-traces/*.json, written by barmap check)');
  let status: number = EXIT.ok;
  files.forEach((file, i) => {
    const { tf, r } = readAndReplay(file);
    if (i > 0) out('');
    explainTrace(tf, r, file).lines.forEach((l) => out(l));
    if (!r.reproduced) status = EXIT.failed;
  });
  return status;
}
