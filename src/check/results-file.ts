/**
 * The results file `barmap check --out FILE.json` writes (one per shard) and
 * `barmap merge` reads: its zod schema and the checks that keep a corrupt or
 * foreign file from reaching the merge. Every problem is one
 * {@link ResultsFileError} line naming the file and the path in it.
 */
import * as z from 'zod';
import { JSON_DEPTH_LIMIT, jsonDepth, stepSchema, zodIssueLine } from './trace-file.js';
import type { JobResult, JobSpec } from './job.js';

export const RESULTS_VERSION = 1;

const count = z.number().int().min(0);
const shardSchema = z.object({ index: count, count: z.number().int().min(1) })
  .refine((s) => s.index < s.count, { message: 'shard index must be below the shard count' });
const randomSchema = z.object({ seed: count, walks: z.number().int().min(1), depth: z.number().int().min(1) });

/** Base64 of little-endian (hi, lo) Uint32 pairs: a whole number of 8-byte keys. */
const keysSchema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'keys must be base64')
  .refine((k) => k.length % 4 === 0 && (k.length / 4 * 3 - (k.endsWith('==') ? 2 : k.endsWith('=') ? 1 : 0)) % 8 === 0,
    { message: 'keys must be a whole number of 8-byte state keys (the file is cut or edited)' });

export const jobSpecSchema = z.object({
  source: z.object({ text: z.string(), file: z.string() }),
  design: z.string().min(1),
  arch: z.string().optional(),
  defects: z.array(z.string()),
  maxActions: z.number().int().min(1).optional(),
  preemptions: count.optional(),
  maxStates: z.number().int().min(1).optional(),
  invariants: z.array(z.string()).optional(),
  random: randomSchema.optional(),
  por: z.boolean().optional(),
  shard: shardSchema.optional(),
});

export const jobResultSchema = z.object({
  scenario: z.string(),
  design: z.string().min(1),
  arch: z.string().min(1),
  defects: z.array(z.string()),
  mode: z.enum(['bfs', 'random']),
  bounds: z.object({ maxActions: count, preemptions: count, maxStates: z.number().int().min(1).optional() }),
  random: randomSchema.optional(),
  invariants: z.array(z.string()),
  expected: z.array(z.string()),
  stats: z.object({
    states: count, nodes: count.optional(), transitions: count, depth: count, complete: z.boolean(),
    stop: z.enum(['done', 'max-states', 'interrupted']),
    visitedBytes: z.number().min(0), ms: z.number().min(0), workers: z.number().int().min(1).optional(),
  }),
  found: z.array(z.object({ invariant: z.string(), message: z.string(), schedule: z.array(stepSchema) })),
  samples: z.array(z.tuple([z.number(), z.number(), z.number()])).optional(),
  por: z.boolean().optional(),
  shard: shardSchema.optional(),
  keys: keysSchema.optional(),
});

/** Optional fields added later (a design's source path and hash, say) go in these objects as `.optional()`. */
export const resultsFileSchema = z.object({
  version: z.literal(RESULTS_VERSION),
  kind: z.literal('barmap-check-results'),
  outcomes: z.array(z.object({ spec: jobSpecSchema, result: jobResultSchema.optional(), error: z.string().optional() })),
});

export interface ResultsFile {
  readonly version: 1;
  readonly kind: 'barmap-check-results';
  readonly outcomes: readonly { readonly spec: JobSpec; readonly result?: JobResult; readonly error?: string }[];
}

/** A results file that cannot be used: one line. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/** Parse and validate a results file's text. */
export function parseResultsFile(text: string, file: string): ResultsFile {
  if (jsonDepth(text) > JSON_DEPTH_LIMIT) throw new ResultsFileError(`${file}: nests arrays or objects more than ${JSON_DEPTH_LIMIT} deep; a results file barmap wrote nests far less`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ResultsFileError(`${file}: not JSON; give the files barmap check --shard i/N --out FILE.json wrote`);
  }
  const v = value as { kind?: unknown; version?: unknown } | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'barmap-check-results') {
    throw new ResultsFileError(`${file}: not a barmap check results file (write one with barmap check --shard i/N --out FILE.json)`);
  }
  if (v.version !== RESULTS_VERSION) {
    const given = typeof v.version === 'number' ? String(v.version) : `${JSON.stringify(v.version ?? null).slice(0, 40)} (not a number)`;
    throw new ResultsFileError(`${file}: results version ${given} is not supported; this barmap reads version ${RESULTS_VERSION}`);
  }
  const r = resultsFileSchema.safeParse(value);
  if (!r.success) throw new ResultsFileError(`${file}: ${zodIssueLine(r.error.issues[0]!)}; the file is corrupt or edited, write it again with barmap check`);
  r.data.outcomes.forEach((o, i) => {
    const res = o.result;
    if (!res) return;
    const at = `${file}: outcomes[${i}]`;
    if (res.design !== o.spec.design) throw new ResultsFileError(`${at}: the result is of design ${res.design} but the job of ${o.spec.design}; the file is edited`);
    if (JSON.stringify(res.shard ?? null) !== JSON.stringify(o.spec.shard ?? null)) throw new ResultsFileError(`${at}: the result's shard differs from its job's; the file is edited`);
    if (res.shard && res.keys === undefined) throw new ResultsFileError(`${at}: shard ${res.shard.index}/${res.shard.count} has no visited keys (written by an older barmap?); run the shard again`);
  });
  return r.data as unknown as ResultsFile;
}
