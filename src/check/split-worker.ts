/**
 * A worker thread of a split search (src/check/split.ts): one job's
 * breadth-first search shared by N workers.
 *
 * Every worker builds the model and runs the first levels itself, the same
 * in each (the search is deterministic), until a level has at least
 * PARTITION_MIN × N nodes. There the workers split: each keeps the frontier
 * nodes whose key falls in its part and moves its visited keys into the
 * visited set they share. From then on each worker expands its own nodes
 * and keeps the children it was first to insert into the shared set; after
 * each level it waits for the others (the levels stay in step, so the first
 * violation found is still a shortest one), drops the nodes of its frontier
 * that a node another worker kept dominates, and waits again: a worker that
 * went on to the next level would put nodes one level deeper into the
 * shared fronts, which a worker still filtering would take for nodes of its
 * own level and drop a node it must expand. Within a level, a worker out of
 * nodes takes some of another's nodes of that level (src/check/steal.ts).
 *
 * In:  workerData { spec, index, count, visited: SharedVisitedBuffers, nodes: SharedVisitedBuffers, stop: SharedArrayBuffer,
 *      steal?: { control, ports } }
 *      { type: 'filter', skip: string[], finish } after each level once split, then
 *      { type: 'go', give?, receive? } once every worker has filtered
 * Out: { type: 'level', ... } after each level once split, { type: 'filtered', frontier } after filtering,
 *      { type: 'progress', stats } now and then,
 *      { type: 'result', ... } at the end, { type: 'error', message, setup } on failure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Search, PARTITION_MIN, shardOf } from './bfs.js';
import type { CheckStats, MovedNodes } from './bfs.js';
import { prepareJob, foundRecords } from './job.js';
import { preloadDesigns } from './design-file.js';
import type { FoundRecord, JobSpec } from './job.js';
import { SharedVisitedSet } from './shared-visited.js';
import type { SharedVisitedBuffers } from './shared-visited.js';
import type { KeySet } from './visited.js';
import { SetupError } from './model.js';
import { LevelSteal } from './steal.js';
import type { MessagePort } from 'node:worker_threads';

export interface SplitInput {
  readonly spec: JobSpec;
  readonly index: number;
  readonly count: number;
  readonly visited: SharedVisitedBuffers;
  /** The nodes seen, shared, for a search without the reduction (--no-por). */
  readonly nodes: SharedVisitedBuffers;
  readonly stop: SharedArrayBuffer;
  /** Work stealing within levels (src/check/steal.ts): the control block and this worker's port to each other worker. */
  readonly steal?: { readonly control: SharedArrayBuffer; readonly ports: readonly (MessagePort | null)[] };
}

/**
 * After a level: the invariants found anywhere and whether to stop
 * ('filter'); once every worker has filtered its frontier, the balancing of
 * the next level's frontiers ('go'): `give` nodes to another worker, or
 * `receive` a 'nodes' message before expanding.
 */
export type SplitToWorker =
  | { readonly type: 'filter'; readonly skip: readonly string[]; readonly finish: boolean }
  | { readonly type: 'go'; readonly give?: { readonly to: number; readonly count: number }; readonly receive?: boolean }
  | { readonly type: 'nodes'; readonly nodes: MovedNodes };

