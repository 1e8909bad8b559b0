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
 *
 * Paths and labels are typed handles: `path<L>()(name, entry, steps)` keeps
 * the path's name and the set of its labels in its type, `cx.goto` accepts
 * only a label of the same path, and `cx.call` only the name of a path the
 * model defines (src/kernel/sched/registry.ts) or a path object. A typo in a
 * label or a callee is a compile-time error.
 */
import type { Kernel } from '../kernel.js';
import type { EventKind, EventValue } from '../events.js';
import type { LockMode } from '../locking/types.js';
import type { Locals, Value } from './types.js';
import type { PathName } from './registry.js';

/** One atomic step; it moves the frame on with goto, call or ret. */
export type Step<L extends Locals, Lab extends string = string> = (cx: Cx<L, Lab>) => void;

/**
 * A path with its name, labels and locals in its type: what `path()` returns
 * and what design patches address.
 */
export interface KernelPath<N extends string, Lab extends string, L extends Locals> {
  /** The kernel function the path models, used in labels: `fn:label`. */
  readonly name: N;
  /** Label of the first step. */
  readonly entry: Lab;
  readonly steps: { readonly [K in Lab]: Step<L, Lab> };
  /**
   * Steps a patch inserted (src/designs/patch.ts): a move to the key's label
   * from any other step lands on the value's label first; the inserted step
   * continues to the key's label itself.
   */
  readonly before?: { readonly [label: string]: string };
}

/** Any path, its name, labels and locals erased: what designs hold and frames name. */
export interface Path {
  readonly name: string;
  readonly entry: string;
  readonly steps: { readonly [label: string]: (cx: never) => void };
  readonly before?: { readonly [label: string]: string };
}

/**
 * Declare a path: `path<Locals>()('fn', 'entry', { entry: (cx) => ..., })`.
 * The first call fixes the locals' type; the second infers the name and the
 * labels from its arguments, so every `goto`, `call ... then` and patch
 * that names a label is checked against them.
 */
export function path<L extends Locals = Locals>() {
  return <N extends string, Lab extends string>(
    name: N,
    entry: NoInfer<Lab>,
    steps: { readonly [K in Lab]: Step<L, Lab> },
  ): KernelPath<N, Lab, L> => ({ name, entry, steps });
}

/** The labels of a path type. */
export type LabelsOf<P> = P extends KernelPath<string, infer Lab, never> ? Lab : never;
/** The locals of a path type. */
export type LocalsOf<P> = P extends KernelPath<string, string, infer L> ? L : never;

/** What a step sees and how it moves its frame on. */
export interface Cx<L extends Locals, Lab extends string = string> {
  readonly k: Kernel;
  /** The running task's id. */
  readonly tid: number;
  /** The running task's process id. */
  readonly pid: number;
  /** The frame's locals; writes are kept for the next step. */
  readonly l: Mutable<L>;
  /** Continue at another label of this path in the next step. */
  goto(label: Lab): void;
  /**
   * Call another path, by the name of a path the model defines or by a path
   * object (a design's own); the design's path of that name runs. Its return
   * value lands in local `into` and this path continues at `then`.
   */
  call(callee: PathName | Path, args: Locals, into: keyof L & string, then: Lab): void;
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
