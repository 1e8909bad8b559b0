/**
 * Breadth-first search over schedules: every interleaving of the tasks'
 * steps and of the actions they may start, up to the bounds, with states
 * merged by fingerprint. The search goes level by level (all nodes at depth
 * d are expanded before any at d + 1), so the first violation of an
 * invariant found is a shortest schedule (in transitions) that breaks it —
 * also when the levels are shared among worker threads (src/check/split.ts)
 * or cut into shards (see {@link Search.partition}).
 *
 * A node is a kernel state plus the search's own bookkeeping that decides
 * the node's future: how many actions each task has started, which task ran
 * last (0 when that task can no longer run: then no switch costs a
 * preemption, so which task it was does not matter) and how many preemptions
 * the schedule spent. That bookkeeping is part of the merged key, so merging
 * never cuts off a future.
 *
 * Partial-order reduction (`por`): sleep sets from run-time footprints
 * (src/check/footprint.ts), restricted so that they stay sound under the
 * preemption bound; docs/check.md gives the argument.
 */
import type { KernelState } from '../kernel/state.js';
import { TABLE_NAMES } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import type { UserAction } from '../kernel/syscalls.js';
import type { Invariant, InvariantRead, Violation } from './invariants/types.js';
import type { Transition } from './transitions.js';
import { applyTransition, isDeadlocked, kernelTasks, transitionKey } from './transitions.js';
import { fingerprint, hashInts, hashValue } from './fingerprint.js';
import type { Fingerprint } from './fingerprint.js';
import { VisitedSet } from './visited.js';
import type { KeySet } from './visited.js';
import { Footprint, independent } from './footprint.js';
import { Kernel } from '../kernel/kernel.js';
import { isRunnable } from '../kernel/sched/step.js';

/** An action of an alphabet, optionally naming the alphabet entry it came from. */
export type AlphabetItem = UserAction | { readonly action: UserAction; readonly entry: number };

export interface CheckModel {
  readonly initial: KernelState;
  readonly design: Design;
  /** Actions task `tid` may start from user space in state `s` (arguments resolved). */
  readonly alphabet: (s: KernelState, tid: number) => readonly AlphabetItem[];
  /**
   * How a transition is applied (default: applyTransition). The scenario
   * layer adds what user space does when an action returns (binding `as:`,
   * taking pending signals); whatever it does must depend only on the state
   * and the transition, so that merging and replay stay exact. With `fp`,
   * it records every row it reads and writes (for partial-order reduction).
   */
  readonly apply?: (s: KernelState, t: Transition, fp?: Footprint) => { readonly state: KernelState; readonly events: readonly TraceEvent[] };
  /** Actions each task may start at most. */
  readonly maxActions: number;
  /** Switches away from a runnable task inside the kernel, at most (default 2). */
  readonly preemptionBound: number;
  readonly invariants: readonly Invariant[];
  /** Stop after this many distinct states (the result then says the bound was cut). */
  readonly maxStates?: number;
}

/** How a search runs (all optional: the default is the plain, complete, single-threaded search). */
export interface SearchOptions {
  /** Partial-order reduction by sleep sets (default true). */
  readonly por?: boolean;
  /** Explore only shard `index` of `count` (see {@link shardOf}). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** The visited set (default: a private {@link VisitedSet}). */
  readonly visited?: KeySet;
  /**
   * Re-check an invariant only after a step that wrote a table it reads or
   * emitted events it reads (default true; false checks every invariant on
   * every new state, to cross-check).
   */
  readonly incremental?: boolean;
  /** Stop as soon as this invariant is found (the bench's time to first violation). */
  readonly stopWhenFound?: string;
}

export interface Found {
  readonly violation: Violation;
  /** Transitions from the initial state to the violating state. */
  readonly schedule: readonly Transition[];
}

export interface CheckStats {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly complete: boolean;
  readonly visitedBytes: number;
  /** Nodes waiting to be expanded (random walks: walks left). */
  readonly queue: number;
}

