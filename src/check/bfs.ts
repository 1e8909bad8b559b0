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
 * The visited set is keyed by the kernel state with the actions started
 * (a *state*); the search's nodes are that plus the last task and the
 * preemptions spent. Reduction (`por`, docs/check.md gives the argument):
 * a node dominated by a node of the same state kept before is not expanded
 * (src/check/dominance.ts), and sleep sets from run-time footprints
 * (src/check/footprint.ts), restricted so that they stay sound under the
 * preemption bound, skip the orders that only lead to dominated nodes.
 * Without it (`--no-por`) every distinct node is expanded.
 */
import type { KernelState } from '../kernel/state.js';
import { TABLE_INDEX, TABLE_NAMES } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import type { UserAction } from '../kernel/syscalls.js';
import type { Invariant, InvariantRead, Violation } from './invariants/types.js';
import type { Transition } from './transitions.js';
import { applyTransition, isDeadlocked, kernelTasks, transitionKey } from './transitions.js';
import { adoptStateHash, fingerprint, hashInts, hashValue, stateHashWords } from './fingerprint.js';
import type { Fingerprint } from './fingerprint.js';
import { VisitedSet } from './visited.js';
import { Interner } from './intern.js';
import { frontSlot, superseded, withNode } from './dominance.js';
import type { KeySet } from './visited.js';
import { Footprint, conflict, independent } from './footprint.js';
import { Kernel } from '../kernel/kernel.js';
import { Frontier } from './frontier.js';
import type { FrontierChunk, FrontierNode } from './frontier.js';
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
  /** The visited set of states (default: a private {@link VisitedSet}). */
  readonly visited?: KeySet;
  /** Without the reduction: the set of nodes (default: a private {@link VisitedSet}). */
  readonly nodes?: KeySet;
  /**
   * Re-check an invariant only after a step that wrote a table it reads or
   * emitted events it reads (default true; false checks every invariant on
   * every new state, to cross-check).
   */
  readonly incremental?: boolean;
  /** Stop as soon as this invariant is found (the bench's time to first violation). */
  readonly stopWhenFound?: string;
  /** Count why pairs of transitions at a node do not commute (bench/por.ts). */
  readonly porStats?: PorStats;
  /**
   * Every node kept, appended as five numbers: the state's key (hi, lo),
   * the last task, the preemptions spent and the depth (bench/por.ts: the
   * fewest nodes the reduction's argument allows, {@link fewestNodes}).
   */
  readonly nodeLog?: number[];
}

/** What the sleep sets met: pairs of transitions explored at a node, by outcome. */
export interface PorStats {
  /** 'same-task', 'conflict <element>', 'independent, preemption rule', 'slept', by count. */
  readonly pairs: Map<string, number>;
}

export interface Found {
  readonly violation: Violation;
  /** Transitions from the initial state to the violating state. */
  readonly schedule: readonly Transition[];
}

export interface CheckStats {
  /** Distinct states: kernel states with the actions each task started. */
  readonly states: number;
  /** Search nodes kept (a state with the last task and the preemptions spent); absent for random walks. */
  readonly nodes?: number;
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

/** A frontier node moved between the workers of a split search (structured-cloned, in {@link MovedNodes}). */
export interface MovedNode {
  readonly state: KernelState;
  readonly used: Readonly<Record<number, number>>;
  readonly last: number;
  readonly preemptions: number;
  readonly depth: number;
  readonly hi: number;
  readonly lo: number;
  readonly sleep: readonly string[] | null;
  /** The schedule from the root, as indices into the batch's {@link MovedNodes.transitions}. */
  readonly schedule: Int32Array;
  /** The state's fingerprint and sums ({@link stateHashWords}), so the receiver does not hash the cloned state again. */
  readonly hash: Uint32Array;
}

/**
 * Nodes moved together: each transition their schedules take is sent once
 * with its key, so the receiver numbers it once (not once per step of every schedule).
 */
export interface MovedNodes {
  readonly nodes: readonly MovedNode[];
  readonly transitions: readonly (readonly [string, Transition])[];
}

/** Nodes a chunk of {@link NodeLinks} holds. */
const LINK_SHIFT = 16;
const LINK_CHUNK = 1 << LINK_SHIFT;
const LINK_MASK = LINK_CHUNK - 1;

/**
 * Every node's parent and the transition that led to it, in chunks of two
 * Int32Arrays (a chunk is added when the last is full: nothing is copied, and
 * no doubled array stands half empty); transitions are numbered once each
 * (by {@link transitionKey}).
 */
export class NodeLinks {
  private readonly parents: Int32Array<ArrayBuffer>[] = [];
  private readonly vias: Int32Array<ArrayBuffer>[] = [];
  private readonly ids = new Map<string, number>();
  private readonly table: Transition[] = [];
  private readonly keys: string[] = [];
  size = 0;

