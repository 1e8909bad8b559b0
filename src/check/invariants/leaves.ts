/**
 * Shared walks for the invariants: every page-table leaf of every mm with
 * the VMA it lies in.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { PgLeaf, Vma } from '../../mm/types.js';
import { levelSize, listLeaves } from '../../mm/pgtable.js';
import type { PciDev } from '../../pci/types.js';

export interface MappedLeaf {
  readonly mm: number;
  readonly va: number;
  readonly size: number;
  readonly leaf: PgLeaf;
  /** The VMA containing va, in the mm or detached by a munmap in flight, if any. */
  readonly vma: Vma | undefined;
}

/** Every leaf of every mm. */
export function allLeaves(k: Kernel): MappedLeaf[] {
  const out: MappedLeaf[] = [];
  for (const id of k.ids('mms')) {
    const mm = k.get('mms', id);
    for (const p of listLeaves(k.arch, mm.pgd)) {
      // A munmap in flight has taken its VMAs out of the tree but not yet zapped them (mm.detached).
      const inside = (v: Vma): boolean => v.vm_start <= p.va && p.va < v.vm_end;
      const vma = mm.vmas.find(inside) ?? mm.detached?.find(inside);
      out.push({ mm: id, va: p.va, size: levelSize(k.arch, p.leaf.level), leaf: p.leaf, vma });
    }
  }
  return out;
}

/** The BAR (device and index) that a physical range [start, end) overlaps, if any. */
export function barOverlapping(k: Kernel, start: number, end: number): { dev: PciDev; bar: number } | null {
  for (const id of k.ids('pci')) {
    const dev = k.get('pci', id);
    for (const b of dev.bars) {
      if (b.size > 0 && start < b.base + b.size && b.base < end) return { dev, bar: b.index };
    }
  }
  return null;
}
