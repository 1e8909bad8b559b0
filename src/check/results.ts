/**
 * The result matrix: one cell per (scenario, design, arch, invariant), and
 * whether each cell is what the scenario expects (`violates:` or
 * `check.violates`). Cells are computed from job results alone, so results
 * of separate runs (or shards) combine by concatenating their jobs.
 */
import type { JobResult } from './job.js';

/** `not run`: the job never produced a result (interrupted before it ran, or it failed). */
export type CellStatus = 'holds' | 'broken' | 'n/a' | 'not run';

export interface Cell {
  readonly scenario: string;
  readonly design: string;
  readonly arch: string;
  readonly invariant: string;
  readonly status: CellStatus;
  /** Transitions in the (shortest or shrunk) schedule, when broken. */
  readonly length?: number;
  /** The search covered everything within its bounds (false: cut by maxStates or Ctrl-C). */
  readonly complete: boolean;
  /** The scenario expects this invariant to break here. */
  readonly expected: boolean;
  /** The cell is as expected: broken and expected, or holds and not expected (n/a is always fine). */
  readonly ok: boolean;
}

export function cellsOf(job: JobResult, allInvariants: readonly string[]): Cell[] {
  return allInvariants.map((invariant): Cell => {
    const checked = job.invariants.includes(invariant);
    const f = job.found.find((x) => x.invariant === invariant);
    const expected = job.expected.includes(invariant);
    const status: CellStatus = !checked ? 'n/a' : f ? 'broken' : 'holds';
    const ok = status === 'n/a' || (status === 'broken') === expected;
    return {
      scenario: job.scenario, design: job.design, arch: job.arch, invariant, status,
      ...(f ? { length: f.schedule.length } : {}), complete: job.stats.complete || f !== undefined, expected, ok,
    };
  });
}

/** The cells of a job that produced no result: never "holds". */
export function notRunCells(job: { readonly scenario: string; readonly design: string; readonly arch: string }, allInvariants: readonly string[]): Cell[] {
  return allInvariants.map((invariant): Cell => ({
    scenario: job.scenario, design: job.design, arch: job.arch, invariant, status: 'not run', complete: false, expected: false, ok: true,
  }));
}

/**
 * One line per cell that is not as expected. With random walks a cell that
 * did not break was only not found in the walks, not held to a bound.
 */
export function surprises(cells: readonly Cell[], random?: { readonly walks: number; readonly depth: number }): string[] {
  return cells.filter((c) => !c.ok).map((c) => {
    const where = `${c.scenario} (design ${c.design}, arch ${c.arch})`;
    if (c.status === 'broken') return `${where}: ${c.invariant} broke (trace ${c.length} transitions) but the scenario does not expect it (violates:)`;
    if (random) return `${where}: ${c.invariant} was expected to break (violates:) but was not found in ${random.walks} walks of depth ${random.depth}`;
    return `${where}: ${c.invariant} was expected to break (violates:) but held${c.complete ? ' to the bound' : ' as far as the search got (incomplete)'}`;
  });
}

/** A cell of the design × arch × invariant matrix, over all scenarios. */
export interface AggregateCell {
  readonly status: CellStatus;
  /** Shortest broken trace and its scenario. */
  readonly length?: number;
  readonly scenario?: string;
  readonly complete: boolean;
  readonly ok: boolean;
}

/** Aggregate cells by (design, arch, invariant): broken when any scenario broke it (the shortest named). */
export function aggregate(cells: readonly Cell[]): Map<string, AggregateCell> {
  const out = new Map<string, AggregateCell>();
  for (const c of cells) {
    const key = `${c.design}\u0000${c.arch}\u0000${c.invariant}`;
    const prev = out.get(key);
    const ok = (prev?.ok ?? true) && c.ok;
    const complete = (prev?.complete ?? true) && c.complete;
    let next: AggregateCell;
    if (c.status === 'broken' && (prev?.status !== 'broken' || (prev.length ?? Infinity) > (c.length ?? Infinity))) {
      next = { status: 'broken', length: c.length!, scenario: c.scenario, complete, ok };
    } else if (prev === undefined || (prev.status === 'n/a' && c.status === 'holds') || (prev.status === 'not run' && c.status !== 'not run')) {
      next = { status: c.status, complete, ok };
    } else next = { ...prev, complete, ok };
    out.set(key, next);
  }
  return out;
}

export function aggregateKey(design: string, arch: string, invariant: string): string {
  return `${design}\u0000${arch}\u0000${invariant}`;
}
