/**
 * The verdict per design: what `barmap check` prints first and the HTML
 * report shows first. Designs are rows; each row lists what the design
 * breaks (invariant, shortest trace in transitions, scenario), leaving out
 * the findings every design shares — those are listed once above the rows,
 * because they say nothing about which design is better. Arch profiles are
 * folded: a finding that holds on every profile of the run carries no arch,
 * one that does not names the profiles it breaks on.
 *
 * Pure: computed from the result cells alone (plus the jobs that did not
 * run), so a merge of shards or a results file gives the same verdict.
 */
import type { Cell } from '../check/results.js';

/** One (invariant, scenario) broken on a design, folded over arch profiles. */
export interface Finding {
  readonly invariant: string;
  readonly scenario: string;
  /** Shortest and longest trace over the archs (transitions). */
  readonly min: number;
  readonly max: number;
  /** The arch profiles it breaks on; empty when it breaks on every profile of the run. */
  readonly archs: readonly string[];
  /** Every cell behind it is what the scenario expects. */
  readonly ok: boolean;
}

/** A design's row. */
export interface DesignVerdict {
  readonly design: string;
  /** What this design breaks beyond the shared findings, shortest first. */
  readonly breaks: readonly Finding[];
  /** Results that are not as the scenarios expect, other than broken cells (an expected violation that held). */
  readonly missing: readonly string[];
  /** Searches that did not finish (cut by --max-states or Ctrl-C) or jobs that never ran: `scenario/arch`. */
  readonly incomplete: readonly string[];
  readonly notRun: readonly string[];
  /** Jobs that failed (the footer's ERROR lines say why): `scenario/arch`. */
  readonly failed: readonly string[];
}

export interface Verdict {
  readonly designs: readonly DesignVerdict[];
  /** Findings of every design (on the same archs); `min`/`max` over designs too. */
  readonly shared: readonly Finding[];
  readonly archs: readonly string[];
}

/** A job that has no result (interrupted before it ran, or failed). */
export interface UnrunJob {
  readonly scenario: string;
  readonly design: string;
  readonly arch: string;
  /** It ran and failed (its setup, say), rather than never running. */
  readonly failed?: boolean;
}

const SEP = '\u0000';

/** Per design, per (invariant, scenario): arch -> {length, ok}. */
function brokenByDesign(cells: readonly Cell[]): Map<string, Map<string, Map<string, { length: number; ok: boolean }>>> {
  const out = new Map<string, Map<string, Map<string, { length: number; ok: boolean }>>>();
  for (const c of cells) {
    if (c.status !== 'broken') continue;
    const d = out.get(c.design) ?? new Map<string, Map<string, { length: number; ok: boolean }>>();
    out.set(c.design, d);
    const key = `${c.invariant}${SEP}${c.scenario}`;
    const a = d.get(key) ?? new Map<string, { length: number; ok: boolean }>();
    d.set(key, a);
    a.set(c.arch, { length: c.length ?? 0, ok: c.ok });
  }
  return out;
}

function finding(key: string, per: ReadonlyMap<string, { length: number; ok: boolean }>, archs: readonly string[]): Finding {
  const [invariant, scenario] = key.split(SEP) as [string, string];
  const lengths = [...per.values()].map((v) => v.length);
  const everyArch = archs.every((a) => per.has(a));
  return {
    invariant, scenario, min: Math.min(...lengths), max: Math.max(...lengths),
    archs: everyArch ? [] : archs.filter((a) => per.has(a)), ok: [...per.values()].every((v) => v.ok),
  };
}

const byLength = (a: Finding, b: Finding): number =>
  a.min - b.min || a.invariant.localeCompare(b.invariant) || a.scenario.localeCompare(b.scenario);

/** The verdict of a run: its cells, and the jobs that produced none. */
export function verdictOf(cells: readonly Cell[], unrun: readonly UnrunJob[] = []): Verdict {
  const designs = [...new Set([...cells.map((c) => c.design), ...unrun.map((u) => u.design)])];
  const archs = [...new Set([...cells.map((c) => c.arch), ...unrun.map((u) => u.arch)])];
  const broken = brokenByDesign(cells);
  // Shared: broken by every design on the same set of archs.
  const sharedKeys = new Set<string>();
  const first = broken.get(designs[0] ?? '');
  if (designs.length > 1 && first) {
    for (const [key, per] of first) {
      const archSet = [...per.keys()].sort().join(',');
      if (designs.every((d) => [...(broken.get(d)?.get(key)?.keys() ?? [])].sort().join(',') === archSet)) sharedKeys.add(key);
    }
  }
  const shared = [...sharedKeys].map((key) => {
    const all = new Map<string, { length: number; ok: boolean }>();
    const lengths: number[] = [];
    let ok = true;
    for (const d of designs) {
      for (const [arch, v] of broken.get(d)!.get(key)!) {
        all.set(arch, v);
        lengths.push(v.length);
        ok &&= v.ok;
      }
    }
    const f = finding(key, all, archs);
    return { ...f, min: Math.min(...lengths), max: Math.max(...lengths), ok };
  }).sort(byLength);
  const rows = designs.map((design): DesignVerdict => {
    const mine = cells.filter((c) => c.design === design);
    const breaks = [...(broken.get(design) ?? new Map<string, Map<string, { length: number; ok: boolean }>>())]
      .filter(([key]) => !sharedKeys.has(key))
      .map(([key, per]) => finding(key, per, archs)).sort(byLength);
    const missing = mine.filter((c) => c.expected && c.status !== 'broken' && !c.ok)
      .map((c) => `${c.invariant} expected in ${c.scenario}/${c.arch} but not found`);
    const incomplete = [...new Set(mine.filter((c) => !c.complete && c.status !== 'broken' && c.status !== 'not run').map((c) => `${c.scenario}/${c.arch}`))];
    const notRun = unrun.filter((u) => u.design === design && !u.failed).map((u) => `${u.scenario}/${u.arch}`);
    const failed = unrun.filter((u) => u.design === design && u.failed).map((u) => `${u.scenario}/${u.arch}`);
    return { design, breaks, missing, incomplete, notRun, failed };
  });
  return { designs: rows, shared, archs };
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > width) { lines.push(line); line = w; } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

