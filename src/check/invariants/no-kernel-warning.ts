/**
 * The kernel never hits a WARN_ON/BUG_ON the model knows of (a present
 * entry mapping another pfn in insert_pfn(), an insert into a VMA that is
 * not a shared PFN map, a fault that refaults forever, ...).
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';

/** Warnings that belong to other invariants (or to the runner). */
const OWNED = new Set(['lockdep', 'gup_fast', 'deadlock', 'expect']);

export const noKernelWarning: Invariant = {
  name: 'no-kernel-warning',
  rule: 'No WARN_ON/BUG_ON fires: e.g. insert_pfn() finding another pfn present, vmf_insert_pfn() on a VMA ' +
    'that is not a shared VM_PFNMAP/VM_MIXEDMAP mapping, an access that refaults forever.',
  reads: ['events'],
  check({ events }) {
    for (const e of events) {
      if (e.kind === 'warn' && !OWNED.has(e.fn)) {
        return violated(this, `${e.fn}: ${String(e.args['report'] ?? 'warning')}`);
      }
    }
    return null;
  },
};
