/**
 * One level of the breadth-first search's frontier, stored compactly
 * (src/check/bfs.ts).
 *
 * The frontier is most of a search's memory: the level being built holds
 * every node kept at the next depth until it is expanded. As objects (the
 * node's bookkeeping, a kernel state's root with one field per table and
 * scalar, the state's fingerprint sums) a node took about 680 bytes of heap
 * in the bench's million-state search. Here the nodes are rows in chunks of
 * about two thousand nodes. A row is ten 32-bit words
 *
 *     link index, key (hi, lo), last task, preemptions, depth,
 *     the state's fingerprint and sums (4 words)
 *
 * and one 16-bit value id per field of the state's root (22 tables and the
 * scalars) and for the actions started and their hash. The values — the
 * tables, which states share (they are hash-consed, src/check/intern.ts),
 * and the scalars — are held once per chunk, numbered by identity; a chunk
 * has too few nodes to name more than 2^16 values. A node is rebuilt as an
 * object when it is expanded: a new root over the same tables, so nothing
 * is re-hashed ({@link adoptStateHash}). A sleep set (most nodes have none)
 * stays an object beside the rows. The search expands a level chunk by
 * chunk and lets each go when it is done, so the tables only the expanded
 * nodes named can be collected before the level ends.
 *
 * Nothing is lost: every field of the root is a value id, and the root must
 * have exactly the fields of the search's initial state (a state with
 * another field throws: the fingerprint would not cover it either).
 */
import type { KernelState } from '../kernel/state.js';
import type { Fingerprint } from './fingerprint.js';
import { adoptStateHash, stateHashWords } from './fingerprint.js';

/** A node waiting to be expanded, as the search works on it. */
export interface FrontierNode {
  /** The node's index in the search's links (parent and transition). */
  readonly idx: number;
  readonly state: KernelState;
  /** Actions started so far, by tid. */
  readonly used: Readonly<Record<number, number>>;
  readonly usedHash: Fingerprint;
  /** The task that ran last if it can still run, else 0. */
  readonly last: number;
  readonly preemptions: number;
  readonly depth: number;
  /** The state's key (kernel state and actions started). */
  readonly hi: number;
  readonly lo: number;
  /** Transitions (by transitionKey) not to explore from here: sleep set. */
  sleep: Set<string> | null;
}


const IDX = 0;
const HI = 1;
const LO = 2;
const LAST = 3;
const PRE = 4;
const DEPTH = 5;
const HASH = 6;
/** 32-bit words a row takes. */
const HEAD = 10;
/** Value ids before the root's fields. */
const USED = 0;
const USED_HASH = 1;
const FIELDS = 2;

/** The shape every state of one search has: the root's field names, in order. */
class Shape {
  readonly keys: readonly string[];
  readonly known: ReadonlySet<string>;
  /** Where the `tasks` table's id is among a row's value ids. */
  readonly tasksField: number;
  /** 16-bit value ids a row takes. */
  readonly width: number;
  /** Nodes a chunk holds at most: few enough that the values they name fit 16-bit ids. */
  readonly chunk: number;

  constructor(readonly template: KernelState) {
    this.keys = Object.keys(template);
    this.known = new Set(this.keys);
    this.tasksField = FIELDS + this.keys.indexOf('tasks');
    this.width = FIELDS + this.keys.length;
    this.chunk = Math.floor(0x10000 / this.width);
  }
}

/** Up to a shape's `chunk` nodes of a level, with the values they name. */
export class FrontierChunk {
  count = 0;
  /** Nodes ever added: at most the shape's `chunk`, filters and takes notwithstanding, so the values fit 16-bit ids. */
  private added = 0;
  private words: Uint32Array<ArrayBuffer>;
  private fields: Uint16Array<ArrayBuffer>;
  private readonly sleeps: (Set<string> | null)[] = [];
  private readonly values: unknown[] = [];
  /** Value ids by value while nodes are added; dropped once the chunk is full. */
  private ids: Map<unknown, number> | null = new Map();

