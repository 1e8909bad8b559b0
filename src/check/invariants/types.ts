/**
 * Invariants: named, documented predicates over the state and the events of
 * the step that led to it, each tied to the kernel rule it encodes.
 */
import type { KernelState, TableName } from '../../kernel/state.js';
import type { TraceEvent } from '../../kernel/events.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Design } from '../../designs/types.js';

export interface Violation {
  /** The invariant's name. */
  readonly invariant: string;
  /** What broke, in kernel terms, naming the objects involved. */
  readonly message: string;
}

/** What an invariant looks at: the state after a step and that step's events. */
export interface InvariantContext {
  readonly state: KernelState;
  readonly events: readonly TraceEvent[];
  /** A read-only view of the state with the design's code (do not write through it). */
  readonly k: Kernel;
}

/** What an invariant may read: a table, or the step's events. */
export type InvariantRead = TableName | 'events';

export interface Invariant {
  /** Short kebab-case name used on the command line and in reports. */
  readonly name: string;
  /** The kernel rule the invariant encodes, with its source (docs/sources.md section, commit, function). */
  readonly rule: string;
  /**
   * What `check` reads: tables of the state (directly or through `k`, the
   * design's hooks included) and 'events' for the step's events. The search
   * re-checks an invariant only after a step that wrote one of these tables
   * or emitted events: otherwise it holds as it held in the state before
   * (src/check/bfs.ts). Absent: everything, checked after every step. A test
   * (test/check/invariants/reads.test.ts) records what each one reads on the
   * suite's states and requires it to be declared.
   */
  readonly reads?: readonly InvariantRead[];
  /**
   * What `check` reads beyond `reads` under a given design: the tables of
   * the struct members the design declared (src/designs/patch.ts addField),
   * which a user's design may put on any table.
   */
  readonly readsFor?: (design: Design) => readonly InvariantRead[];
  /** Check one state; null when the rule holds. */
  check(cx: InvariantContext): Violation | null;
}

/** Build a violation of `inv`. */
export function violated(inv: { readonly name: string }, message: string): Violation {
  return { invariant: inv.name, message };
}