  /** Add a node; returns its index. */
  add(parent: number, via: Transition | null, key: string | null): number {
    return this.addVia(parent, via !== null && key !== null ? this.via(key, via) : -1);
  }

  /** The number of transition `t` (of key `key`), given it on first sight. */
  via(key: string, t: Transition): number {
    let v = this.ids.get(key);
    if (v === undefined) {
      v = this.table.length;
      this.table.push(t);
      this.keys.push(key);
      this.ids.set(key, v);
    }
    return v;
  }

  /** Add a node reached from `parent` by transition number `v` ({@link via}; -1 for the root). */
  addVia(parent: number, v: number): number {
    const c = this.size >>> LINK_SHIFT;
    const at = this.size & LINK_MASK;
    if (at === 0) {
      // The first chunk starts small and grows (most searches are small); the others are whole.
      const n = c === 0 ? 1 << 10 : LINK_CHUNK;
      this.parents.push(new Int32Array(n));
      this.vias.push(new Int32Array(n));
    } else if (at === this.parents[c]!.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(Math.min(LINK_CHUNK, a.length * 4));
        b.set(a);
        return b;
      };
      this.parents[c] = grow(this.parents[c]!);
      this.vias[c] = grow(this.vias[c]!);
    }
    this.parents[c]![at] = parent;
    this.vias[c]![at] = v;
    return this.size++;
  }

  /** The transitions from the root to node `idx`. */
  schedule(idx: number): Transition[] {
    return this.path(idx).map((v) => this.table[v]!);
  }

  /** The numbers of the transitions from the root to node `idx`. */
  path(idx: number): number[] {
    const out: number[] = [];
    for (let i = idx; i > 0; i = this.parents[i >>> LINK_SHIFT]![i & LINK_MASK]!) out.push(this.vias[i >>> LINK_SHIFT]![i & LINK_MASK]!);
    return out.reverse();
  }

  /** Transition number `v` with its key. */
  entry(v: number): readonly [string, Transition] {
    return [this.keys[v]!, this.table[v]!];
  }

