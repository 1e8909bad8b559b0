/**
 * A zap reaches every mapping of what it zaps: when a task comes back to
 * user space from a kernel entry in which unmap_mapping_range() walked some
 * address_spaces, every VMA that maps the objects behind those
 * address_spaces and still has leaves is linked into one of the walked
 * i_mmaps. The object behind the vfio device inode is the device: its BAR
 * mmaps and every dma-buf it exported; behind a dma-buf's inode, that
 * buffer. A VMA of the device linked into an address_space the zap never
 * walked keeps its leaves across the disable, reset or revoke (UMR
 * aac6db75a9fc; seed thread: "zapping only works if both mappings share one
 * address_space", or both are zapped).
 *
 * Judged from what happened, never from what a design declares: the walks
 * are the task's own (Task.zapped, reported as the `zap_walks` event), the
 * object of a VMA is its vm_file's, and the address_space a VMA is in is
 * whichever inode's i_mmap holds it.
 */
import type { Invariant } from './types.js';
import { VMA_OBJECT_READS } from './reads.js';
import { violated } from './types.js';
import { allLeaves } from './leaves.js';
import { hex } from '../../kernel/events.js';
import { isDmaBufFile } from '../../dma-buf/export.js';
import { VFIO_DEVICE_FOPS } from '../../vfio/pci/open.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Vma } from '../../mm/types.js';

/** The objects behind the walked address_spaces: vfio devices (by inode) and dma-bufs (by their file's inode). */
function walkedObjects(k: Kernel, walked: readonly number[]): { devices: Set<number>; bufs: Set<number> } {
  const devices = new Set<number>();
  const bufs = new Set<number>();
  for (const v of Object.values(k.state.vfio)) if (walked.includes(v.inode)) devices.add(v.id);
  for (const d of Object.values(k.state.dmabufs)) {
    const f = k.find('files', d.file);
    if (f !== undefined && walked.includes(f.f_mapping)) bufs.add(d.id);
  }
  return { devices, bufs };
}

/** What the VMA maps, when it is one of the walked objects: 'device N' or 'dma-buf N'; else null. */
function coveredObject(k: Kernel, vma: Vma, o: { devices: Set<number>; bufs: Set<number> }): string | null {
  const f = vma.vm_file === 0 ? undefined : k.find('files', vma.vm_file);
  if (f === undefined) return null;
  if (isDmaBufFile(k, f.id)) {
    const d = k.find('dmabufs', f.private_data);
    if (d === undefined) return null;
    if (o.bufs.has(d.id)) return `dma-buf ${d.id}`;
    const vdev = k.find('vfio_dmabufs', d.priv)?.vdev ?? 0;
    return o.devices.has(vdev) ? `dma-buf ${d.id} of vfio device ${vdev}` : null;
  }
  return f.f_op === VFIO_DEVICE_FOPS && o.devices.has(f.private_data) ? `vfio device ${f.private_data}` : null;
}

/** The inodes whose i_mmap holds the VMA. */
function linkedInto(k: Kernel, mm: number, vma: number): number[] {
  return k.ids('inodes').filter((i) => k.get('inodes', i).i_mapping.i_mmap.some((r) => r.mm === mm && r.vma === vma));
}

export const zapReachesEveryMapping: Invariant = {
  name: 'zap-reaches-every-mapping',
  rule: 'When a kernel entry that walked address_spaces with unmap_mapping_range() returns, every VMA with leaves ' +
    'that maps the objects behind them (the vfio device: its BAR mmaps and the dma-bufs it exported; a dma-buf) ' +
    'is in one of the walked i_mmaps: the zap reaches every mapping of what it zaps (aac6db75a9fc; Christian ' +
    'König in the seed thread: one address_space, or both must be zapped).',
  // The step's zap_walks events, every mm's leaves and VMAs, the objects behind them, the i_mmaps, the task's name.
  reads: ['events', 'mms', 'tasks', ...VMA_OBJECT_READS],
  check({ k, events }) {
    for (const e of events) {
      if (e.kind !== 'zap' || e.fn !== 'zap_walks') continue;
      const walked = String(e.args['inodes'] ?? '').split(',').filter((x) => x !== '').map(Number);
      const objects = walkedObjects(k, walked);
      for (const l of allLeaves(k)) {
        if (l.vma === undefined) continue;
        const what = coveredObject(k, l.vma, objects);
        if (what === null) continue;
        const inodes = linkedInto(k, l.mm, l.vma.id);
        if (inodes.some((i) => walked.includes(i))) continue;
        const task = k.find('tasks', e.tid)?.name ?? `task${e.tid}`;
        return violated(this, `mm ${l.mm} ${l.leaf.level} leaf va=${hex(l.va)} pfn=${hex(l.leaf.pfn)} is in vma ${l.vma.id}, ` +
          `a mapping of ${what}; the vma is in the i_mmap of inode ${inodes.length ? inodes.join(',') : '(none)'}, ` +
          `but ${task}'s zap walked only inode ${walked.join(',')}`);
      }
    }
    return null;
  },
};