export type SplitFromWorker =
  | { readonly type: 'level'; readonly index: number; readonly frontier: number; readonly stopped: boolean;
      readonly found: readonly { readonly invariant: string; readonly depth: number }[] }
  | { readonly type: 'filtered'; readonly index: number; readonly frontier: number }
  | { readonly type: 'progress'; readonly index: number; readonly stats: CheckStats }
  | { readonly type: 'nodes'; readonly index: number; readonly to: number; readonly nodes: MovedNodes }
  | { readonly type: 'result'; readonly index: number; readonly split: boolean;
      /** Found violations with the depth of each (schedules as trace files store them). */
      readonly found: readonly (FoundRecord & { readonly depth: number })[];
      readonly stats: CheckStats; readonly prefixTransitions: number; readonly prefixNodes: number; readonly keys?: Uint32Array;
      readonly setupMs: number; readonly samples: readonly (readonly [number, number, number])[];
      /** Nodes received from other workers within levels; ms idle inside levels, and waiting at the barriers. */
      readonly stolen: number; readonly idleMs: number; readonly barrierMs: number }
  | { readonly type: 'error'; readonly index: number; readonly message: string; readonly setup: boolean };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const input = workerData as SplitInput;
  const post = (m: SplitFromWorker): void => port.postMessage(m);
  const inbox: SplitToWorker[] = [];
  let wake: (() => void) | null = null;
  port.on('message', (m: SplitToWorker) => {
    inbox.push(m);
    wake?.();
  });
  const receive = async (): Promise<SplitToWorker> => {
    while (inbox.length === 0) await new Promise<void>((r) => { wake = r; });
    wake = null;
    return inbox.shift()!;
  };
  let barrierMs = 0;
  /** The main thread's next word at a level's end, the wait counted in `barrierMs`. */
  const atBarrier = async (): Promise<SplitToWorker> => {
    const t = Date.now();
    const m = await receive();
    barrierMs += Date.now() - t;
    return m;
  };
  const stop = new Int32Array(input.stop);
  try {
    await preloadDesigns([input.spec.design]);
    const t0 = Date.now();
    const p = prepareJob(input.spec);
    const setupMs = Date.now() - t0;
    const search = new Search(p.m.model, { por: input.spec.por ?? true });
    const shard = input.spec.shard;
    let sharded = shard === undefined;
    let split = false;
    let prefixTransitions = 0;
    let prefixNodes = 0;
    let last = 0;
    const samples: [number, number, number][] = [];
    const tick = (): boolean => {
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        const stats = search.stats(false);
        post({ type: 'progress', index: input.index, stats });
        if (input.index === 0) samples.push([now - t0, stats.states, stats.depth]);
      }
      return Atomics.load(stop, 0) === 0;
    };
    const steal = input.steal ? new LevelSteal(input.steal.control, input.index, input.steal.ports) : null;
    for (;;) {
      if (!split) {
        if (search.done) break;
        if (!sharded && search.frontier.length >= PARTITION_MIN * shard!.count) {
          search.partition((hi) => shardOf(hi, shard!.count) === shard!.index);
          sharded = true;
        }
        if (sharded && search.frontier.length >= PARTITION_MIN * input.count) {
          search.visited = moveInto(search.visited, new SharedVisitedSet(input.visited));
          if (search.nodeSet) search.nodeSet = moveInto(search.nodeSet, new SharedVisitedSet(input.nodes));
          search.partition((_hi, lo) => (lo >>> 0) % input.count === input.index);
          search.levelFilter = false;
          prefixTransitions = search.transitions;
          prefixNodes = search.nodes;
          split = true;
        } else {
          search.expandLevel(tick);
          if (!tick()) search.stopped = true;
          continue;
        }
      }
      // Split: every worker takes part in every level (the block counts each busy), even with no nodes of its own.
      if (steal) steal.level(search, tick);
      else if (!search.done) search.expandLevel(tick);
      // Split: report the level and wait for the others.
      post({
        type: 'level', index: input.index, frontier: search.frontier.length, stopped: search.stopped,
        found: [...search.found].map(([invariant, f]) => ({ invariant, depth: f.depth })),
      });
      const end = await atBarrier();
      if (end.type !== 'filter') throw new Error('split worker: expected the end of the level');
      if (end.finish) break;
      for (const name of end.skip) search.skip.add(name);
      // Every worker has ended the level: the shared fronts now tell which nodes another node dominates.
      search.filterShared();
      post({ type: 'filtered', index: input.index, frontier: search.frontier.length });
      const go = await atBarrier();
      if (go.type !== 'go') throw new Error('split worker: expected the level\'s go');
      if (go.give) post({ type: 'nodes', index: input.index, to: go.give.to, nodes: search.give(go.give.count) });
      if (go.receive) {
        const m = await receive();
        if (m.type !== 'nodes') throw new Error('split worker: expected the nodes given to it');
        search.adopt(m.nodes);
      }
    }
    const found = foundRecords(p, search.results()).map((f) => ({
      ...f, depth: f.schedule.length,
    }));
    post({
      type: 'result', index: input.index, split, found, stats: search.stats(!search.stopped), prefixTransitions, prefixNodes,
      ...(shard && !split ? { keys: search.visited.keys() } : {}), setupMs, samples,
      stolen: steal?.received ?? 0, idleMs: steal?.idleMs ?? 0, barrierMs,
    });
  } catch (e) {
    post({ type: 'error', index: input.index, message: e instanceof Error ? e.message : String(e), setup: e instanceof SetupError });
  }
}

/** Move a worker's own set (keys with their fronts) into the shared one; every worker moves the same keys. */
function moveInto(own: KeySet, shared: SharedVisitedSet): SharedVisitedSet {
  const keys = own.keys();
  const fronts = own.fronts();
  for (let i = 0; i < fronts.length; i++) shared.insert(keys[2 * i]!, keys[2 * i + 1]!, fronts[i]!);
  return shared;
}

void main();
