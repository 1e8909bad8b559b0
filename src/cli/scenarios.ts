/**
 * Finding scenarios: the built-in ones are the files in the package's
 * scenarios/ folder (found from this module's URL, so it works from a
 * checkout, from node_modules and through npx); anything else is a path.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { UsageError } from './errors.js';
import { FILE_LIMITS, readTextFile } from './inputs.js';

/** The package root: dist/src/cli/ is three levels below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SCENARIO_DIR = join(PACKAGE_ROOT, 'scenarios');
export const DEFAULT_SCENARIO = 'bar-mmap-access';

const EXT = /\.(ya?ml|json)$/;

/** Names of the built-in scenarios, sorted. */
export function builtinScenarios(): string[] {
  if (!existsSync(SCENARIO_DIR)) return [];
  return readdirSync(SCENARIO_DIR).filter((f) => EXT.test(f)).map((f) => f.replace(EXT, '')).sort();
}

/** The text of a scenario and the name to use for it in messages. */
export interface ScenarioText {
  readonly text: string;
  /** The path as the user wrote it, or scenarios/<name>.yaml for a built-in. */
  readonly display: string;
}

/** Read a scenario given as a file path or a built-in name. */
export function readScenario(arg: string): ScenarioText {
  const looksLikePath = arg.includes('/') || arg.includes('\\') || EXT.test(arg);
  if (existsSync(arg) && !looksLikeDir(arg)) return { text: read(arg), display: arg };
  if (!looksLikePath) {
    for (const f of readdirSafe(SCENARIO_DIR)) {
      if (f.replace(EXT, '') === arg && EXT.test(f)) return { text: read(join(SCENARIO_DIR, f)), display: `scenarios/${f}` };
    }
  }
  const names = builtinScenarios();
  if (looksLikePath) throw new UsageError(`no such file '${arg}'; give a path to a .yaml or .json scenario, or a built-in name (barmap list)`);
  throw new UsageError(`no scenario file or built-in scenario named '${arg}'; built-in: ${names.join(', ') || 'none'} (barmap list)`);
}

function looksLikeDir(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function read(path: string): string {
  return readTextFile(path, 'scenario', FILE_LIMITS.scenario);
}
