/**
 * Kernel paths as tables of labelled atomic steps, as PlusCal and Promela
 * write processes.
 *
 * A step runs atomically: nothing else happens between its first and last
 * statement. Paths are cut into steps wherever another CPU could act: a lock
 * taken or dropped, between a check and the act it guards, a lockless read.
 * Whatever a path needs after a cut lives in the frame's locals (plain data).
 *
 * A step that takes a lock must take it first and return at once when
 * {@link Cx.lock} answers false: the task then sleeps on the lock at the same
 * label and the step is run again, from its start, once the lock is free.
 */
import type { Kernel } from '../kernel.js';
import type { EventKind, EventValue } from '../events.js';
import type { LockMode } from '../locking/types.js';
import type { Locals, Value } from './types.js';

/** One atomic step; it moves the frame on with goto, call or ret. */
export type Step<L extends Locals> = (cx: Cx<L>) => void;

export interface Path<L extends Locals = Locals> {
  /** The kernel function the path models, used in labels: `fn:label`. */
  readonly name: string;
  /** Label of the first step. */
  readonly entry: string;
  readonly steps: { readonly [label: string]: Step<L> };
}

/**
 * Declare a path. The generic keeps the locals typed inside its steps; the
 * result is erased to `Path` because frames carry locals as plain data.
 */
export function path<L extends Locals>(
  name: string,
  entry: string,
  steps: { readonly [label: string]: Step<L> },
): Path {
  return { name, entry, steps } as unknown as Path;
}

/** What a step sees and how it moves its frame on. */
export interface Cx<L extends Locals> {
  readonly k: Kernel;
  /** The running task's id. */
  readonly tid: number;
  /** The running task's process id. */
  readonly pid: number;
  /** The frame's locals; writes are kept for the next step. */
  readonly l: Mutable<L>;
  /** Continue at another label of this path in the next step. */
  goto(label: string): void;
  /**
   * Call another path; its return value lands in local `into` and this path
   * continues at `then`.
   */
  call(callee: string, args: Locals, into: keyof L & string, then: string): void;
  /** Return from this path with a value. */
  ret(value: Value): void;
  /** Take a lock, or answer false and sleep on it (return at once then). */
  lock(lock: number, mode: LockMode): boolean;
  unlock(lock: number): void;
  /** Whether the running task holds a lock (lockdep_assert_held). */
  holds(lock: number, mode?: LockMode): boolean;
  emit(kind: EventKind, fn: string, args?: Readonly<Record<string, EventValue>>): void;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
