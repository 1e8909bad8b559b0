/**
 * `barmap repro TRACE.json|SCENARIO [-o repro.c] [--device PATH] [--bar N]`:
 * a C program that replays a trace (or a scenario's steps) on a real kernel
 * through the vfio uapi and checks the outcomes the model predicts.
 */
import { writeFileSync } from 'node:fs';
import { parseTraceFile, TraceFileError } from '../check/trace-file.js';
import { runScenario, ScenarioRunError } from '../check/run.js';
import { SetupError } from '../check/model.js';
import { formatPath, parseSource, ScenarioError, validateScenario } from '../scenario/load.js';
import { findDesign } from '../designs/index.js';
import { findArchProfile } from '../arch/profiles.js';
import { reproFromRun, reproFromTrace } from '../report/repro-c/index.js';
import { readScenario } from './scenarios.js';
import { EXIT, UsageError } from './errors.js';
import { checkWritableFile } from './inputs.js';

export interface ReproFlags {
  readonly output?: string;
  readonly device?: string;
  readonly bar?: string;
  readonly design?: string;
  readonly arch?: string;
}

function isTraceFile(text: string): boolean {
  try {
    const v = JSON.parse(text) as { version?: unknown; schedule?: unknown };
    return typeof v === 'object' && v !== null && v.version !== undefined && Array.isArray(v.schedule);
  } catch {
    return false;
  }
}

export function reproCommand(input: string, flags: ReproFlags, out: (line: string) => void): number {
  if (flags.bar !== undefined && !/^[0-5]$/.test(flags.bar)) throw new UsageError(`--bar takes a BAR index 0-5, not '${flags.bar}'`);
  const opts = { device: flags.device ?? '/dev/vfio/devices/vfio0', ...(flags.bar !== undefined ? { bar: Number(flags.bar) } : {}) };
  if (flags.output !== undefined && flags.output !== '-') checkWritableFile(flags.output, '-o');
  const { text, display } = readScenario(input);
  let c: string;
  try {
    if (isTraceFile(text)) c = reproFromTrace(parseTraceFile(text, display), opts);
    else {
      const design = findDesign(flags.design ?? 'legacy');
      if (!design) throw new UsageError(`unknown design '${flags.design}' (barmap list)`);
      if (flags.arch !== undefined && !findArchProfile(flags.arch)) throw new UsageError(`unknown arch profile '${flags.arch}' (barmap list)`);
      const { value, source } = parseSource(text, display);
      const sc = validateScenario(value, source);
      let run;
      try {
        run = runScenario(sc, { design, ...(flags.arch !== undefined ? { arch: flags.arch } : {}) });
      } catch (e) {
        // a step the runner refuses is the scenario's mistake, reported at its line as barmap run does
        if (e instanceof ScenarioRunError) throw new ScenarioError(display, source.lineOf(e.path), formatPath(e.path), e.message);
        throw e;
      }
      c = reproFromRun(sc, run, opts);
    }
  } catch (e) {
    if (e instanceof TraceFileError || e instanceof SetupError) throw new UsageError(e.message);
    throw e;
  }
  if (flags.output === undefined || flags.output === '-') {
    process.stdout.write(c);
    return EXIT.ok;
  }
  try {
    writeFileSync(flags.output, c);
  } catch (e) {
    throw new UsageError(`cannot write '${flags.output}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  out(`# wrote ${flags.output}: cc -Wall -pthread -o repro ${flags.output} && ./repro -d ${opts.device}`);
  return EXIT.ok;
}
