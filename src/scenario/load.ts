/**
 * Loading a scenario from YAML or JSON text.
 *
 * Pure: the caller reads the file. Any problem becomes one
 * {@link ScenarioError} whose message is a single line
 * `file:line: path: what is wrong and how to fix it`.
 */
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar } from 'yaml';
import type { Document, Node } from 'yaml';
import type * as z from 'zod';
import { scenarioSchema } from './schema.js';
import type { Scenario } from './schema.js';
import { checkScenario } from './check.js';
import type { Issue } from './check.js';

/** A scenario that cannot be loaded or run; `toString()` is the one-line report. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly line: number,
    /** Path to the value, e.g. `steps[3].mmap.prot`; '' for the whole file. */
    readonly at: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${at ? at + ': ' : ''}${problem}`);
  }
}

/** `steps[3].mmap.prot` for ['steps', 3, 'mmap', 'prot']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Parsed source text that can answer "on which line is this path?". */
export interface Source {
  readonly file: string;
  lineOf(path: readonly PropertyKey[]): number;
}

/** Parse YAML (or JSON, which YAML reads too) and return the plain value with a line map. */
export function parseSource(text: string, file: string): { value: unknown; source: Source } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const line = lineCounter.linePos(err.pos[0]).line;
    const what = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ScenarioError(file, line, '', `${what} (check the indentation and quoting on this line)`);
  }
  const source: Source = { file, lineOf: (path) => lineOfPath(doc, lineCounter, path) };
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, source };
}

function lineOfPath(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): number {
  let node: unknown = doc.contents;
  let pos = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as Node;
      pos = key.range?.[0] ?? pos;
      node = pair.value;
      if ((node as Node | null)?.range) pos = (node as Node).range![0];
      else break;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) break;
      pos = item.range[0];
      node = item;
    } else break;
  }
  return lc.linePos(pos).line;
}

/** Map a zod issue to a path and message (unknown keys point at the key). */
function fromZod(iss: z.core.$ZodIssue): Issue & { rank?: number } {
  const path = iss.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (iss.code === 'unrecognized_keys') return { path: [...path, String(iss.keys[0])], message: iss.message, rank: 0 };
  if (iss.message.startsWith('missing;') && path.length > 0) {
    return { path, message: `missing; add \`${String(path[path.length - 1])}: ...\` (it is required)`, rank: 2 };
  }
  if (iss.code === 'invalid_union') {
    // report the branch that got furthest, if the customizer did not give a message
    if (!iss.message.startsWith('Invalid input')) return { path, message: iss.message };
    const deepest = iss.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest) {
      const sub = fromZod(deepest);
      return { path: [...path, ...sub.path], message: sub.message };
    }
  }
  return { path, message: iss.message };
}

/** Validate a plain value as a scenario; the first problem (by line) is thrown. */
export function validateScenario(value: unknown, source: Source): Scenario {
  const r = scenarioSchema.safeParse(value);
  if (!r.success) throw firstError(r.error.issues.map(fromZod), source);
  const issues = checkScenario(r.data);
  if (issues.length > 0) throw firstError(issues, source);
  return r.data;
}

function firstError(issues: readonly (Issue & { rank?: number })[], source: Source): ScenarioError {
  const located = issues.map((i) => ({ ...i, line: source.lineOf(i.path) }));
  located.sort((a, b) => a.line - b.line || (a.rank ?? 1) - (b.rank ?? 1));
  const f = located[0]!;
  return new ScenarioError(source.file, f.line, formatPath(f.path), f.message);
}

/** Load a scenario from YAML or JSON text; `file` is used in error messages. */
export function loadScenario(text: string, file: string): Scenario {
  const { value, source } = parseSource(text, file);
  return validateScenario(value, source);
}
