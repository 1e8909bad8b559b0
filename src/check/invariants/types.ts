/**
 * Invariants: named, documented predicates over the state and the events of
 * the step that led to it, each tied to the kernel rule it encodes.
 */
import type { KernelState } from '../../kernel/state.js';
import type { TraceEvent } from '../../kernel/events.js';
import type { Kernel } from '../../kernel/kernel.js';

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

export interface Invariant {
  /** Short kebab-case name used on the command line and in reports. */
  readonly name: string;
  /** The kernel rule the invariant encodes, with its source (docs/sources.md section, commit, function). */
  readonly rule: string;
  /** Check one state; null when the rule holds. */
  check(cx: InvariantContext): Violation | null;
}

/** Build a violation of `inv`. */
export function violated(inv: { readonly name: string }, message: string): Violation {
  return { invariant: inv.name, message };
}
