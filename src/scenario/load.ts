/**
 * Loading a scenario from YAML or JSON text.
 *
 * Pure: the caller reads the file. Any problem becomes one
 * {@link ScenarioError} whose message is a single line
 * `file:line: path: what is wrong and how to fix it`.
 */
import { LineCounter, parseDocument, isAlias, isMap, isSeq, isPair, isScalar, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import type * as z from 'zod';
import { scenarioSchema } from './schema.js';
import type { Scenario } from './schema.js';
import { checkScenario } from './check.js';
import type { Issue } from './check.js';

/** A message as one line. */
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

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

/** Limits of a scenario's text, checked before parsing so a hostile file costs little. */
export const SOURCE_LIMITS = {
  /** Characters. */
  size: 1 << 20,
  /** Nested flow collections (`[` and `{`). */
  flowDepth: 64,
  /** Indentation of a line, in columns, and `- ` entries opened on one line. */
  indent: 256,
  dashes: 32,
  /** Nodes an alias may stand for in total (an alias bomb expands to billions). */
  aliasCount: 100,
} as const;

/** The first line that nests deeper than {@link SOURCE_LIMITS} allow, and how. */
function nestingProblem(text: string): { line: number; problem: string } | undefined {
  let depth = 0;
  let line = 1;
  let quote = '';
  let lineStart = true;
  let col = 0;
  let dashes = 0;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++; lineStart = true; col = 0; dashes = 0; comment = false;
      if (quote === "'") quote = ''; // single-quoted scalars rarely span lines; do not let one hide the rest
      continue;
    }
    if (comment) continue;
    if (lineStart) {
      if (c === ' ') {
        if (++col > SOURCE_LIMITS.indent) return { line, problem: `indented more than ${SOURCE_LIMITS.indent} columns; a scenario nests far less deeply` };
        continue;
      }
      if (c === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n')) {
        if (++dashes > SOURCE_LIMITS.dashes) return { line, problem: `more than ${SOURCE_LIMITS.dashes} nested sequences on one line; a scenario nests far less deeply` };
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (c === '[' || c === '{') {
      if (++depth > SOURCE_LIMITS.flowDepth) return { line, problem: `more than ${SOURCE_LIMITS.flowDepth} nested [ ] or { }; a scenario nests far less deeply` };
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** Parse YAML (or JSON, which YAML reads too) and return the plain value with a line map. */
export function parseSource(text: string, file: string): { value: unknown; source: Source } {
  if (text.length > SOURCE_LIMITS.size) {
    throw new ScenarioError(file, 1, '', `the scenario is ${text.length.toLocaleString('en')} characters; at most ${SOURCE_LIMITS.size.toLocaleString('en')} are read`);
  }
  const deep = nestingProblem(text);
  if (deep) throw new ScenarioError(file, deep.line, '', deep.problem);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const err = doc.errors[0];
  if (err) {
    const line = lineCounter.linePos(err.pos[0]).line;
    const what = oneLine(err.message).replace(/ at line \d+, column \d+:?.*$/, '');
    throw new ScenarioError(file, line, '', `${what} (check the indentation and quoting on this line)`);
  }
  const source: Source = { file, lineOf: (path) => lineOfPath(doc, lineCounter, path) };
  const alias = aliasProblem(doc);
  if (alias) throw new ScenarioError(file, lineCounter.linePos(alias.pos).line, '', alias.problem);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: SOURCE_LIMITS.aliasCount }) as unknown;
  } catch (e) {
    // the yaml library throws for an alias that expands too far (and any other composition failure)
    const msg = e instanceof Error ? e.message : String(e);
    const why = /alias/i.test(msg)
      ? `aliases expand to too many nodes (an alias bomb?); at most ${SOURCE_LIMITS.aliasCount} are expanded, write the values out instead`
      : `${oneLine(msg)} (check the anchors and aliases)`;
    throw new ScenarioError(file, 1, '', why);
  }
  return { value, source };
}

/** The first alias whose anchor is not defined before it, or key that is not a plain scalar. */
function aliasProblem(doc: Document): { pos: number; problem: string } | undefined {
  let found: { pos: number; problem: string } | undefined;
  visit(doc, {
    Pair(_, pair) {
      // a [list] or {map} as a key has no plain-object form (the yaml library would warn on stderr)
      const key = isAlias(pair.key) ? pair.key.resolve(doc) ?? pair.key : pair.key;
      if (key !== null && !isScalar(key) && !isAlias(key)) {
        found = { pos: (pair.key as Node).range?.[0] ?? 0, problem: 'a key is a list or map; keys are plain names (quote it if it is text)' };
        return visit.BREAK;
      }
      return undefined;
    },
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        found = { pos: node.range?.[0] ?? 0, problem: `alias *${node.source} has no anchor &${node.source} before it; define the anchor first or write the value out` };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
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
