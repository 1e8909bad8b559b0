/**
 * Whether node was given a V8 flag, on its command line or in NODE_OPTIONS:
 * barmap sets a heap option only where the user has not (src/cli/heap.ts,
 * the search workers' young generation in src/check/split.ts).
 */
export function nodeWasGiven(flag: RegExp, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => flag.test(a));
}
