/**
 * Comparing two designs' results cell by cell (scenario × arch × invariant):
 * what B fixes (broken on A, holds on B), what it breaks (the reverse), what
 * is unchanged, and what cannot be compared (checked on one side only, or a
 * search cut short). Pure: from result cells.
 */
import type { Cell } from '../check/results.js';

export interface Difference {
  readonly invariant: string;
  readonly scenario: string;
  readonly arch: string;
  /** Trace length on the side where it breaks (both sides for `both`). */
  readonly a?: number;
  readonly b?: number;
}

export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly fixes: readonly Difference[];
  readonly breaks: readonly Difference[];
  /** Broken on both (the lengths may differ). */
  readonly both: readonly Difference[];
  /** Cells that hold on both. */
  readonly holds: number;
  /** `scenario/arch invariant` compared on one side only, or cut short. */
  readonly incomparable: readonly string[];
}

const key = (c: Cell): string => `${c.scenario}\u0000${c.arch}\u0000${c.invariant}`;

export function compareCells(a: string, b: string, cells: readonly Cell[]): Comparison {
  const side = (d: string): Map<string, Cell> => new Map(cells.filter((c) => c.design === d && c.status !== 'n/a').map((c) => [key(c), c]));
  const A = side(a);
  const B = side(b);
  const fixes: Difference[] = [];
  const breaks: Difference[] = [];
  const both: Difference[] = [];
  const incomparable: string[] = [];
  let holds = 0;
  for (const k of [...new Set([...A.keys(), ...B.keys()])]) {
    const ca = A.get(k);
    const cb = B.get(k);
    const [scenario, arch, invariant] = k.split('\u0000') as [string, string, string];
    const d = { invariant, scenario, arch };
    if (!ca || !cb) { incomparable.push(`${scenario}/${arch} ${invariant} (checked on ${ca ? a : b} only)`); continue; }
    const ba = ca.status === 'broken';
    const bb = cb.status === 'broken';
    if ((!ba && !ca.complete) || (!bb && !cb.complete)) { incomparable.push(`${scenario}/${arch} ${invariant} (search cut short)`); continue; }
    if (ba && bb) both.push({ ...d, a: ca.length!, b: cb.length! });
    else if (ba) fixes.push({ ...d, a: ca.length! });
    else if (bb) breaks.push({ ...d, b: cb.length! });
    else holds++;
  }
  const order = (x: Difference, y: Difference): number =>
    x.invariant.localeCompare(y.invariant) || (x.a ?? x.b ?? 0) - (y.a ?? y.b ?? 0) || x.scenario.localeCompare(y.scenario) || x.arch.localeCompare(y.arch);
  return { a, b, fixes: fixes.sort(order), breaks: breaks.sort(order), both: both.sort(order), holds, incomparable };
}

/** Fold differences over archs: one line per (invariant, scenario) with its length range and the archs it covers. */
export function foldArchs(ds: readonly Difference[], archs: readonly string[]): { d: Difference; archs: string; lengths: string }[] {
  const by = new Map<string, Difference[]>();
  for (const d of ds) {
    const k = `${d.invariant}\u0000${d.scenario}`;
    by.set(k, [...(by.get(k) ?? []), d]);
  }
  const len = (n: number | undefined): string => (n === undefined ? '' : n === 0 ? 'setup' : String(n));
  const range = (ns: readonly (number | undefined)[]): string => {
    const xs = ns.filter((n): n is number => n !== undefined);
    if (!xs.length) return '';
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    return lo === hi ? len(lo) : `${len(lo)}-${hi}`;
  };
  return [...by.values()].map((g) => {
    const as = [...new Set(g.map((d) => d.arch))];
    const a = range(g.map((d) => d.a));
    const b = range(g.map((d) => d.b));
    return { d: g[0]!, archs: as.length === archs.length && archs.length > 1 ? 'every arch' : as.join(', '), lengths: a && b ? (a === b ? a : `${a} -> ${b}`) : a || b };
  });
}

/** The comparison as text (without the traces). */
export function comparisonLines(c: Comparison, archs: readonly string[]): string[] {
  const out: string[] = [];
  const table = (title: string, ds: readonly Difference[]): void => {
    out.push(`${title}${ds.length ? ':' : ': nothing'}`);
    const rows = foldArchs(ds, archs).map(({ d, archs: as, lengths }) => [d.invariant, lengths, d.scenario, as]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
    for (const r of rows) out.push('  ' + r.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd());
  };
  table(`${c.b} fixes (broken on ${c.a}, holds on ${c.b})`, c.fixes);
  out.push('');
  table(`${c.b} breaks (holds on ${c.a}, broken on ${c.b})`, c.breaks);
  out.push('');
  table(`unchanged, broken on both (trace length ${c.a} -> ${c.b})`, c.both);
  out.push(`unchanged, holds on both: ${c.holds} cell(s) (scenario × arch × invariant)`);
  if (c.incomparable.length) {
    out.push('', `not compared (${c.incomparable.length}):`);
    out.push(...c.incomparable.map((s) => `  * ${s}`));
  }
  return out;
}
