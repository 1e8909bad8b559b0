/**
 * Merging the results of shards (`barmap check --shard i/N`) into the
 * results one unsharded run gives.
 *
 * The shards of one job are the results with the same scenario, design,
 * arch, defects, bounds, invariants and reduction, and shard counts N; they
 * must cover 0..N-1 once each. The merged job has:
 * - per invariant, the shortest violation over the shards (ties: the lowest
 *   shard), which is the single run's shortest length: every shard explores
 *   the levels before the split in full, and a shortest path to a violation
 *   past the split goes through a node of the split level that one shard owns;
 * - the states: the size of the union of the shards' visited keys — each
 *   shard also holds the levels before the split and every node of the split
 *   level, so the shards overlap, and only the union counts each state once.
 *   It equals the single run's count when every shard is complete;
 * - transitions and milliseconds summed (work done), depth the largest,
 *   complete when every shard is.
 * Results that are not shards pass through unchanged.
 */
import type { JobResult, JobSpec } from './job.js';
import { decodeKeys } from './job.js';
import { VisitedSet } from './visited.js';
import { storedHalf } from './shared-visited.js';

export interface Outcome {
  readonly spec: JobSpec;
  readonly result?: JobResult;
  readonly error?: string;
}

/** Shards that do not add up: one line each. */
export class MergeError extends Error {
  override name = 'MergeError';
}

/** Shards are peers when they have the same scenario name, design and arch; {@link peerMismatch} then checks the rest. */
function groupKey(o: Outcome): string {
  const r = o.result!;
  return JSON.stringify([r.scenario, r.design, r.arch]);
}

/** What a shard must share with its peers, each with a name for the message. */
function identity(o: Outcome): [string, unknown][] {
  const r = o.result!;
  const s = o.spec as Outcome['spec'] & Record<string, unknown>;
  return [
    ['scenario text', o.spec.source.text], ['bounds', r.bounds], ['defects', r.defects], ['invariants', r.invariants],
    ['reduction (--no-por)', r.por ?? true], ['mode', r.mode], ['shard count', r.shard?.count],
    // written by a later barmap that records the design's source; compared when present
    ['design path', s['designPath']], ['design hash', s['designHash']],
  ];
}

/** The first way a shard differs from the group's first, or undefined. */
function peerMismatch(first: Outcome, o: Outcome): string | undefined {
  const a = identity(first);
  const b = identity(o);
  for (let i = 0; i < a.length; i++) {
    if (JSON.stringify(a[i]![1]) !== JSON.stringify(b[i]![1])) return a[i]![0];
  }
  return undefined;
}

/** Combine shard results; throws MergeError when a job's shards are missing, repeated or of different counts. */
export function mergeOutcomes(outcomes: readonly Outcome[]): Outcome[] {
  const out: Outcome[] = [];
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    if (!o.result?.shard) { out.push(o); continue; }
    const key = groupKey(o);
    const g = groups.get(key);
    if (g) g.push(o);
    else {
      groups.set(key, [o]);
      out.push(o); // placeholder, replaced below
    }
  }
  return out.map((o) => {
    if (!o.result?.shard) return o;
    return mergeGroup(groups.get(groupKey(o))!);
  });
}

function mergeGroup(g: readonly Outcome[]): Outcome {
  const first = g[0]!.result!;
  const n = first.shard!.count;
  const where = `${first.scenario} (design ${first.design}, arch ${first.arch})`;
  const seen = new Map<number, Outcome>();
  for (const o of g) {
    const differs = peerMismatch(g[0]!, o);
    if (differs !== undefined) {
      throw new MergeError(`${where}: shard ${o.result!.shard!.index}/${o.result!.shard!.count} differs from shard ${first.shard!.index}/${n} in its ${differs}; merge the shards of one barmap check command line`);
    }
    const i = o.result!.shard!.index;
    if (seen.has(i)) throw new MergeError(`${where}: shard ${i}/${n} given twice`);
    seen.set(i, o);
  }
  const missing = [...Array(n).keys()].filter((i) => !seen.has(i));
  if (missing.length) throw new MergeError(`${where}: shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing`);
  const shards = [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => o.result!);
  const union = new VisitedSet();
  for (const r of shards) {
    if (r.keys === undefined) throw new MergeError(`${where}: shard ${r.shard!.index}/${n} has no visited keys (written by an older barmap?)`);
    const keys = decodeKeys(r.keys);
    // A split shard's shared set stores a 0 half of a key as 1: every shard's keys alike.
    for (let i = 0; i < keys.length; i += 2) union.addKey(storedHalf(keys[i]!), storedHalf(keys[i + 1]!));
  }
  const order = first.invariants;
  const found = new Map<string, JobResult['found'][number]>();
  for (const r of shards) {
    for (const f of r.found) {
      const prev = found.get(f.invariant);
      if (!prev || f.schedule.length < prev.schedule.length) found.set(f.invariant, f);
    }
  }
  const records = [...found.values()].sort((a, b) =>
    Number(a.schedule.length > 0) - Number(b.schedule.length > 0) || order.indexOf(a.invariant) - order.indexOf(b.invariant));
  const complete = shards.every((r) => r.stats.complete);
  const interrupted = shards.some((r) => r.stats.stop === 'interrupted');
  const maxed = shards.some((r) => r.stats.stop === 'max-states');
  const { shard: _s, keys: _k, samples: _x, ...rest } = first;
  const result: JobResult = {
    ...rest,
    stats: {
      states: union.size,
      // Nodes and transitions are work done: summed (a node two shards keep is counted twice).
      nodes: shards.reduce((a, r) => a + (r.stats.nodes ?? 0), 0),
      transitions: shards.reduce((a, r) => a + r.stats.transitions, 0),
      depth: Math.max(...shards.map((r) => r.stats.depth)),
      complete,
      stop: interrupted ? 'interrupted' : maxed ? 'max-states' : 'done',
      visitedBytes: union.bytes,
      ms: shards.reduce((a, r) => a + r.stats.ms, 0),
      workers: shards.reduce((a, r) => a + (r.stats.workers ?? 1), 0),
    },
    found: records,
  };
  const { shard: _t, ...spec } = g[0]!.spec;
  return { spec, result };
}
