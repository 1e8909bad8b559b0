/**
 * Trace files: one violation, self-contained, versioned JSON.
 *
 *     {
 *       "version": 1,
 *       "scenario": { "name": "...", "file": "scenarios/x.yaml", "source": "<the whole scenario text>" },
 *       "design": "legacy", "arch": "x86_64", "defects": [],
 *       "mode": "bfs", "bounds": { "maxActions": 2, "preemptions": 2 },
 *       "invariant": "no-access-to-disabled-bar", "rule": "...", "message": "...",
 *       "schedule": [ { "thread": "B", "tid": 4, "at": "user",
 *                       "action": { "entry": 0, "written": {"pwrite": {...}}, "resolved": {"op": "pwrite", ...} } },
 *                     { "thread": "A", "tid": 3, "at": "vfio_pci_mmap_huge_fault:memory_lock" } ],
 *       "stats": { "states": 1234, ... }
 *     }
 *
 * `defects` is where `--defect` names go; replay switches the same defects
 * on. A reader refuses versions it does not know.
 */
import * as z from 'zod';
import type { UserAction } from '../kernel/syscalls.js';
import { ACTION_PATHS } from '../kernel/syscalls.js';
import type { FoundRecord, JobResult, JobSpec, ScheduleStep } from './job.js';
import { INVARIANTS } from './invariants/index.js';
import { DEADLOCK } from './bfs.js';

export const TRACE_VERSION = 1;

export interface TraceFile {
  readonly version: 1;
  readonly scenario: { readonly name: string; readonly file: string; readonly source: string };
  readonly design: string;
  readonly arch: string;
  readonly defects: readonly string[];
  readonly mode: 'bfs' | 'random';
  readonly bounds: { readonly maxActions: number; readonly preemptions: number; readonly maxStates?: number };
  readonly random?: { readonly seed: number; readonly walks: number; readonly depth: number };
  readonly invariant: string;
  readonly rule: string;
  readonly message: string;
  readonly schedule: readonly ScheduleStep[];
  readonly stats: JobResult['stats'];
}

/** The trace file of one violation a job found. */
export function traceFile(spec: JobSpec, job: JobResult, f: FoundRecord): TraceFile {
  const rule = [...INVARIANTS, DEADLOCK].find((i) => i.name === f.invariant)?.rule ?? '';
  return {
    version: TRACE_VERSION,
    scenario: { name: job.scenario, file: spec.source.file, source: spec.source.text },
    design: job.design, arch: job.arch, defects: [...job.defects],
    mode: job.mode, bounds: job.bounds, ...(job.random ? { random: job.random } : {}),
    invariant: f.invariant, rule, message: f.message, schedule: f.schedule, stats: job.stats,
  };
}

/** A file name for a trace: scenario, design, arch and invariant, safe on every file system. */
export function traceFileName(job: { readonly scenario: string; readonly design: string; readonly arch: string }, invariant: string): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return `${safe(job.scenario)}--${safe(job.design)}--${safe(job.arch)}--${safe(invariant)}.json`;
}

const scalar = z.union([z.number(), z.string(), z.boolean()]);
const actionSchema = z
  .record(z.string(), z.union([scalar, z.array(z.number())]))
  .refine((a) => typeof a['op'] === 'string' && a['op'] in ACTION_PATHS, { message: `resolved.op must be one of ${Object.keys(ACTION_PATHS).join(', ')}` })
  .transform((a) => a as unknown as UserAction);

export const stepSchema = z.object({
  thread: z.string(),
  tid: z.number().int().positive(),
  at: z.string(),
  action: z.object({ entry: z.number().int().min(0).optional(), written: z.unknown().optional(), resolved: actionSchema }).optional(),
  fp: z.string().regex(/^[0-9a-f]{16}$/, 'a 16-digit hex fingerprint').optional(),
});

/**
 * The trace file's schema. Optional fields added later (e.g. the design's
 * source path and hash) go here as `.optional()`, so older files still read.
 */
export const traceFileSchema = z.object({
  version: z.literal(TRACE_VERSION),
  scenario: z.object({ name: z.string(), file: z.string(), source: z.string() }),
  design: z.string(),
  arch: z.string(),
  defects: z.array(z.string()),
  mode: z.enum(['bfs', 'random']).default('bfs'),
  bounds: z.object({ maxActions: z.number().int().min(1), preemptions: z.number().int().min(0), maxStates: z.number().int().optional() }),
  random: z.object({ seed: z.number(), walks: z.number(), depth: z.number() }).optional(),
  invariant: z.string(),
  rule: z.string().default(''),
  message: z.string().default(''),
  schedule: z.array(stepSchema),
  stats: z.record(z.string(), z.unknown()).default({}),
});

/** A trace file that cannot be read: one line saying why. */
export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/** Arrays and objects nested deeper than this are refused before parsing (printing or comparing them would overflow the stack). */
export const JSON_DEPTH_LIMIT = 64;

/** The depth of JSON text's nesting, counted without parsing (brackets inside strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) { if (++depth > max) max = depth; }
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Parse and validate a trace file's text. */
export function parseTraceFile(text: string, file: string): TraceFile {
  if (jsonDepth(text) > JSON_DEPTH_LIMIT) throw new TraceFileError(`${file}: nests arrays or objects more than ${JSON_DEPTH_LIMIT} deep; a trace file barmap wrote nests far less`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s*[\r\n]+\s*/g, ' ');
    throw new TraceFileError(`${file}: not JSON (${why}); a trace file is what barmap check writes`);
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof value !== 'object' || value === null || version === undefined) {
    throw new TraceFileError(`${file}: not a barmap trace file (no "version"); give a file barmap check wrote`);
  }
  if (version !== TRACE_VERSION) {
    const given = typeof version === 'number' ? String(version) : `${JSON.stringify(version)?.slice(0, 40)} (a ${typeof version}, not a number)`;
    throw new TraceFileError(`${file}: trace file version ${given} is not supported; this barmap reads version ${TRACE_VERSION} (the number ${TRACE_VERSION})`);
  }
  const r = traceFileSchema.safeParse(value);
  if (!r.success) {
    throw new TraceFileError(`${file}: ${zodIssueLine(r.error.issues[0]!)}`);
  }
  // stats are informative only; the rest is validated above.
  return r.data as unknown as TraceFile;
}

/** A zod issue as `path: message`, one line. */
export function zodIssueLine(iss: z.core.$ZodIssue): string {
  const at = iss.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${at ? at + ': ' : ''}${iss.message.replace(/\s*[\r\n]+\s*/g, ' ')}`;
}