  /** Per value slot, the value last added and its id (-1: none yet). */
  private readonly lastValues: unknown[];
  private readonly lastIds: Int32Array;

  constructor(private readonly shape: Shape, capacity: number) {
    this.words = new Uint32Array(HEAD * capacity);
    this.fields = new Uint16Array(shape.width * capacity);
    this.lastValues = new Array<unknown>(shape.width).fill(undefined);
    this.lastIds = new Int32Array(shape.width).fill(-1);
  }

  get full(): boolean {
    return this.added === this.shape.chunk;
  }

  push(n: FrontierNode): void {
    const shape = this.shape;
    const s = n.state as unknown as Record<string, unknown>;
    let present = 0;
    for (const _key in s) present++;
    // With every known field present (below), the same count means no other field.
    if (present !== shape.keys.length) {
      for (const key in s) {
        if (!shape.known.has(key)) throw new Error(`frontier: a kernel state has a root field '${key}' the initial state has not`);
      }
    }
    if (this.count * HEAD === this.words.length) this.grow();
    const at = this.count * HEAD;
    const w = this.words;
    w[at + IDX] = n.idx;
    w[at + HI] = n.hi;
    w[at + LO] = n.lo;
    w[at + LAST] = n.last;
    w[at + PRE] = n.preemptions;
    w[at + DEPTH] = n.depth;
    stateHashWords(n.state, w, at + HASH);
    const f = this.fields;
    const base = this.count * shape.width;
    f[base + USED] = this.idOf(USED, n.used);
    f[base + USED_HASH] = this.idOf(USED_HASH, n.usedHash);
    const keys = shape.keys;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j]!;
      const v = s[key];
      if (v === undefined && !(key in s)) throw new Error(`frontier: a kernel state has no '${key}' field`);
      f[base + FIELDS + j] = this.idOf(FIELDS + j, v);
    }
    this.sleeps[this.count] = n.sleep;
    this.count++;
    if (++this.added === shape.chunk) this.ids = null;
  }

  /** Node `j` rebuilt as an object: a new root over the same tables and values. */
  node(j: number): FrontierNode {
    const shape = this.shape;
    const at = j * HEAD;
    const w = this.words;
    const f = this.fields;
    const v = this.values;
    const base = j * shape.width;
    const s = { ...shape.template } as unknown as Record<string, unknown>;
    const keys = shape.keys;
    for (let i = 0; i < keys.length; i++) s[keys[i]!] = v[f[base + FIELDS + i]!];
    const state = s as unknown as KernelState;
    adoptStateHash(state, w, at + HASH);
    return {
      idx: w[at + IDX]!, state, used: v[f[base + USED]!] as FrontierNode['used'], usedHash: v[f[base + USED_HASH]!] as Fingerprint,
      last: w[at + LAST]!, preemptions: w[at + PRE]!, depth: w[at + DEPTH]!, hi: w[at + HI]!, lo: w[at + LO]!,
      sleep: this.sleeps[j] ?? null,
    };
  }

  hiAt(j: number): number {
    return this.words[j * HEAD + HI]!;
  }

  loAt(j: number): number {
    return this.words[j * HEAD + LO]!;
  }

  lastAt(j: number): number {
    return this.words[j * HEAD + LAST]!;
  }

  preemptionsAt(j: number): number {
    return this.words[j * HEAD + PRE]!;
  }

  /** Node `j`'s state's `tasks` table (what a front slot is ranked in), without rebuilding the node. */
  tasksAt(j: number): KernelState['tasks'] {
    return this.values[this.fields[j * this.shape.width + this.shape.tasksField]!] as KernelState['tasks'];
  }

  sleepAt(j: number): Set<string> | null {
    return this.sleeps[j] ?? null;
  }

  clearSleep(j: number): void {
    this.sleeps[j] = null;
  }

  /** Keep only the nodes `keep` accepts, in order (the values stay). */
  filter(keep: (j: number) => boolean): void {
    const width = this.shape.width;
    let to = 0;
    for (let j = 0; j < this.count; j++) {
      if (!keep(j)) continue;
      if (to !== j) {
        this.words.copyWithin(to * HEAD, j * HEAD, (j + 1) * HEAD);
        this.fields.copyWithin(to * width, j * width, (j + 1) * width);
        this.sleeps[to] = this.sleeps[j] ?? null;
      }
      to++;
    }
    this.truncate(to);
  }

  /** Drop the nodes from `count` on. */
  truncate(count: number): void {
    this.count = count;
    this.sleeps.length = count;
  }

  private grow(): void {
    const capacity = Math.min(this.shape.chunk, (this.words.length / HEAD) * 2);
    const words = new Uint32Array(HEAD * capacity);
    words.set(this.words);
    this.words = words;
    const fields = new Uint16Array(this.shape.width * capacity);
    fields.set(this.fields);
    this.fields = fields;
  }

  /**
   * The id of value `v` of a row's value slot `slot` in this chunk (by
   * identity; numbers and strings by value). Siblings are added one after
   * the other and share most tables, so each slot's last value is tried first.
   */
  private idOf(slot: number, v: unknown): number {
    if (this.lastValues[slot] === v && this.lastIds[slot]! >= 0) return this.lastIds[slot]!;
    const ids = this.ids!;
    let id = ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      ids.set(v, id);
    }
    this.lastValues[slot] = v;
    this.lastIds[slot] = id;
    return id;
  }
}

