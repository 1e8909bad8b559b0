/**
 * `--design PATH`: load a user's design module.
 *
 * The path is resolved against `cwd`. `.js` and `.mjs` files are imported
 * with Node's dynamic import; `.ts`, `.mts` and `.cts` through tsx's ESM API
 * (tsImport: the file is transpiled, not type-checked, and its own imports of
 * TypeScript files work too). The module's default export, or its export
 * named `design`, must be a Design: a non-empty `name`, a `paths` Map, and
 * `fileOps` and `vmOps` objects. Every failure is a {@link DesignLoadError}
 * with a one-line message.
 */
import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Design } from '../designs/types.js';

export class DesignLoadError extends Error {
  override name = 'DesignLoadError';
}

const TS_EXT = new Set(['.ts', '.mts', '.cts']);
const JS_EXT = new Set(['.js', '.mjs', '.cjs']);

/** Import a module by absolute path, TypeScript through tsx. */
async function importModule(abs: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(abs).href;
  if (TS_EXT.has(extname(abs))) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
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
  if (!(x['paths'] instanceof Map)) return `design '${x['name']}': paths is not a Map (build it with extendDesign)`;
  if (!isObject(x['fileOps'])) return `design '${x['name']}': fileOps is not an object`;
  if (!isObject(x['vmOps'])) return `design '${x['name']}': vmOps is not an object`;
  for (const [name, p] of x['paths'] as Map<unknown, unknown>) {
    if (!isObject(p) || typeof p['entry'] !== 'string' || !isObject(p['steps'])) {
      return `design '${x['name']}': path '${String(name)}' is not a path (use path(name, entry, steps))`;
    }
  }
  return null;
}

/**
 * Load the design at `file` (relative to `cwd`). Throws DesignLoadError
 * with a one-line message for a missing file, an unsupported extension, a
 * module that fails to load, or an export that is not a Design.
 */
export async function loadDesign(file: string, cwd: string = process.cwd()): Promise<Design> {
  const abs = isAbsolute(file) ? file : resolve(cwd, file);
  const ext = extname(abs);
  if (!TS_EXT.has(ext) && !JS_EXT.has(ext)) {
    throw new DesignLoadError(`--design ${file}: expected a .ts, .mts, .js or .mjs file`);
  }
  if (!existsSync(abs)) throw new DesignLoadError(`--design ${file}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(abs);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new DesignLoadError(`--design ${file}: cannot load: ${msg}`);
  }
  const design = exportedDesign(mod);
  const bad = designShapeError(design);
  if (bad !== null) throw new DesignLoadError(`--design ${file}: ${bad}`);
  return design as Design;
}
