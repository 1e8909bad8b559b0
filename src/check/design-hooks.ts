/**
 * Module hooks for loading a user's design file (registered by
 * src/check/design-file.ts with module.register, in the CLI's thread and in
 * every checker worker). They run in Node's hooks thread.
 *
 * - resolve: the bare specifier `barmap` names this package's own
 *   dist/src/index.js, so a design file anywhere on disk imports the very
 *   module instances the CLI runs (one `legacy`, one path registry);
 *   TypeScript's `import './x.js'` of a sibling `x.ts` resolves to the .ts.
 * - load: `.ts` and `.mts` files are transpiled to JavaScript with the
 *   `typescript` package's transpileModule (types are not checked: run tsc
 *   for that). The JavaScript is kept in the user's cache directory by the
 *   sha256 of the file's path and source, so typescript (a 9 MB module) is
 *   only loaded when a design file changed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What design-file.ts passes to module.register. */
export interface HookData {
  /** file: URL of this package's dist/src/index.js. */
  readonly barmap: string;
  /** file: URL of the typescript package's main file, or null when it is not installed. */
  readonly typescript: string | null;
  /** Directory for transpiled designs (the user's own), or null for none. */
  readonly cache: string | null;
}

type TypeScript = typeof import('typescript');

let data: HookData = { barmap: '', typescript: null, cache: null };
let ts: TypeScript | undefined;

export function initialize(d: HookData): void {
  data = d;
}

const TS_FILE = /\.m?ts$/;

export const resolve: ResolveHook = async (specifier, context, next) => {
  if (specifier === 'barmap') return { url: data.barmap, format: 'module', shortCircuit: true };
  const parent = context.parentURL;
  // import './x.js' in a .ts file names ./x.ts, as tsc resolves it
  if (parent !== undefined && TS_FILE.test(parent) && /^\.{1,2}\/.*\.m?js$/.test(specifier)) {
    const url = new URL(specifier, parent);
    if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
      const tsUrl = new URL(specifier.replace(/js$/, 'ts'), parent);
      if (existsSync(fileURLToPath(tsUrl))) return { url: tsUrl.href, format: 'module', shortCircuit: true };
    }
  }
  return next(specifier, context);
};

export const load: LoadHook = async (url, context, next) => {
  if (!url.startsWith('file:') || !TS_FILE.test(new URL(url).pathname)) return next(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, 'utf8');
  const key = createHash('sha256').update(`${file}\0${data.typescript ?? ''}\0${source}`).digest('hex');
  const cached = data.cache === null ? null : join(data.cache, `${key}.mjs`);
  if (cached !== null) {
    try {
      return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
    } catch {
      // not transpiled yet
    }
  }
  if (data.typescript === null) {
    throw new Error('a TypeScript design needs the typescript package: npm install typescript, or compile the design to .js');
  }
  // require, not import(): importing the 9 MB CommonJS file as ESM scans it for named exports first
  ts ??= createRequire(import.meta.url)(fileURLToPath(data.typescript)) as TypeScript;
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true },
  });
  if (cached !== null) {
    try {
      await mkdir(data.cache!, { recursive: true, mode: 0o700 });
      const tmp = `${cached}.${process.pid}.tmp`;
      await writeFile(tmp, out.outputText);
      await rename(tmp, cached);
    } catch {
      // a cache that cannot be written only costs the next run a transpile
    }
  }
  return { format: 'module', source: out.outputText, shortCircuit: true };
};
