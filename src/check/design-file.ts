/**
 * Design specs: `--design legacy` names a built-in design, `--design
 * ./my-design.ts` a user's design file (a spec with a '/' in it, or ending in
 * .ts, .mts, .js or .mjs). One resolver for the CLI and the checker's
 * worker threads: {@link loadDesignSpec} loads a spec (once per thread:
 * loaded files are cached by absolute path), {@link designFor} then answers
 * synchronously, so the checker's synchronous code needs no change.
 *
 * A design file is code: importing it runs it with the rights of the user
 * who runs barmap. `.js`/`.mjs` files are imported as they are; `.ts`/`.mts`
 * files are transpiled by the hooks of src/check/design-hooks.ts with the
 * optional `typescript` package. Either may `import ... from 'barmap'`,
 * which the hooks resolve to this package. The module's default export, or
 * its export named `design`, must be a Design (what `stack()` returns).
 * Every failure is a {@link DesignLoadError} with a one-line message.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { homedir } from 'node:os';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DESIGNS, findDesign } from '../designs/index.js';
import { DesignError } from '../designs/patch.js';
import type { Design } from '../designs/types.js';
import type { HookData } from './design-hooks.js';

export class DesignLoadError extends Error {
  override name = 'DesignLoadError';
}

/** A design file as trace files record it. */
export interface DesignFile {
  /** The path as the user gave it. */
  readonly given: string;
  /** Its absolute path. */
  readonly path: string;
  /** sha256 of its source text, hex. */
  readonly sha256: string;
}

export interface LoadedDesign {
  readonly design: Design;
  /** Absent for a built-in design. */
  readonly file?: DesignFile;
}

const TS_EXT = new Set(['.ts', '.mts']);
const JS_EXT = new Set(['.js', '.mjs']);

/** Whether a design spec names a file (else a built-in design). */
export function isDesignPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || TS_EXT.has(extname(spec)) || JS_EXT.has(extname(spec));
}

/** sha256 (hex) of a file's bytes. */
export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const loaded = new Map<string, LoadedDesign>();
const loading = new Map<string, Promise<LoadedDesign>>();
let hooks = false;

/** The typescript package's main file, from barmap's own dependencies or the design's project; null when neither has it. */
function typescriptUrl(designFile: string): string | null {
  for (const from of [import.meta.url, pathToFileURL(designFile).href]) {
    try {
      return pathToFileURL(createRequire(from).resolve('typescript')).href;
    } catch {
      // not installed there
    }
  }
  return null;
}

/** The user's cache directory for transpiled designs ($BARMAP_CACHE, else $XDG_CACHE_HOME/barmap or ~/.cache/barmap), null when there is no home. */
function cacheDir(): string | null {
  const env = process.env;
  if (env['BARMAP_CACHE'] !== undefined) return env['BARMAP_CACHE'] === '' ? null : env['BARMAP_CACHE'];
  const home = env['XDG_CACHE_HOME'] ?? (homedir() ? join(homedir(), '.cache') : '');
  return home ? join(home, 'barmap', 'designs') : null;
}

/** Register the module hooks in this thread (once). */
async function registerHooks(designFile: string): Promise<HookData> {
  const data: HookData = { barmap: new URL('../index.js', import.meta.url).href, typescript: typescriptUrl(designFile), cache: cacheDir() };
  if (!hooks) {
    // barmap's own modules are loaded before the hooks exist, so they do not go through them:
    // a design's `import 'barmap'` then finds them loaded
    await import(data.barmap);
    register(new URL('./design-hooks.js', import.meta.url), { data });
    hooks = true;
    hookData = data;
  }
  return hookData ?? data;
}
let hookData: HookData | undefined;

/** Whether the cache holds this .ts file's JavaScript already (design-hooks.ts keys it so). */
function transpiled(data: HookData, abs: string): boolean {
  if (data.cache === null) return false;
  const key = createHash('sha256').update(`${abs}\0\0${readFileSync(abs, 'utf8')}`).digest('hex');
  return existsSync(join(data.cache, `${key}.mjs`));
}

/** The design a module exports: `default` or `design` (unwrapping a CommonJS `default.default`). */
function exportedDesign(mod: Record<string, unknown>): unknown {
  let cand: unknown = mod['default'] ?? mod['design'];
  for (let i = 0; i < 2 && isObject(cand) && !('paths' in cand); i++) {
    cand = cand['default'] ?? cand['design'] ?? cand;
    if (cand === mod['default']) break;
  }
  return cand;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** Why `x` is not a Design, or null when it is one. */
export function designShapeError(x: unknown): string | null {
  if (!isObject(x)) return 'exports no design (expected a default export or `export const design`)';
  if (typeof x['name'] !== 'string' || x['name'] === '') return 'design has no name';
  if (!(x['paths'] instanceof Map)) return `design '${x['name']}': paths is not a Map (build the design with stack())`;
  if (!isObject(x['fileOps'])) return `design '${x['name']}': fileOps is not an object`;
  if (!isObject(x['vmOps'])) return `design '${x['name']}': vmOps is not an object`;
  for (const [name, p] of x['paths'] as Map<unknown, unknown>) {
    if (!isObject(p) || typeof p['entry'] !== 'string' || !isObject(p['steps'])) {
      return `design '${x['name']}': path '${String(name)}' is not a path (use path(name, entry, steps))`;
    }
  }
  return null;
}

async function importDesignFile(given: string, abs: string): Promise<LoadedDesign> {
  const ext = extname(abs);
  if (!TS_EXT.has(ext) && !JS_EXT.has(ext)) throw new DesignLoadError(`--design ${given}: expected a .ts, .mts, .js or .mjs file`);
  if (!existsSync(abs)) throw new DesignLoadError(`--design ${given}: no such file`);
  const data = await registerHooks(abs);
  if (TS_EXT.has(ext) && data.typescript === null && !transpiled(data, abs)) {
    throw new DesignLoadError(`--design ${given}: a TypeScript design needs the typescript package; run npm install typescript, or compile the design to .js`);
  }
  const sha256 = fileHash(abs);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    // stack() names a missing path or label in one line: that line is the message
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new DesignLoadError(e instanceof DesignError ? `--design ${given}: ${msg}` : `--design ${given}: cannot load: ${msg}`);
  }
  const design = exportedDesign(mod);
  const bad = designShapeError(design);
  if (bad !== null) throw new DesignLoadError(`--design ${given}: ${bad}`);
  const name = (design as Design).name;
  if (findDesign(name)) {
    throw new DesignLoadError(`--design ${given}: its design is named '${name}', the name of a built-in design; give it a name of its own`);
  }
  return { design: design as Design, file: { given, path: abs, sha256 } };
}