export interface CheckResult {
  /** First (shortest) violation per invariant name; absent invariants held to the bound. */
  readonly found: ReadonlyMap<string, Found>;
  readonly stats: CheckStats;
  /** The visited keys as (hi, lo) pairs, when asked for (shards). */
  readonly keys?: Uint32Array;
}

/**
 * A node waiting to be expanded: its state and the bookkeeping that decides
 * its future. Only the frontier holds these; once expanded, a node is just
 * its link in {@link NodeLinks} (8 bytes), enough to rebuild schedules.
 */
interface FrontierNode {
  /** The node's index in {@link NodeLinks}. */
  readonly idx: number;
  readonly state: KernelState;
  /** Actions started so far, by tid. */
  readonly used: Readonly<Record<number, number>>;
  readonly usedHash: Fingerprint;
  /** The task that ran last if it can still run, else 0. */
  readonly last: number;
  readonly preemptions: number;
  readonly depth: number;
  readonly hi: number;
  readonly lo: number;
  /** Transitions (by {@link transitionKey}) not to explore from here: sleep set. */
  sleep: Set<string> | null;
}

/**
 * Every node's parent and the transition that led to it, in two growing
 * Int32Arrays; transitions are numbered once each (by {@link transitionKey}).
 */
class NodeLinks {
  private parents: Int32Array<ArrayBuffer> = new Int32Array(1 << 12);
  private vias: Int32Array<ArrayBuffer> = new Int32Array(1 << 12);
  private readonly ids = new Map<string, number>();
  private readonly table: Transition[] = [];
  size = 0;

  /** Add a node; returns its index. */
  add(parent: number, via: Transition | null, key: string | null): number {
    if (this.size === this.parents.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.parents = grow(this.parents);
      this.vias = grow(this.vias);
    }
    let v = -1;
    if (via !== null && key !== null) {
      v = this.ids.get(key) ?? -1;
      if (v < 0) {
        v = this.table.length;
        this.table.push(via);
        this.ids.set(key, v);
      }
    }
    this.parents[this.size] = parent;
    this.vias[this.size] = v;
    return this.size++;
  }

  /** The transitions from the root to node `idx`. */
  schedule(idx: number): Transition[] {
    const out: Transition[] = [];
    for (let i = idx; i > 0; i = this.parents[i]!) out.push(this.table[this.vias[i]!]!);
    return out.reverse();
  }

  get bytes(): number {
    return this.parents.byteLength + this.vias.byteLength;
  }
}

export const DEADLOCK: Invariant = {
  name: 'no-deadlock',
  rule: 'Some task inside the kernel can always make progress: a set of tasks each sleeping on a lock ' +
    'another of them holds is a deadlock (lockdep would report the cycle).',
  reads: ['tasks', 'locks'],
  check: ({ state: s }) => (isDeadlocked(s) ? { invariant: 'no-deadlock', message: deadlockMessage(s) } : null),
};

function deadlockMessage(s: KernelState): string {
  const parts: string[] = [];
  for (const t of Object.values(s.tasks)) {
    if (t.blockedOn === null || t.frames.length === 0) continue;
    const lock = s.locks[t.blockedOn.lock];
    parts.push(`${t.name} waits for ${lock ? `${lock.owner}->${lock.class}` : t.blockedOn.lock} (${t.blockedOn.mode})`);
  }
  return parts.join('; ');
}

/** The shard (of `count`) a node with key (hi, lo) belongs to. */
export function shardOf(hi: number, count: number): number {
  return (hi >>> 0) % count;
}

/**
 * A level's frontier must be at least this many nodes per part before it is
 * partitioned (among shards or workers), so the parts are not too uneven.
 */
export const PARTITION_MIN = 8;

interface Enabled {
  readonly t: Transition;
  readonly preempts: boolean;
}

/** What a level found: the first violation of each invariant not found before, with the node index. */
export interface LevelFind {
  readonly violation: Violation;
  readonly node: number;
  readonly depth: number;
}

