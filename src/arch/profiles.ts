/**
 * The shipped arch profiles.
 *
 * Sources: docs/sources.md (Peter Xu "mm: Support huge pfnmaps", v6.12: x86_64
 * selects PMD and PUD PFN maps, arm64 PMD only) and §3.6 (TTM huge faults on
 * x86 before PMD/PUD special bits existed).
 */
import type { ArchName, ArchProfile } from './types.js';

const SHIFT = { pte: 12, pmd: 21, pud: 30 } as const;

export const ARCH_PROFILES: readonly ArchProfile[] = [
  {
    name: 'x86_64',
    description: 'x86_64, v6.12+: special bit at PTE, PMD and PUD; PMD and PUD PFN maps; GUP-fast',
    pageShift: 12,
    shift: SHIFT,
    special: { pte: true, pmd: true, pud: true },
    hugePfnmap: { pmd: true, pud: true },
    gupFast: true,
  },
  {
    name: 'x86_64-pte-special-only',
    description:
      'x86_64 as the seed thread warns: special bit on PTEs only, huge PFN leaves still inserted ' +
      '(TTM before v5.16); GUP-fast',
    pageShift: 12,
    shift: SHIFT,
    special: { pte: true, pmd: false, pud: false },
    hugePfnmap: { pmd: true, pud: true },
    gupFast: true,
  },
  {
    name: 'arm64',
    description: 'arm64, 4K granule: special bit at PTE and PMD; PMD PFN maps only, no PUD; GUP-fast',
    pageShift: 12,
    shift: SHIFT,
    special: { pte: true, pmd: true, pud: false },
    hugePfnmap: { pmd: true, pud: false },
    gupFast: true,
  },
];

export const DEFAULT_ARCH: ArchName = 'x86_64';

/** Profiles by name: every Kernel draft looks its profile up. */
const BY_NAME: ReadonlyMap<string, ArchProfile> = new Map(ARCH_PROFILES.map((p) => [p.name, p]));

export function findArchProfile(name: ArchName): ArchProfile | undefined {
  return BY_NAME.get(name);
}

/** The profile by name; the caller has validated the name. */
export function archProfile(name: ArchName): ArchProfile {
  const p = findArchProfile(name);
  if (!p) throw new Error(`unknown arch profile '${name}'`);
  return p;
}
