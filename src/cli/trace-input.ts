/** Reading a trace file named on the command line: usage errors (exit 2) for what is not one. */
import { readFileSync } from 'node:fs';
import { parseTraceFile, TraceFileError } from '../check/trace-file.js';
import type { TraceFile } from '../check/trace-file.js';
import { replayTrace } from '../check/replay.js';
import type { ReplayResult } from '../check/replay.js';
import { SetupError } from '../check/model.js';
import { ScenarioError } from '../scenario/load.js';
import { UsageError } from './errors.js';

/** Parse a trace file and replay it; every way it can be wrong is one usage-error line. */
export function readAndReplay(file: string): { tf: TraceFile; r: ReplayResult } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read trace file '${file}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const tf = parseTraceFile(text, file);
    return { tf, r: replayTrace(tf) };
  } catch (e) {
    if (e instanceof TraceFileError) throw new UsageError(e.message);
    if (e instanceof ScenarioError) throw new UsageError(`${file}: the embedded scenario does not load: ${e.message}`);
    if (e instanceof SetupError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}
