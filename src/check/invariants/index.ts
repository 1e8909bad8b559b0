/**
 * The invariant catalogue (docs/invariants.md describes each one).
 */
import type { Invariant } from './types.js';
import { noAccessToDisabledBar } from './no-access-to-disabled-bar.js';
import { noLeafOnDisabledBar } from './no-leaf-on-disabled-bar.js';
import { leafMapsObjectPfn } from './leaf-maps-object-pfn.js';
import { gupFastAgreesWithGup } from './gup-fast-agrees-with-gup.js';
import { zapReachesEveryMapping } from './zap-reaches-every-mapping.js';
import { referencesBalance } from './references-balance.js';
import { noLockLeak } from './no-lock-leak.js';
import { lockOrder } from './lock-order.js';
import { noKernelWarning } from './no-kernel-warning.js';
import { noMappingSurvivesRevoke } from './no-mapping-survives-revoke.js';
import { noIommuEntryOnDisabledBar } from './no-iommu-entry-on-disabled-bar.js';
import { compatMapFollowsVma } from './compat-map-follows-vma.js';
import { iommuUnmapLeavesNothing } from './iommu-unmap-leaves-nothing.js';

export const INVARIANTS: readonly Invariant[] = [
  noAccessToDisabledBar,
  noLeafOnDisabledBar,
  leafMapsObjectPfn,
  gupFastAgreesWithGup,
  zapReachesEveryMapping,
  noMappingSurvivesRevoke,
  noIommuEntryOnDisabledBar,
  compatMapFollowsVma,
  iommuUnmapLeavesNothing,
  referencesBalance,
  noLockLeak,
  lockOrder,
  noKernelWarning,
];

export function findInvariant(name: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.name === name);
}

export type { Invariant, InvariantContext, Violation } from './types.js';