  get bytes(): number {
    let b = 0;
    for (let c = 0; c < this.parents.length; c++) b += this.parents[c]!.byteLength + this.vias[c]!.byteLength;
    return b;
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
  frontier: Frontier;
  visited: KeySet;
  readonly found = new Map<string, LevelFind>();
  /** Invariants found elsewhere (other workers): not checked any more. */
  readonly skip = new Set<string>();
  /** Without the reduction, the nodes seen (the states are in {@link visited}). */
  nodeSet: KeySet | null;
  /** Nodes kept (expanded or in the frontier). */
  nodes = 0;
  /**
   * With the reduction, drop the nodes of a level that a node kept after
   * them dominates ({@link filterLevel}) as the level ends; a split search
   * turns it off and calls {@link filterShared} once every worker has ended
   * the level, when the shared fronts hold every worker's nodes.
   */
  levelFilter = true;
  transitions = 0;
  depth = 0;
  stopped = false;
  /** The level being expanded (its chunks not yet started), between {@link beginLevel} and {@link endLevel}. */
  private level: Frontier | null = null;
  /** The chunk being expanded: its next node and the end of its nodes not taken ({@link takeLevel}). */
  private chunk: FrontierChunk | null = null;
  private at = 0;
  private end = 0;
  private readonly invariants: readonly Invariant[];
  /** Per invariant, the bits of {@link readMask} it reads. */
  private readonly readMasks: readonly number[];
  /** Per invariant, whether it reads the step's events (checked also on a node not kept). */
  private readonly readsEvents: readonly boolean[];
  private readonly apply: NonNullable<CheckModel['apply']>;
  private readonly por: boolean;
  /** The actions-started counts of the nodes, hash-consed. */
  private readonly usedInterner = new Interner<{ readonly used: Readonly<Record<number, number>>; readonly hash: Fingerprint }>();
  /** With the reduction, nodes whose front slot does not fit (src/check/dominance.ts): kept by exact key. */
  private readonly unsummarised = new Set<string>();

  constructor(readonly model: CheckModel, readonly opts: SearchOptions = {}) {
    this.invariants = [...model.invariants, DEADLOCK];
    const incremental = opts.incremental ?? true;
    this.readMasks = this.invariants.map((i) => (incremental && i.reads ? readMask([...i.reads, ...(i.readsFor?.(model.design) ?? [])]) : ALL));
    this.readsEvents = this.invariants.map((i) => !i.reads || i.reads.includes('events'));
    this.apply = model.apply ?? ((s, t, fp) => applyTransition(s, model.design, t, fp));
    this.por = opts.por ?? true;
    // The bound sets the width of the fronts (2 bits a slot up to a bound of 2).
    this.visited = opts.visited ?? new VisitedSet({ preemptionBound: model.preemptionBound });
    this.nodeSet = this.por ? null : (opts.nodes ?? new VisitedSet());
    const usedHash = hashValue({});
    const key = stateKey(model.initial, usedHash);
    const root: FrontierNode = {
      idx: this.links.add(-1, null, null), state: model.initial, used: {}, usedHash, last: 0, preemptions: 0, depth: 0,
      hi: key.hi, lo: key.lo, sleep: null,
    };
    this.keep(model.initial, key, 0, 0);
    opts.nodeLog?.push(key.hi, key.lo, 0, 0, 0);
    this.frontier = new Frontier(model.initial);
    this.frontier.push(root);
    this.check(root, [], ALL);
  }

  get done(): boolean {
    return this.frontier.length === 0 || this.stopped;
  }

  /** Keep only the frontier nodes `keep` accepts (by key): shards and workers split a level this way. */
  partition(keep: (hi: number, lo: number) => boolean): void {
    this.frontier.filter((c, j) => keep(c.hiAt(j), c.loAt(j)));
  }

  /** Take `count` nodes off the frontier, as plain data another worker can {@link adopt} (work stealing). */
  give(count: number): MovedNodes {
    return this.moveOut(this.frontier.take(count));
  }

  /** Add nodes another worker gave to the frontier; their schedules are linked from the root. */
  adopt(nodes: MovedNodes): void {
    this.adoptInto(this.frontier, nodes);
  }

  /** Expand every node of the frontier; `tick` is called every 1024 expansions and may stop the search. */
  expandLevel(tick?: () => boolean): void {
    this.beginLevel();
    this.expandCurrent(tick);
    this.endLevel();
  }

  /**
   * Start a level: the frontier becomes the level being expanded
   * ({@link expandCurrent}) and an empty frontier takes the children.
   */
  beginLevel(): void {
    this.level = this.frontier;
    this.frontier = this.frontier.empty();
  }

  /**
   * Expand the level's nodes not yet expanded, chunk by chunk (an expanded
   * chunk's nodes, and the tables only they named, can be collected as the
   * level goes); a split search's worker calls it again after it
   * {@link adoptLevel}s nodes another worker took off its level. `tick` is
   * called every 1024 expansions and may stop the search; `poll` every 16
   * (a worker looks there whether another one wants nodes: {@link takeLevel}).
   */
  expandCurrent(tick?: () => boolean, poll?: () => void): void {
    const level = this.level!;
    const next = this.frontier;
    const max = this.model.maxStates;
    let count = 0;
    while (!this.stopped) {
      if (this.at >= this.end) {
        const c = level.shift();
        if (c === undefined) break;
        this.chunk = c;
        this.at = 0;
        this.end = c.count;
        continue;
      }
      this.expand(this.chunk!.node(this.at++), next);
      if (max !== undefined && this.visited.size >= max) this.stopped = true;
      if ((++count & 15) === 0) {
        if ((count & 1023) === 0 && tick && !tick()) this.stopped = true;
        else if (poll && !this.stopped) poll();
      }
    }
    this.chunk = null;
    this.at = this.end = 0;
  }

  /** End the level: its children are the frontier (filtered by dominance), one level deeper. */
  endLevel(): void {
    this.level = null;
    if (this.stopped) this.frontier.clear();
    else if (this.nodeSet === null && this.levelFilter) this.filterLevel(this.frontier);
    if (!this.stopped) this.depth++;
  }

  /** Nodes of the level being expanded that are not expanded yet. */
  get levelLeft(): number {
    return (this.level?.length ?? 0) + this.end - this.at;
  }

  /**
   * Take up to `count` of the level's nodes not expanded yet, as plain data
   * another worker expands as nodes of this same level (work stealing within
   * a level): the last chunks' first, then the tail of the chunk being expanded.
   */
  takeLevel(count: number): MovedNodes {
    const out = this.level!.take(count);
    const more = Math.min(count - out.length, this.end - this.at);
    if (more > 0) {
      const c = this.chunk!;
      for (let j = this.end - more; j < this.end; j++) out.push(c.node(j));
      this.end -= more;
    }
    return this.moveOut(out);
  }

  /** Add nodes another worker took off its level to the level being expanded. */
  adoptLevel(nodes: MovedNodes): void {
    this.adoptInto(this.level!, nodes);
  }

  /** Nodes as plain data for another worker; the transitions their schedules take go once each. */
  private moveOut(nodes: readonly FrontierNode[]): MovedNodes {
    const transitions: (readonly [string, Transition])[] = [];
    const at = new Map<number, number>();
    const moved = nodes.map((n): MovedNode => {
      const hash = new Uint32Array(4);
      stateHashWords(n.state, hash, 0);
      const schedule = Int32Array.from(this.links.path(n.idx), (v) => {
        let i = at.get(v);
        if (i === undefined) {
          i = transitions.length;
          transitions.push(this.links.entry(v));
          at.set(v, i);
        }
        return i;
      });
      return {
        state: n.state, used: n.used, last: n.last, preemptions: n.preemptions, depth: n.depth, hi: n.hi, lo: n.lo,
        sleep: n.sleep === null ? null : [...n.sleep], schedule, hash,
      };
    });
    return { nodes: moved, transitions };
  }

  /** Moved nodes into `into`; their schedules are linked from the root. */
  private adoptInto(into: Frontier, batch: MovedNodes): void {
    const vias = batch.transitions.map(([key, t]) => this.links.via(key, t));
    for (const m of batch.nodes) {
      let idx = 0;
      for (let i = 0; i < m.schedule.length; i++) idx = this.links.addVia(idx, vias[m.schedule[i]!]!);
      adoptStateHash(m.state, m.hash, 0);
      into.push({
        idx, state: m.state, used: m.used, usedHash: hashValue(m.used), last: m.last, preemptions: m.preemptions,
        depth: m.depth, hi: m.hi, lo: m.lo, sleep: m.sleep === null ? null : new Set(m.sleep),
      });
    }
  }

  stats(complete: boolean): CheckStats {
    return {
      states: this.visited.size, nodes: this.nodes, transitions: this.transitions, depth: this.depth, complete,
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

  private expand(n: FrontierNode, next: Frontier): void {
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
        // n·t·e is dominated by n·e·t when e and t commute and n·e·t spends no more preemptions (docs/check.md).
        if (this.opts.porStats) notePairs(this.opts.porStats, explored, t.tid, fp, preempts, s);
        for (const e of explored) {
          if (e.tid === t.tid || !independent(e.fp, fp)) continue;
          if ((e.preempts ? 1 : 0) + (e.runs ? 1 : 0) <= (preempts ? 1 : 0)) (childSleep ??= new Set()).add(e.key);
        }
        explored.push({ tid: t.tid, key: tkey, fp, preempts, runs });
      }
      let used = n.used;
      let usedHash = n.usedHash;
      if (t.action) {
        // Few distinct counts: the frontier's nodes share one object per value (src/check/intern.ts).
        const u = { ...n.used, [t.tid]: (n.used[t.tid] ?? 0) + 1 };
        const h = hashValue(u);
        const shared = this.usedInterner.intern(h.hi, h.lo, { used: u, hash: h });
        used = shared.used;
        usedHash = shared.hash;
      }
      const last = runs ? t.tid : 0;
      const preemptions = n.preemptions + (preempts ? 1 : 0);
      const key = stateKey(state, usedHash);
      if (!this.keep(state, key, last, preemptions)) {
        this.checkEvents(n, t, tkey, state, events);
        continue;
      }
      const child: FrontierNode = {
        idx: this.links.add(n.idx, t, tkey), state, used, usedHash, last, preemptions, depth: n.depth + 1,
        hi: key.hi, lo: key.lo, sleep: childSleep,
      };
      this.opts.nodeLog?.push(key.hi, key.lo, last, preemptions, child.depth);
      next.push(child);
      this.check(child, events, changedMask(s, state, events));
      if (this.model.maxStates !== undefined && this.visited.size >= this.model.maxStates) {
        this.stopped = true;
        return;
      }
    }
  }

  /**
   * With the reduction, a node of the level just generated that a node of
   * the same state kept after it dominates is not expanded (the fronts hold
   * nodes of this level and earlier ones only: the next is not generated yet).
   */
  private filterLevel(next: Frontier): void {
    const superseded = new Set<string>();
    next.filter((c, j) => {
      if (!this.supersededAtLevel(c, j)) return true;
      superseded.add(`${c.hiAt(j)}:${c.loAt(j)}`);
      return false;
    });
    // A node that took the place of one kept before it defers nothing to its siblings: the sleep-set
    // argument goes from a node to one kept earlier, and this one was kept later (docs/check.md).
    for (const c of next.parts) {
      for (let j = 0; j < c.count; j++) if (c.sleepAt(j) !== null && superseded.has(`${c.hiAt(j)}:${c.loAt(j)}`)) c.clearSleep(j);
    }
  }

  /**
   * {@link filterLevel} for a worker of a split search, once every worker
   * has ended the level. A node kept here may have taken the place of a node
   * another worker dropped, which this worker cannot see: every node whose
   * state has another variant in its front defers nothing to its siblings
   * (clearing a sleep set only explores more).
   */
  filterShared(): void {
    if (this.nodeSet !== null) return;
    this.frontier.filter((c, j) => !this.supersededAtLevel(c, j));
    for (const c of this.frontier.parts) {
      for (let j = 0; j < c.count; j++) {
        if (c.sleepAt(j) === null) continue;
        const pre = c.preemptionsAt(j);
        const slot = frontSlot(c.tasksAt(j), c.lastAt(j), pre);
        if (slot < 0 || this.visited.frontOf(c.hiAt(j), c.loAt(j)) !== withNode(0, slot, pre)) c.clearSleep(j);
      }
    }
  }

  private supersededAtLevel(c: FrontierChunk, j: number): boolean {
    if (this.nodeSet !== null) return false;
    const pre = c.preemptionsAt(j);
    const slot = frontSlot(c.tasksAt(j), c.lastAt(j), pre);
    if (slot < 0 || !superseded(this.visited.frontOf(c.hiAt(j), c.loAt(j)), slot, pre)) return false;
    this.nodes--;
    return true;
  }

  /**
   * Record a node of state `key`; true when it is kept (to be expanded):
   * with the reduction, when no node of the same state kept before
   * dominates it; without, when this exact node was not seen.
   */
  private keep(state: KernelState, key: Fingerprint, last: number, pre: number): boolean {
    let kept: boolean;
    if (this.nodeSet !== null) {
      this.visited.addKey(key.hi, key.lo);
      const nk = hashInts([key.hi, key.lo, last, pre]);
      kept = this.nodeSet.addKey(nk.hi, nk.lo);
    } else {
      const slot = frontSlot(state.tasks, last, pre);
      if (slot >= 0) {
        kept = this.visited.visit(key.hi, key.lo, slot, pre);
      } else {
        this.visited.addKey(key.hi, key.lo);
        const exact = `${key.hi}:${key.lo}:${last}:${pre}`;
        kept = !this.unsummarised.has(exact);
        if (kept) this.unsummarised.add(exact);
      }
    }
    if (kept) this.nodes++;
    return kept;
  }

  /**
   * A child not kept has the state of a node kept before, but the events of
   * its own step: the invariants that read events are checked on them (the
   * node kept may have been reached by another step).
   */
  private checkEvents(parent: FrontierNode, t: Transition, tkey: string, state: KernelState, events: readonly TraceEvent[]): void {
    if (events.length === 0) return;
    let k: Kernel | undefined;
    let idx = -1;
    for (let i = 0; i < this.invariants.length; i++) {
      const inv = this.invariants[i]!;
      if (!this.readsEvents[i] || this.found.has(inv.name) || this.skip.has(inv.name)) continue;
      const v = inv.check({ state, events, k: (k ??= new Kernel(state, this.model.design)) });
      if (v) {
        if (idx < 0) idx = this.links.add(parent.idx, t, tkey);
        this.found.set(inv.name, { violation: v, node: idx, depth: parent.depth + 1 });
      }
    }
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

/** The bits of what an invariant reads. */
export function readMask(reads: readonly InvariantRead[]): number {
  let m = 0;
  for (const r of reads) m |= r === 'events' ? EVENTS_BIT : 1 << TABLE_INDEX.get(r)!;
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

function notePairs(
  st: PorStats, explored: readonly { tid: number; fp: Footprint; preempts: boolean; runs: boolean }[],
  tid: number, fp: Footprint, preempts: boolean, s: KernelState,
): void {
  const bump = (k: string): void => { st.pairs.set(k, (st.pairs.get(k) ?? 0) + 1); };
  for (const e of explored) {
    if (e.tid === tid) { bump('same-task'); continue; }
    const c = conflict(e.fp, fp);
    if (c !== null) {
      // Rows by table (locks by class), so the tally says which kind of object blocks.
      const [table, id] = c.split(':');
      const lock = table === 'locks' ? s.locks[Number(id)] : undefined;
      bump(`conflict ${lock ? `lock ${lock.class}` : table === 'wait' ? 'wait' : table}`);
      continue;
    }
    bump((e.preempts ? 1 : 0) + (e.runs ? 1 : 0) <= (preempts ? 1 : 0) ? 'slept' : 'independent, preemption rule');
  }
}

/** The key of a state: the kernel state's fingerprint with the actions started. */
function stateKey(s: KernelState, usedHash: Fingerprint): Fingerprint {
  const f = fingerprint(s);
  return hashInts([f.hi, f.lo, usedHash.hi, usedHash.lo]);
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