/** `5`, `12-15` over archs or designs; 0 transitions means the setup itself breaks it. */
function lengthText(f: Finding): string {
  const n = (x: number): string => (x === 0 ? 'setup' : String(x));
  return f.min === f.max ? n(f.min) : `${n(f.min)}-${f.max}`;
}

function archText(f: Finding): string {
  return f.archs.length ? `on ${f.archs.join(', ')}` : '';
}

function pad(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Fold a list of `scenario/arch` into `scenario (arch, arch)` per scenario. */
function foldWhere(list: readonly string[], archs: readonly string[]): string {
  const by = new Map<string, string[]>();
  for (const w of list) {
    const i = w.lastIndexOf('/');
    const [s, a] = [w.slice(0, i), w.slice(i + 1)];
    by.set(s, [...(by.get(s) ?? []), a]);
  }
  return [...by].map(([s, as]) => (as.length === archs.length ? s : `${s} (${as.join(', ')})`)).join(', ');
}

/**
 * The verdict as text: the shared findings, then one block per design.
 * `holdsWord` is what a design that breaks nothing else gets ("breaks
 * nothing else to the bound", or for random walks "nothing else found").
 */
export function verdictLines(v: Verdict, holdsWord = 'nothing else (every other invariant holds to the bound)'): string[] {
  const out: string[] = [];
  const mark = (f: Finding): string => (f.ok ? '' : '!');
  if (v.shared.length) {
    out.push(`every design breaks (${v.shared.length}; the same on each, so it does not tell them apart):`);
    out.push(...pad(v.shared.map((f) => ['', f.invariant, lengthText(f), f.scenario, archText(f), mark(f)])));
    out.push('');
  }
  out.push(v.shared.length ? 'what tells the designs apart (invariant, shortest trace in transitions, scenario, arch profiles when not all):'
    : 'per design (invariant, shortest trace in transitions, scenario, arch profiles when not all):');
  // One line per broken invariant: its shortest finding, then the other scenarios that break it
  // (wrapped); notes (failed, not run, cut short, expected but held) are plain lines. A design
  // whose row is the same as an earlier one's says so in one line.
  const entries: { design: string; cols?: string[]; note?: string; more?: string[] }[] = [];
  const seen = new Map<string, string>();
  for (const d of v.designs) {
    const sig = JSON.stringify([d.breaks, d.missing, d.failed, d.notRun, d.incomplete]);
    const same = seen.get(sig);
    if (same !== undefined && d.breaks.length) { entries.push({ design: d.design, note: `the same as ${same}` }); continue; }
    seen.set(sig, d.design);
    const mine: { cols?: string[]; note?: string; more?: string[] }[] = [];
    for (const inv of [...new Set(d.breaks.map((f) => f.invariant))]) {
      const [top, ...rest] = d.breaks.filter((f) => f.invariant === inv);
      const also = rest.map((f) => `${f.scenario} ${lengthText(f)}${f.archs.length ? ` on ${f.archs.join(', ')}` : ''}${mark(f)}`);
      mine.push({ cols: [inv, lengthText(top!), top!.scenario, archText(top!), mark(top!)], ...(also.length ? { more: wrap(`also: ${also.join(', ')}`, 96) } : {}) });
    }
    mine.push(...d.missing.map((m) => ({ note: `! ${m}` })));
    if (d.failed.length) mine.push({ note: `! failed (see ERROR below): ${foldWhere(d.failed, v.archs)}` });
    if (d.notRun.length) mine.push({ note: `* not run: ${foldWhere(d.notRun, v.archs)}` });
    if (d.incomplete.length) mine.push({ note: `* search cut short: ${foldWhere(d.incomplete, v.archs)}` });
    if (d.breaks.length === 0) mine.unshift({ note: holdsWord });
    entries.push(...mine.map((e) => ({ design: d.design, ...e })));
  }
  const width = Math.max(0, ...v.designs.map((d) => d.design.length));
  const aligned = pad(entries.filter((e) => e.cols).map((e) => e.cols!));
  let k = 0;
  let last = '';
  for (const e of entries) {
    const who = (e.design === last ? '' : e.design).padEnd(width);
    last = e.design;
    out.push(`  ${who}  ${e.cols ? aligned[k++]! : e.note!}`.trimEnd());
    for (const m of e.more ?? []) out.push(`  ${''.padEnd(width)}    ${m}`);
  }
  return out;
}
