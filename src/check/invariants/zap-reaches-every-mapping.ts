/**
 * Every VMA that has page-table leaves is in the i_mmap of each address
 * space that a disable or revoke of its object zaps, so
 * unmap_mapping_range() reaches it (UMR aac6db75a9fc: PTEs inserted before
 * the VMA is linked into i_mmap are invisible to the zap; seed thread:
 * "zapping only works if both mappings share one address_space").
 */
import type { Invariant } from './types.js';
import { VMA_OBJECT_READS } from './reads.js';
import { violated } from './types.js';
import { allLeaves } from './leaves.js';
import { hex } from '../../kernel/events.js';

export const zapReachesEveryMapping: Invariant = {
  name: 'zap-reaches-every-mapping',
  rule: 'Every VMA with page-table leaves is in the i_mmap of every address_space its object\'s disable or ' +
    'revoke zaps (by default file(vm_file)->f_mapping), so unmap_mapping_range() reaches it (aac6db75a9fc; ' +
    'Christian König in the seed thread: one address_space, or both must be zapped).',
  reads: ['mms', ...VMA_OBJECT_READS],
  check({ k }) {
    const checked = new Set<number>();
    for (const l of allLeaves(k)) {
      const vma = l.vma;
      if (vma === undefined || checked.has(vma.id)) continue;
      checked.add(vma.id);
      const ops = k.design.vmOps[vma.vm_ops];
      const file = vma.vm_file !== 0 ? k.find('files', vma.vm_file) : undefined;
      const mappings = ops?.zapMappings?.(k, vma) ?? (file ? [file.f_mapping] : []);
      for (const inode of mappings) {
        const i = k.find('inodes', inode);
        if (!i || !i.i_mapping.i_mmap.some((r) => r.mm === l.mm && r.vma === vma.id)) {
          return violated(this, `vma ${vma.id} of mm ${l.mm} has a ${l.leaf.level} leaf at ${hex(l.va)} but is not ` +
            `in the i_mmap of inode ${inode}, which its zap walks`);
        }
      }
    }
    return null;
  },
};
