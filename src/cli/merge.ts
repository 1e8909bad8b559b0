/**
 * `barmap merge FILE... [--json] [--out DIR|FILE.json]`: combine the results
 * files that `barmap check --shard i/N --out FILE.json` wrote (one per shard,
 * possibly on different machines) into the matrix one unsharded run prints,
 * with the same violations (shortest per invariant), the distinct states
 * counted once, and trace files for every violation.
 */
import { mergeOutcomes, MergeError } from '../check/merge.js';
import type { JobOutcome } from '../check/split.js';
import { reportCheck, writeResults } from './check.js';
import type { CheckFlags, ResultsFile } from './check.js';
import { EXIT, UsageError } from './errors.js';
import { checkWritableDir, checkWritableFile, FILE_LIMITS, readTextFile } from './inputs.js';
import { parseResultsFile, ResultsFileError } from '../check/results-file.js';
import { parseSource, ScenarioError, validateScenario } from '../scenario/load.js';
import { DESIGNS } from '../designs/index.js';
import { ARCH_PROFILES } from '../arch/profiles.js';

export interface MergeFlags {
  readonly json?: boolean;
  readonly out?: string;
}

/** Read and validate one results file, its embedded scenarios included. */
function readResults(file: string): ResultsFile {
  let doc: ResultsFile;
  try {
    doc = parseResultsFile(readTextFile(file, 'results file', FILE_LIMITS.results), file);
  } catch (e) {
    if (e instanceof ResultsFileError) throw new UsageError(e.message);
    throw e;
  }
  const designs = DESIGNS.map((d) => d.name);
  const archs = ARCH_PROFILES.map((p) => p.name);
  doc.outcomes.forEach((o, i) => {
    const at = `${file}: outcomes[${i}]`;
    if (!designs.includes(o.spec.design)) throw new UsageError(`${at}: design '${o.spec.design}' is not built into this barmap (designs: ${designs.join(', ')})`);
    const arch = o.result?.arch ?? o.spec.arch;
    if (arch !== undefined && !archs.includes(arch)) throw new UsageError(`${at}: arch profile '${arch}' is not built into this barmap (profiles: ${archs.join(', ')})`);
    try {
      const { value, source } = parseSource(o.spec.source.text, `${o.spec.source.file} (embedded)`);
      const sc = validateScenario(value, source);
      if (o.result && o.result.scenario !== sc.name) throw new UsageError(`${at}: the result is of scenario '${o.result.scenario}' but the embedded scenario is '${sc.name}'; the file is edited`);
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(`${at}: the embedded scenario does not load: ${e.message}`);
      throw e;
    }
  });
  return doc;
}

/** Merge the files and print the combined results as barmap check would. */
export function mergeCommand(files: readonly string[], f: MergeFlags, out: (line: string) => void): number {
  if (files.length === 0) throw new UsageError('merge needs the results files of the shards (barmap merge results-*.json)');
  const outPath = f.out ?? 'barmap-traces';
  if (outPath.endsWith('.json')) {
    checkWritableFile(outPath, '--out');
    checkWritableDir(outPath.replace(/\.json$/, '-traces'), '--out');
  } else checkWritableDir(outPath, '--out');
  const all = files.flatMap((file) => readResults(file).outcomes);
  let merged;
  try {
    merged = mergeOutcomes(all);
  } catch (e) {
    if (e instanceof MergeError) {
      process.stderr.write(`barmap: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  const outcomes: JobOutcome[] = merged.map((o) => ({ ...o }));
  let traceDir = f.out;
  if (f.out !== undefined && f.out.endsWith('.json')) {
    writeResults(f.out, outcomes);
    traceDir = f.out.replace(/\.json$/, '-traces');
  }
  const flags: CheckFlags = { ...(f.json ? { json: true } : {}), ...(traceDir !== undefined ? { out: traceDir } : {}) };
  return reportCheck(outcomes.map((o) => o.spec), false, outcomes, false, flags, out);
}
