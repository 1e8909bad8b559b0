/**
 * The result matrix as text: one row per invariant, one column per
 * design/arch, each cell `holds`, `broken N` (the shortest trace's length in
 * transitions, from the scenario named below the table) or `n/a` (not
 * checked). `*` marks a cell whose search was cut (maxStates or Ctrl-C),
 * `!` a cell that is not what the scenarios expect.
 */
import type { Cell } from '../check/results.js';
import { aggregate, aggregateKey } from '../check/results.js';

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** The matrix lines for a set of cells (in the order designs, archs and invariants first appear). */
export function matrixLines(cells: readonly Cell[], holds = 'holds'): string[] {
  const uniq = (f: (c: Cell) => string): string[] => [...new Set(cells.map(f))];
  const columns = uniq((c) => `${c.design}\u0000${c.arch}`);
  const invariants = uniq((c) => c.invariant);
  const agg = aggregate(cells);
  const header = ['invariant', ...columns.map((k) => k.replace('\u0000', '/'))];
  const rows = invariants.map((inv) => [inv, ...columns.map((col) => {
    const [design, arch] = col.split('\u0000') as [string, string];
    const a = agg.get(aggregateKey(design, arch, inv));
    if (!a) return 'n/a';
    const text = a.status === 'broken' ? `broken ${a.length} (${a.scenario})` : a.status === 'holds' ? holds : a.status;
    return text + (a.complete ? '' : '*') + (a.ok ? '' : ' !');
  })]);
  return pad([header, ...rows]).map((l) => '  ' + l);
}

/** Per-scenario lines: what each (scenario, design, arch) found and whether it was expected. */
export function scenarioLines(cells: readonly Cell[]): string[] {
  const out: string[] = [];
  const keys = [...new Set(cells.map((c) => `${c.scenario}\u0000${c.design}\u0000${c.arch}`))];
  for (const key of keys) {
    const [scenario, design, arch] = key.split('\u0000') as [string, string, string];
    const mine = cells.filter((c) => c.scenario === scenario && c.design === design && c.arch === arch);
    const broken = mine.filter((c) => c.status === 'broken').map((c) => `${c.invariant} (${c.length})${c.expected ? '' : ' UNEXPECTED'}`);
    const missing = mine.filter((c) => c.expected && c.status !== 'broken').map((c) => `${c.invariant} expected but held`);
    if (mine.every((c) => c.status === 'not run')) { out.push(`  ${scenario}  ${design}/${arch}: not run`); continue; }
    const cut = mine.some((c) => !c.complete) ? ' [incomplete]' : '';
    const what = [...broken, ...missing].join(', ') || 'all hold';
    out.push(`  ${scenario}  ${design}/${arch}: ${what}${cut}`);
  }
  return out;
}
