/**
 * `barmap compare A B [scenario...] [--arch P ...] [--workers N] [--out DIR] [--json]`:
 * what design B fixes and breaks relative to design A, cell by cell
 * (scenario × arch × invariant), with the shortest trace of each difference
 * explained (src/report/explain.ts). A and B are built-in design names
 * (both are checked now, on the built-in suite or the scenarios named) or
 * two results files written by `barmap check --out FILE.json`
 * (`FILE.json#DESIGN` picks a design from a file that holds several).
 * Exit 0 when B breaks nothing A holds, 1 when it does, 2 for usage errors.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { cellsOf } from '../check/results.js';
import type { Cell } from '../check/results.js';
import type { JobOutcome } from '../check/split.js';
import { replayTrace } from '../check/replay.js';
import { checkInvariantNames } from '../scenario/check-section.js';
import { DESIGNS } from '../designs/index.js';
import { compareCells, comparisonLines } from '../report/compare.js';
import type { Difference } from '../report/compare.js';
import { explainTrace } from '../report/explain.js';
import { DEFAULT_TRACE_DIR, planCheck, plannedWorkers, runInWorkers, saveTraces } from './check.js';
import { readResults } from './merge.js';
import { EXIT, UsageError } from './errors.js';

export interface CompareFlags {
  readonly arch?: readonly string[];
  readonly workers?: string;
  readonly out?: string;
  readonly json?: boolean;
}

/** `FILE.json#DESIGN` or `FILE.json`: the outcomes of one design from a results file. */
function fromFile(arg: string): { design: string; outcomes: JobOutcome[] } {
  const hash = arg.lastIndexOf('#');
  const file = hash > 0 ? arg.slice(0, hash) : arg;
  const doc = readResults(file);
  const designs = [...new Set(doc.outcomes.map((o) => o.spec.design))];
  const design = hash > 0 ? arg.slice(hash + 1) : designs.length === 1 ? designs[0]! : undefined;
  if (design === undefined) throw new UsageError(`${file} holds designs ${designs.join(', ')}; name one as ${file}#DESIGN`);
  if (!designs.includes(design)) throw new UsageError(`${file} holds no results of design '${design}'; it holds ${designs.join(', ')}`);
  return { design, outcomes: doc.outcomes.filter((o) => o.spec.design === design).map((o) => ({ ...o })) };
}

function isDesign(arg: string): boolean {
  return DESIGNS.some((d) => d.name === arg);
}

export async function compareCommand(a: string, b: string, scenarios: readonly string[], f: CompareFlags, out: (line: string) => void): Promise<number> {
  const kinds = [a, b].map((x) => (isDesign(x) ? 'design' : existsSync(x.replace(/#[^#/]*$/, '')) ? 'file' : 'none'));
  const bad = [a, b].find((_, i) => kinds[i] === 'none');
  if (bad !== undefined) {
    throw new UsageError(`'${bad}' is neither a built-in design (${DESIGNS.map((d) => d.name).join(', ')}) nor a results file (barmap check --out FILE.json)`);
  }
  if (kinds[0] !== kinds[1]) throw new UsageError('compare two designs or two results files, not one of each');
  if (a === b) throw new UsageError(`compare needs two different designs or files, not '${a}' twice`);
  let outcomes: JobOutcome[];
  let A = a;
  let B = b;
  if (kinds[0] === 'design') {
    const { jobs } = await planCheck(scenarios, { design: [a, b], ...(f.arch?.length ? { arch: f.arch } : {}), ...(f.workers !== undefined ? { workers: f.workers } : {}) });
    const r = await runInWorkers(jobs, plannedWorkers({ ...(f.workers !== undefined ? { workers: f.workers } : {}) }), undefined);
    if (r.interrupted) out('# interrupted (Ctrl-C): cells of jobs that did not finish are not compared');
    outcomes = r.outcomes;
  } else {
    if (scenarios.length || f.arch?.length) throw new UsageError('scenarios and --arch choose what to check; with results files, check with them and compare the files');
    const fa = fromFile(a);
    const fb = fromFile(b);
    if (fa.design === fb.design) throw new UsageError(`both files hold design '${fa.design}'; compare two designs`);
    [A, B] = [fa.design, fb.design];
    outcomes = [...fa.outcomes, ...fb.outcomes];
  }
  const all = checkInvariantNames();
  const cells: Cell[] = outcomes.flatMap((o) => (o.result ? cellsOf(o.result, all) : []));
  const archs = [...new Set(cells.map((c) => c.arch))];
  const cmp = compareCells(A, B, cells);
  const failed = outcomes.filter((o) => !o.result).map((o) => `${o.spec.source.file} (design ${o.spec.design}, arch ${o.spec.arch ?? 'its own'}): ${o.error ?? 'not run'}`);
  const dir = f.out ?? DEFAULT_TRACE_DIR;
  const traces = saveTraces(outcomes, dir);
  // The shortest trace of each difference, per invariant and direction.
  const shortest = (ds: readonly Difference[], design: string, side: 'a' | 'b'): { title: string; path: string }[] => {
    const picked = new Map<string, Difference>();
    for (const d of ds) {
      const p = picked.get(d.invariant);
      if (!p || (d[side] ?? 0) < (p[side] ?? 0)) picked.set(d.invariant, d);
    }
    return [...picked.values()].flatMap((d) => {
      const t = traces.get(`${d.scenario}\u0000${design}\u0000${d.arch}\u0000${d.invariant}`);
      return t ? [{ title: `${d.invariant} on ${design}`, path: relative(process.cwd(), t.path) || t.path }] : [];
    });
  };
  const shown = [...shortest(cmp.fixes, A, 'a').map((s) => ({ ...s, why: `${B} fixes` })), ...shortest(cmp.breaks, B, 'b').map((s) => ({ ...s, why: `${B} breaks` }))];
  if (f.json) {
    out(JSON.stringify({ version: 1, a: A, b: B, fixes: cmp.fixes, breaks: cmp.breaks, both: cmp.both, holds: cmp.holds, incomparable: cmp.incomparable, errors: failed, traces: shown }));
  } else {
    out(`# barmap compare ${A} ${B}: ${outcomes.length} job(s) over ${archs.join(', ')}`);
    out('');
    comparisonLines(cmp, archs).forEach((l) => out(l));
    for (const s of shown) {
      out('');
      out(`== shortest trace of what ${s.why}: ${s.title} (${s.path})`);
      const t = [...traces.values()].find((x) => (relative(process.cwd(), x.path) || x.path) === s.path)!;
      explainTrace(t.tf, replayTrace(t.tf), s.path).lines.forEach((l) => out(`  ${l}`.trimEnd()));
    }
    out('');
    for (const e of failed) out(`# ERROR ${e}`);
    out(`# ${B} vs ${A}: fixes ${cmp.fixes.length}, breaks ${cmp.breaks.length}, broken on both ${cmp.both.length}, holds on both ${cmp.holds} (cells); traces in ${dir}/`);
  }
  return cmp.breaks.length || failed.length ? EXIT.failed : EXIT.ok;
}