/**
 * Load a design spec: a built-in name, or a design file (relative to
 * `cwd`). A file is imported once per thread.
 */
export async function loadDesignSpec(spec: string, cwd: string = process.cwd()): Promise<LoadedDesign> {
  if (!isDesignPath(spec)) {
    const design = findDesign(spec);
    if (!design) throw new DesignLoadError(`unknown design '${spec}'; designs: ${DESIGNS.map((d) => d.name).join(', ')} (barmap list), or a design file such as ./my-design.ts`);
    return { design };
  }
  const abs = isAbsolute(spec) ? spec : resolve(cwd, spec);
  let p = loading.get(abs);
  if (p === undefined) {
    p = importDesignFile(spec, abs).then((l) => {
      loaded.set(abs, l);
      return l;
    });
    loading.set(abs, p);
  }
  const l = await p;
  // the same file given another way keeps the way this caller gave it
  return l.file && l.file.given !== spec ? { design: l.design, file: { ...l.file, given: spec } } : l;
}

/** Load a file's design and return it (the old entry point; tests use it). */
export async function loadDesign(file: string, cwd: string = process.cwd()): Promise<Design> {
  return (await loadDesignSpec(file, cwd)).design;
}

/** Load every spec (a worker calls this before running its jobs). */
export async function preloadDesigns(specs: readonly string[]): Promise<void> {
  for (const s of new Set(specs)) await loadDesignSpec(s);
}

/**
 * The design of a spec, synchronously: a built-in design, or a design file
 * loaded before in this thread by {@link loadDesignSpec}.
 */
export function designFor(spec: string): Design {
  if (!isDesignPath(spec)) {
    const d = findDesign(spec);
    if (!d) throw new DesignLoadError(`unknown design '${spec}' (barmap list)`);
    return d;
  }
  const l = loaded.get(isAbsolute(spec) ? spec : resolve(spec));
  if (!l) throw new DesignLoadError(`design file ${spec} was not loaded in this thread (a bug in barmap)`);
  return l.design;
}

/**
 * The names a design answers to for expectations: its own, then its bases'
 * up to the first built-in design (a user design inherits what the
 * scenarios expect of the built-in design it is stacked on). A built-in
 * design answers to its own name only.
 */
export function designLineage(design: Design): string[] {
  const names = [design.name];
  if (findDesign(design.name)) return names;
  let base = design.base;
  const byName = new Map([...loaded.values()].map((l) => [l.design.name, l.design]));
  while (base !== undefined && !names.includes(base)) {
    names.push(base);
    if (findDesign(base)) break;
    base = byName.get(base)?.base;
  }
  return names;
}

/** Designs to replay traces with, by the design name the trace records (replay/report --design). */
const replayAs = new Map<string, Design>();

/** Replay the traces of design `name` with `design` instead of the one they record. */
export function replayWith(name: string, design: Design): void {
  replayAs.set(name, design);
}

/** What a trace file says of its design (src/check/trace-file.ts). */
export interface TraceDesign {
  readonly design: string;
  readonly designPath?: string;
  readonly designAbsolutePath?: string;
  readonly designHash?: string;
}

/** The design a trace replays with, synchronously (its design file loaded before by {@link loadTraceDesign}). */
export function traceDesign(tf: TraceDesign): Design | undefined {
  const d = replayAs.get(tf.design);
  if (d) return d;
  if (tf.designAbsolutePath !== undefined) return loaded.get(tf.designAbsolutePath)?.design;
  return findDesign(tf.design);
}

/**
 * Load the design a trace needs: `given` (--design) when there is one,
 * else the design file the trace records, refused when its source changed
 * since the trace was written; nothing for a built-in design.
 */
export async function loadTraceDesign(tf: TraceDesign, given?: string): Promise<void> {
  if (given !== undefined) {
    replayWith(tf.design, (await loadDesignSpec(given)).design);
    return;
  }
  const abs = tf.designAbsolutePath;
  if (abs === undefined) return;
  const shown = tf.designPath ?? abs;
  if (!existsSync(abs)) {
    throw new DesignLoadError(`the trace's design file ${shown} (${abs}) is gone; pass --design PATH to replay against a design file`);
  }
  const now = fileHash(abs);
  if (tf.designHash !== undefined && now !== tf.designHash) {
    throw new DesignLoadError(
      `design ${shown} changed since the trace was written (sha256 ${tf.designHash.slice(0, 12)}… then, ${now.slice(0, 12)}… now); ` +
      `pass --design ${shown} to replay against it anyway`,
    );
  }
  await loadDesignSpec(abs);
}