/**
 * The search as a stepper: `expandLevel` expands the current frontier into
 * the next one. The single-threaded {@link bfs} and the workers of a split
 * search drive it.
 */
export class Search {
  readonly links = new NodeLinks();
  frontier: FrontierNode[] = [];
  visited: KeySet;
  readonly found = new Map<string, LevelFind>();
  /** Invariants found elsewhere (other workers): not checked any more. */
  readonly skip = new Set<string>();
  transitions = 0;
  depth = 0;
  stopped = false;
  /** Duplicates dropped this level with their sleep sets (for workers that share a visited set). */
  dupes: { hi: number; lo: number; sleep: string[] | null }[] | null = null;
  private readonly invariants: readonly Invariant[];
  /** Per invariant, the bits of {@link readMask} it reads. */
  private readonly readMasks: readonly number[];
  private readonly apply: NonNullable<CheckModel['apply']>;
  private readonly por: boolean;
  /** Next-level nodes with a sleep set, by key (duplicates intersect it). */
  private nextIndex = new Map<string, FrontierNode>();

  constructor(readonly model: CheckModel, readonly opts: SearchOptions = {}) {
    this.invariants = [...model.invariants, DEADLOCK];
    const incremental = opts.incremental ?? true;
    this.readMasks = this.invariants.map((i) => (incremental && i.reads ? readMask([...i.reads, ...(i.readsFor?.(model.design) ?? [])]) : ALL));
    this.apply = model.apply ?? ((s, t, fp) => applyTransition(s, model.design, t, fp));
    this.por = opts.por ?? true;
    this.visited = opts.visited ?? new VisitedSet();
    const usedHash = hashValue({});
    const key = nodeKey(model.initial, usedHash, 0, 0);
    const root: FrontierNode = {
      idx: this.links.add(-1, null, null), state: model.initial, used: {}, usedHash, last: 0, preemptions: 0, depth: 0,
      hi: key.hi, lo: key.lo, sleep: null,
    };
    this.visited.addKey(key.hi, key.lo);
    this.frontier = [root];
    this.check(root, [], ALL);
  }

  get done(): boolean {
    return this.frontier.length === 0 || this.stopped;
  }

  /** Keep only the frontier nodes `keep` accepts (by key): shards and workers split a level this way. */
  partition(keep: (hi: number, lo: number) => boolean): void {
    this.frontier = this.frontier.filter((n) => keep(n.hi, n.lo));
  }

  /** Intersect the sleep sets of next-level nodes with those of duplicates dropped elsewhere. */
  mergeDupes(dupes: readonly { hi: number; lo: number; sleep: readonly string[] | null }[]): void {
    for (const d of dupes) {
      const n = this.nextIndex.get(`${d.hi}:${d.lo}`);
      if (n === undefined || n.sleep === null) continue;
      n.sleep = intersect(n.sleep, d.sleep);
    }
  }

  /** Expand every node of the frontier; `tick` is called every 1024 expansions and may stop the search. */
  expandLevel(tick?: () => boolean): void {
    const next: FrontierNode[] = [];
    this.nextIndex = new Map();
    const max = this.model.maxStates;
    let count = 0;
    const level = this.frontier;
    // Expanded nodes leave the frontier: their states can be collected as the level goes.
    this.frontier = [];
    for (let i = 0; i < level.length; i++) {
      if (this.stopped) break;
      const n = level[i]!;
      (level as (FrontierNode | undefined)[])[i] = undefined;
      this.expand(n, next);
      if (max !== undefined && this.visited.size >= max) this.stopped = true;
      if ((++count & 1023) === 0 && tick && !tick()) this.stopped = true;
    }
    this.frontier = this.stopped ? [] : next;
    if (!this.stopped) this.depth++;
  }

  stats(complete: boolean): CheckStats {
    return {
      states: this.visited.size, transitions: this.transitions, depth: this.depth, complete,
      visitedBytes: this.visited.bytes, queue: this.frontier.length,
    };
  }

