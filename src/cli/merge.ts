/**
 * `barmap merge FILE... [--json] [--out DIR|FILE.json]`: combine the results
 * files that `barmap check --shard i/N --out FILE.json` wrote (one per shard,
 * possibly on different machines) into the matrix one unsharded run prints,
 * with the same violations (shortest per invariant), the distinct states
 * counted once, and trace files for every violation.
 */
import { readFileSync } from 'node:fs';
import { mergeOutcomes, MergeError } from '../check/merge.js';
import type { JobOutcome } from '../check/split.js';
import { reportCheck, writeResults } from './check.js';
import type { CheckFlags, ResultsFile } from './check.js';
import { EXIT, UsageError } from './errors.js';

export interface MergeFlags {
  readonly json?: boolean;
  readonly out?: string;
  readonly verbose?: boolean;
}

export function readResults(file: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let doc: Partial<ResultsFile> | null;
  try {
    doc = JSON.parse(text) as Partial<ResultsFile> | null;
  } catch {
    throw new UsageError(`${file}: not JSON; give the files barmap check --out FILE.json wrote`);
  }
  if (doc?.kind !== 'barmap-check-results' || !Array.isArray(doc.outcomes)) {
    throw new UsageError(`${file}: not a barmap check results file (write one with barmap check --shard i/N --out FILE.json)`);
  }
  if (doc.version !== 1) throw new UsageError(`${file}: results version ${String(doc.version)} is not supported; this barmap reads version 1`);
  return doc as ResultsFile;
}

/** Merge the files and print the combined results as barmap check would. */
export function mergeCommand(files: readonly string[], f: MergeFlags, out: (line: string) => void): number {
  if (files.length === 0) throw new UsageError('merge needs the results files of the shards (barmap merge results-*.json)');
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
  const flags: CheckFlags = { ...(f.json ? { json: true } : {}), ...(f.verbose ? { verbose: true } : {}), ...(traceDir !== undefined ? { out: traceDir } : {}) };
  return reportCheck(outcomes.map((o) => o.spec), false, outcomes, false, flags, out);
}
