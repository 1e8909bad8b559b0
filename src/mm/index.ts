/**
 * mm: address spaces, VMAs, page tables, faults, zap, GUP, fork.
 *
 * Not modelled: (filled in by the mm work)
 */
import type { Path } from '../kernel/sched/path.js';

/** Every mm path, for the designs' registries. */
export const MM_PATHS: readonly Path[] = [];