  /** The transitions from the root to node `idx`. */
  scheduleOf(idx: number): Transition[] {
    return this.links.schedule(idx);
  }

  /** Found violations with their schedules. */
  results(): Map<string, Found> {
    const out = new Map<string, Found>();
    for (const [name, f] of this.found) out.set(name, { violation: f.violation, schedule: this.scheduleOf(f.node) });
    return out;
  }

  /** The transitions enabled in a node within the bounds, those that do not preempt first. */
  private enabled(n: FrontierNode, s: KernelState): Enabled[] {
    const stay: Enabled[] = [];
    const switches: Enabled[] = [];
    const bound = this.model.preemptionBound;
    const push = (e: Enabled): void => {
      (e.preempts ? switches : stay).push(e);
    };
    for (const tid of kernelTasks(s).runnable) {
      const preempts = n.last !== 0 && tid !== n.last;
      if (preempts && n.preemptions >= bound) continue;
      push({ t: { tid }, preempts });
    }
    for (const key of Object.keys(s.tasks)) {
      const tid = Number(key);
      const task = s.tasks[tid]!;
      if (task.dead || task.frames.length > 0) continue;
      if ((n.used[tid] ?? 0) >= this.model.maxActions) continue;
      const preempts = n.last !== 0 && tid !== n.last;
      if (preempts && n.preemptions >= bound) continue;
      for (const item of this.model.alphabet(s, tid)) {
        const t: Transition = 'action' in item ? { tid, action: item.action, entry: item.entry } : { tid, action: item };
        push({ t, preempts });
      }
    }
    return stay.concat(switches);
  }

  private expand(n: FrontierNode, next: FrontierNode[]): void {
    const s = n.state;
    const sleep = n.sleep;
    const explored: { tid: number; key: string; fp: Footprint; preempts: boolean; runs: boolean }[] = [];
    for (const { t, preempts } of this.enabled(n, s)) {
      const tkey = transitionKey(t);
      if (sleep !== null && sleep.has(tkey)) continue;
      const fp = this.por ? new Footprint() : undefined;
      const { state, events } = this.apply(s, t, fp);
      this.transitions++;
      const runs = isRunnable(state, t.tid);
      let childSleep: Set<string> | null = null;
      if (fp) {
        // n·e·t covers n·t·e when e and t commute and n·e·t spends no more preemptions (docs/check.md).
        for (const e of explored) {
          if (e.tid === t.tid || !independent(e.fp, fp)) continue;
          if ((e.preempts ? 1 : 0) + (e.runs ? 1 : 0) <= (preempts ? 1 : 0)) (childSleep ??= new Set()).add(e.key);
        }
        explored.push({ tid: t.tid, key: tkey, fp, preempts, runs });
      }
      const used = t.action ? { ...n.used, [t.tid]: (n.used[t.tid] ?? 0) + 1 } : n.used;
      const usedHash = t.action ? hashValue(used) : n.usedHash;
      const last = runs ? t.tid : 0;
      const preemptions = n.preemptions + (preempts ? 1 : 0);
      const key = nodeKey(state, usedHash, last, preemptions);
      if (!this.visited.addKey(key.hi, key.lo)) {
        if (this.por) this.dropped(key, childSleep);
        continue;
      }
      const child: FrontierNode = {
        idx: this.links.add(n.idx, t, tkey), state, used, usedHash, last, preemptions, depth: n.depth + 1,
        hi: key.hi, lo: key.lo, sleep: childSleep,
      };
      next.push(child);
      if (childSleep !== null) this.nextIndex.set(`${key.hi}:${key.lo}`, child);
      this.check(child, events, changedMask(s, state, events));
      if (this.model.maxStates !== undefined && this.visited.size >= this.model.maxStates) {
        this.stopped = true;
        return;
      }
    }
  }

