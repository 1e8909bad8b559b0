/**
 * A zap reaches every mapping of what it revokes: when a task comes back
 * to user space from a kernel entry in which unmap_mapping_range() walked
 * some address_spaces (vfio_pci_zap_bars() at a disable site, a dma-buf
 * revoke), no leaf may be left that maps a BAR the function no longer
 * decodes, or lies in a VMA of a revoked dma-buf, in a VMA that none of the
 * walked i_mmaps holds: that VMA lives in an address_space the zap never
 * visits (UMR aac6db75a9fc; seed thread: "zapping only works if both
 * mappings share one address_space", or both are zapped).
 *
 * Judged from what happened, never from what a design declares: the walks
 * are the task's own (Task.zapped, reported as the `zap_walks` event), the
 * address_space a VMA is in is whichever inode's i_mmap holds it.
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';
import { allLeaves, barOverlapping } from './leaves.js';
import { hex } from '../../kernel/events.js';
import { pciMemoryDecodes } from '../../pci/memory.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import { dmaBufRevoked } from '../../dma-buf/revoke-state.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Vma } from '../../mm/types.js';

/** Why a leaf should be gone after a zap, or null when it may stay. */
function mustBeGone(k: Kernel, vma: Vma | undefined, pfn: number, size: number): string | null {
  const hit = barOverlapping(k, pfn * 4096, pfn * 4096 + size);
  if (hit && !pciMemoryDecodes(hit.dev)) return `BAR${hit.bar} of ${hit.dev.bdf}, which does not decode memory`;
  if (vma !== undefined && vma.vm_file !== 0 && isDmaBufFile(k, vma.vm_file)) {
    const d = k.find('dmabufs', k.get('files', vma.vm_file).private_data);
    if (d !== undefined && dmaBufRevoked(k, d)) return `revoked dma-buf ${d.id}`;
  }
  return null;
}

/** The inodes whose i_mmap holds the VMA. */
function linkedInto(k: Kernel, mm: number, vma: number): number[] {
  return k.ids('inodes').filter((i) => k.get('inodes', i).i_mapping.i_mmap.some((r) => r.mm === mm && r.vma === vma));
}

export const zapReachesEveryMapping: Invariant = {
  name: 'zap-reaches-every-mapping',
  rule: 'When a kernel entry that walked address_spaces with unmap_mapping_range() returns, no leaf of a BAR that ' +
    'no longer decodes memory, or of a revoked dma-buf, is left in a VMA that none of the walked i_mmaps holds: ' +
    'the zap must reach every mapping of what it revokes (aac6db75a9fc; Christian König in the seed thread: ' +
    'one address_space, or both must be zapped).',
  check({ k, events }) {
    for (const e of events) {
      if (e.kind !== 'zap' || e.fn !== 'zap_walks') continue;
      const walked = String(e.args['inodes'] ?? '').split(',').filter((x) => x !== '').map(Number);
      for (const l of allLeaves(k)) {
        const why = mustBeGone(k, l.vma, l.leaf.pfn, l.size);
        if (why === null || l.vma === undefined) continue;
        const inodes = linkedInto(k, l.mm, l.vma.id);
        if (inodes.some((i) => walked.includes(i))) continue;
        const task = k.find('tasks', e.tid)?.name ?? `task${e.tid}`;
        return violated(this, `mm ${l.mm} ${l.leaf.level} leaf va=${hex(l.va)} pfn=${hex(l.leaf.pfn)} maps ${why}; ` +
          `its vma ${l.vma.id} is in the i_mmap of inode ${inodes.length ? inodes.join(',') : '(none)'}, but ${task}'s zap ` +
          `walked only inode ${walked.join(',')}`);
      }
    }
    return null;
  },
};
