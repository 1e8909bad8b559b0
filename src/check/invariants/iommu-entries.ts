/**
 * Shared walk for the IOMMU invariants: every IOMMU page-table entry of
 * every iommufd domain and type1 container, with where it lives.
 */
import type { KernelState } from '../../kernel/state.js';
import type { IommuEntry } from '../../iommufd/types.js';

export interface PlacedEntry {
  readonly entry: IommuEntry;
  /** 'hwpt' (iommufd domain) or 'type1' (container). */
  readonly kind: 'hwpt' | 'type1';
  /** The hwpt or container row id. */
  readonly owner: number;
  /** The IOAS of a hwpt (0 for type1). */
  readonly ioas: number;
}

export function allIommuEntries(s: KernelState): PlacedEntry[] {
  const out: PlacedEntry[] = [];
  for (const h of Object.values(s.hwpts)) {
    for (const e of h.entries) out.push({ entry: e, kind: 'hwpt', owner: h.id, ioas: h.ioas });
  }
  for (const c of Object.values(s.vfio_containers)) {
    for (const e of c.entries) out.push({ entry: e, kind: 'type1', owner: c.id, ioas: 0 });
  }
  return out;
}

export function describe(p: PlacedEntry): string {
  const where = p.kind === 'hwpt' ? `iommufd hwpt ${p.owner}` : `type1 container ${p.owner}`;
  return `${where} entry iova=0x${p.entry.iova.toString(16)} -> phys=0x${p.entry.paddr.toString(16)}+0x${p.entry.len.toString(16)}`;
}
