/**
 * Work stealing within a level of a split search (src/check/split.ts): a
 * worker that has expanded all its nodes of the level asks for more, and a
 * worker that still has some of the level's nodes gives it about half of
 * them. The receiver expands them as nodes of the same level (their depth
 * travels with them, their children go to the receiver's next frontier), so
 * the levels stay in step and the first violation found is still a shortest
 * one. Nodes cost unequal work (a node with more tasks in the kernel has
 * more transitions, and some steps copy more rows), so frontiers equal in
 * count are not equal in work; without this, a worker idles at every level's
 * barrier until the slowest is done (2 of 15 s on the bench's big search).
 *
 * The workers coordinate through an Int32Array over a SharedArrayBuffer:
 *
 *     BUSY   workers expanding nodes of the level, plus batches given and not yet expanded
 *     WAKE   a counter bumped when a batch is posted or BUSY reaches 0 (idle workers sleep on it)
 *     ANY    workers asking (a busy worker loads only this word every 16 expansions)
 *     WANT+i 1 while worker i asks for nodes
 *
 * and the nodes go directly from worker to worker over a MessageChannel per
 * pair, read with receiveMessageOnPort (the receiver's event loop does not
 * run inside a level). Why the level ends for everyone, and only once every
 * node of it is expanded:
 *
 * - A giver takes a request by compare-and-swap of WANT+j from 1 to 0, so
 *   one request brings at most one batch, and the receiver knows one is on
 *   its way when it finds its flag cleared.
 * - The giver adds 1 to BUSY for the receiver *before* it posts, while it is
 *   itself still counted in BUSY (it gives only from inside its own
 *   expansion); the receiver takes that 1 off only after it expanded the
 *   batch. So BUSY is 0 only when no worker is expanding and no batch is in
 *   flight, and once 0 it stays 0: only a busy worker can raise it.
 * - An idle worker leaves the level only when it reads BUSY = 0; then every
 *   batch has been received and expanded, and its ports are empty.
 * - The main thread resets the block at the barrier, when every worker has
 *   reported the level and filtered its frontier (none touches the block
 *   until its next 'go').
 *
 * A stopped search (Ctrl-C, --max-states) stops expanding at once; its
 * worker still counts down BUSY and takes (without expanding) the batches
 * sent to it, so no worker waits for it forever.
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { MovedNodes, Search } from './bfs.js';

const BUSY = 0;
const WAKE = 1;
const ANY = 2;
const WANT = 3;

/** A busy worker gives only when it has at least this many of the level's nodes left (it gives half). */
export const STEAL_MIN = 32;

/** How long an idle worker sleeps between looks, at most (a posted batch or the level's end wakes it sooner). */
const IDLE_WAIT_MS = 5;

/** The control block of `n` workers, set for the first level. */
export function stealControl(n: number): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(4 * (WANT + n));
  resetSteal(buf, n);
  return buf;
}

/** Ready the block for the next level; only while every worker waits at the barrier. */
export function resetSteal(buf: SharedArrayBuffer, n: number): void {
  const ctl = new Int32Array(buf);
  Atomics.store(ctl, BUSY, n);
  Atomics.store(ctl, ANY, 0);
  for (let i = 0; i < n; i++) Atomics.store(ctl, WANT + i, 0);
}

/** One MessageChannel per pair of workers: `ports[i][j]` is worker i's end of its channel with j (null for i = j). */
export function stealPorts(n: number): (MessagePort | null)[][] {
  const ports: (MessagePort | null)[][] = Array.from({ length: n }, () => new Array<MessagePort | null>(n).fill(null));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i]![j] = port1;
      ports[j]![i] = port2;
    }
  }
  return ports;
}

/** A worker's side of the stealing: {@link level} expands one level of its search, giving and taking nodes. */
export class LevelSteal {
  /** Nodes this worker received within levels. */
  received = 0;
  /** Milliseconds this worker spent idle inside levels, waiting for nodes or for the level's end. */
  idleMs = 0;
  private readonly ctl: Int32Array;

  constructor(buf: SharedArrayBuffer, private readonly index: number, private readonly ports: readonly (MessagePort | null)[]) {
    this.ctl = new Int32Array(buf);
  }

  /** Expand the search's current frontier as one level, with the other workers. */
  level(search: Search, tick: () => boolean): void {
    const ctl = this.ctl;
    const poll = (): void => this.offer(search);
    search.beginLevel();
    search.expandCurrent(tick, poll);
    this.idle();
    let asked = false;
    let t0 = Date.now();
    for (;;) {
      const wake = Atomics.load(ctl, WAKE);
      const batch = this.receive();
      if (batch !== null) {
        // The giver cleared our flag to send it, and counted it in BUSY for us.
        asked = false;
        search.adoptLevel(batch);
        this.received += batch.nodes.length;
        this.idleMs += Date.now() - t0;
        search.expandCurrent(tick, poll);
        this.idle();
        t0 = Date.now();
        continue;
      }
      if (Atomics.load(ctl, BUSY) === 0) break;
      if (!asked && !search.stopped) {
        Atomics.store(ctl, WANT + this.index, 1);
        Atomics.add(ctl, ANY, 1);
        asked = true;
      }
      Atomics.wait(ctl, WAKE, wake, IDLE_WAIT_MS);
    }
    this.idleMs += Date.now() - t0;
    search.endLevel();
  }

  /** A busy worker's look (every 16 expansions): give half its nodes left to a worker that asks. */
  private offer(search: Search): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, ANY) === 0) return;
    for (let j = 0; j < this.ports.length; j++) {
      if (search.levelLeft < STEAL_MIN) return;
      const port = this.ports[j];
      if (!port || Atomics.compareExchange(ctl, WANT + j, 1, 0) !== 1) continue;
      Atomics.sub(ctl, ANY, 1);
      // Counted for the receiver before it can see the nodes (while this worker is counted too).
      Atomics.add(ctl, BUSY, 1);
      const nodes = search.takeLevel(Math.floor(search.levelLeft / 2));
      port.postMessage(nodes);
      Atomics.add(ctl, WAKE, 1);
      Atomics.notify(ctl, WAKE);
    }
  }

  /** This worker is out of nodes: one less busy; the last wakes the idle ones to end the level. */
  private idle(): void {
    if (Atomics.sub(this.ctl, BUSY, 1) === 1) {
      Atomics.add(this.ctl, WAKE, 1);
      Atomics.notify(this.ctl, WAKE);
    }
  }

  private receive(): MovedNodes | null {
    for (const port of this.ports) {
      const m = port && receiveMessageOnPort(port);
      if (m) return m.message as MovedNodes;
    }
    return null;
  }
}