/** The nodes of one level, in the order they were added. */
export class Frontier implements Iterable<FrontierNode> {
  private readonly shape: Shape;
  private chunks: FrontierChunk[] = [];
  private size = 0;

  /** `template`: a state with the root fields every state of the search has (its initial state). */
  constructor(template: KernelState | Shape) {
    this.shape = template instanceof Shape ? template : new Shape(template);
  }

  /** An empty frontier for the same search. */
  empty(): Frontier {
    return new Frontier(this.shape);
  }

  get length(): number {
    return this.size;
  }

  push(n: FrontierNode): void {
    let last = this.chunks[this.chunks.length - 1];
    if (last === undefined || last.full) {
      // A first chunk starts small: most levels of most searches are a few nodes.
      last = new FrontierChunk(this.shape, this.chunks.length === 0 ? 16 : this.shape.chunk);
      this.chunks.push(last);
    }
    last.push(n);
    this.size++;
  }

  /** Remove the first chunk and return it (the search expands a level chunk by chunk). */
  shift(): FrontierChunk | undefined {
    const c = this.chunks.shift();
    if (c !== undefined) this.size -= c.count;
    return c;
  }

  /** Every chunk, in order. */
  get parts(): readonly FrontierChunk[] {
    return this.chunks;
  }

  /** Keep only the nodes `keep` accepts, in order. */
  filter(keep: (c: FrontierChunk, j: number) => boolean): void {
    let size = 0;
    for (const c of this.chunks) {
      c.filter((j) => keep(c, j));
      size += c.count;
    }
    this.size = size;
  }

  /** Drop every node. */
  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  /** Remove the last `count` nodes and return them rebuilt, in order. */
  take(count: number): FrontierNode[] {
    const out: FrontierNode[] = [];
    let left = Math.min(count, this.size);
    while (left > 0) {
      const c = this.chunks[this.chunks.length - 1]!;
      const from = Math.max(0, c.count - left);
      const part: FrontierNode[] = [];
      for (let j = from; j < c.count; j++) part.push(c.node(j));
      out.unshift(...part);
      left -= c.count - from;
      this.size -= c.count - from;
      if (from === 0) this.chunks.pop();
      else c.truncate(from);
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<FrontierNode> {
    for (const c of this.chunks) for (let j = 0; j < c.count; j++) yield c.node(j);
  }
}
