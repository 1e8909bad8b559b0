/**
 * Invariants: named, documented predicates over the state and the events of
 * the step that led to it, each tied to the kernel rule it encodes.
 */
import type { KernelState } from '../../kernel/state.js';
import type { TraceEvent } from '../../kernel/events.js';

export interface Violation {
  /** The invariant's name. */
  readonly invariant: string;
  /** What broke, in kernel terms, naming the objects involved. */
  readonly message: string;
}

export interface Invariant {
  /** Short kebab-case name used on the command line and in reports. */
  readonly name: string;
  /** The kernel rule the invariant encodes, with its source (KERNEL.md section, commit, function). */
  readonly rule: string;
  /** Check one state, given the events of the step that produced it. */
  check(state: KernelState, events: readonly TraceEvent[]): Violation | null;
}