  /** A child that was visited already: a node of this level keeps only what both sleep sets share. */
  private dropped(key: Fingerprint, sleep: Set<string> | null): void {
    const n = this.nextIndex.get(`${key.hi}:${key.lo}`);
    if (n !== undefined) {
      if (n.sleep !== null) n.sleep = intersect(n.sleep, sleep === null ? null : [...sleep]);
      return;
    }
    // A node of this level without a sleep set, of an earlier level, or one another worker owns at this level.
    this.dupes?.push({ hi: key.hi, lo: key.lo, sleep: sleep === null ? null : [...sleep] });
  }

  /**
   * Check the invariants on a new node. `changed` says what its step wrote
   * ({@link changedMask}): an invariant that reads none of it is not
   * re-checked — its inputs are those of the parent, where it held (an
   * invariant that broke there is found and no longer checked).
   */
  private check(n: FrontierNode, events: readonly TraceEvent[], changed: number): void {
    let k: Kernel | undefined;
    for (let i = 0; i < this.invariants.length; i++) {
      const inv = this.invariants[i]!;
      if ((this.readMasks[i]! & changed) === 0) continue;
      if (this.found.has(inv.name) || this.skip.has(inv.name)) continue;
      const v = inv.check({ state: n.state, events, k: (k ??= new Kernel(n.state, this.model.design)) });
      if (v) this.found.set(inv.name, { violation: v, node: n.idx, depth: n.depth });
    }
  }
}

/** Bit of the step's events in a read mask; tables take the bits of their index in TABLE_NAMES. */
const EVENTS_BIT = 1 << TABLE_NAMES.length;
const ALL = -1;
const TABLE_BIT = new Map<string, number>(TABLE_NAMES.map((t, i) => [t, 1 << i]));

/** The bits of what an invariant reads. */
export function readMask(reads: readonly InvariantRead[]): number {
  let m = 0;
  for (const r of reads) m |= r === 'events' ? EVENTS_BIT : TABLE_BIT.get(r)!;
  return m;
}

/** The tables a step wrote (copied: a new table object), and whether it emitted events. */
export function changedMask(before: KernelState, after: KernelState, events: readonly TraceEvent[]): number {
  let m = events.length > 0 ? EVENTS_BIT : 0;
  for (let i = 0; i < TABLE_NAMES.length; i++) {
    const t = TABLE_NAMES[i]!;
    if (before[t] !== after[t]) m |= 1 << i;
  }
  return m;
}

function intersect(a: Set<string>, b: readonly string[] | null): Set<string> | null {
  if (b === null) return null;
  const out = new Set(b.filter((x) => a.has(x)));
  return out.size === 0 ? null : out;
}

function nodeKey(s: KernelState, usedHash: Fingerprint, last: number, preemptions: number): Fingerprint {
  const f = fingerprint(s);
  return hashInts([f.hi, f.lo, usedHash.hi, usedHash.lo, last, preemptions]);
}

/**
 * Explore breadth-first; `onProgress` is called now and then with the
 * running stats and may return false to stop.
 */
export function bfs(model: CheckModel, onProgress?: (stats: CheckStats) => boolean | void, opts: SearchOptions & { keys?: boolean } = {}): CheckResult {
  const search = new Search(model, opts);
  let interrupted = false;
  const tick = (): boolean => {
    if (onProgress?.(search.stats(false)) === false) interrupted = true;
    return !interrupted;
  };
  let sharded = opts.shard === undefined;
  while (!search.done) {
    if (!sharded && search.frontier.length >= PARTITION_MIN * opts.shard!.count) {
      const { index, count } = opts.shard!;
      search.partition((hi) => shardOf(hi, count) === index);
      sharded = true;
    }
    search.expandLevel(tick);
    if (!search.done && !tick()) search.stopped = true;
    if (opts.stopWhenFound !== undefined && search.found.has(opts.stopWhenFound)) search.stopped = true;
  }
  return {
    found: search.results(), stats: search.stats(!search.stopped),
    ...(opts.keys ? { keys: search.visited.keys() } : {}),
  };
}
