/**
 * Every count the modelled paths keep balances: no count drops below zero,
 * every reference names a live object, and with no task inside the kernel
 * each count equals the holders the state shows; after every process has
 * exited nothing is left open.
 *
 * The holders are read from the state, never from a design's word:
 *   file f_count          fds, vm_files, importer attachments (dma_buf_get
 *                         at attach), iommufd objects (df->iommufd,
 *                         pages->file), and members a design declared as
 *                         `struct file *` (addField(..., { holds: 'files' }))
 *   vfio registration     1 for the registered driver (until an unbind
 *                         puts it), plus one per open device file
 *                         (vfio_device_fops_cdev_open) and one per
 *                         vfio_pci_dma_buf that still points at the device
 *   vfio open_count       the open files of the device that ran vfio_df_open
 *   page references       never negative; none left once every process exited
 *   dma-buf mapping krefs members a design declared with holds: 'mappings'
 *                         (v7.1 priv->kref, 1a8a5227f229): never negative;
 *                         with no task in the kernel, one per attachment
 *                         mapped through map_dma_buf plus at most one
 *                         registered reference, which an unrevoked buffer has
 * (B1 495c10cc1c0c and B5 1527f926fd04: a vm_file swap moves exactly one
 * reference; vfio_device_try_get_registration() in
 * vfio_pci_core_feature_dma_buf(), 5d74781ebc86.)
 */
import type { Invariant } from './types.js';
import { IOMMUFD_FILE_REF_READS, countedFieldReads } from './reads.js';
import { violated } from './types.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { KernelState } from '../../kernel/state.js';
import { REFCOUNT_UNDERFLOW } from '../../fs/file-table.js';
import { VFIO_DEVICE_FOPS } from '../../vfio/pci/open.js';
import { iommufdFileRefs } from '../../iommufd/index.js';

/** File references held by kernel objects beyond fds and vm_files, by file id. */
function kernelFileRefs(k: Kernel): Map<number, number> {
  const out = iommufdFileRefs(k);
  const add = (f: number): void => void out.set(f, (out.get(f) ?? 0) + 1);
  for (const id of k.ids('attachments')) {
    const d = k.find('dmabufs', k.get('attachments', id).dmabuf);
    if (d !== undefined) add(d.file);
  }
  // a device open through its group holds the group file once (vfio_group_use_container)
  const groups = new Set<number>();
  for (const id of k.ids('files')) {
    const f = k.get('files', id);
    if ((f.df_group ?? 0) !== 0 && k.find('vfio', f.private_data)?.open_count) groups.add(f.df_group!);
  }
  for (const g of groups) add(g);
  for (const fld of k.design.fields ?? []) {
    if (fld.holds !== 'files') continue;
    for (const row of Object.values(k.state[fld.table]) as readonly Record<string, unknown>[]) {
      const f = row[fld.field];
      if (typeof f === 'number' && f !== 0) add(f);
    }
  }
  return out;
}

/** Each counted-mapping member a design declared on vfio_dmabufs, with the attachments that hold it. */
function mappingKrefs(k: Kernel): { dmabuf: number; field: string; count: number; mapped: number; revoked: boolean }[] {
  const out: { dmabuf: number; field: string; count: number; mapped: number; revoked: boolean }[] = [];
  for (const fld of k.design.fields ?? []) {
    if (fld.holds !== 'mappings' || fld.table !== 'vfio_dmabufs') continue;
    for (const id of k.ids('vfio_dmabufs')) {
      const p = k.get('vfio_dmabufs', id);
      const count = (p as unknown as Record<string, unknown>)[fld.field];
      if (typeof count !== 'number') continue;
      // iommufd's private interconnect hands over the range without map_dma_buf: it takes no reference.
      const mapped = k.ids('attachments').filter((a) => {
        const at = k.get('attachments', a);
        return at.dmabuf === p.dmabuf && at.mapped !== null && k.find('importers', at.importer)?.kind !== 'iommufd';
      }).length;
      out.push({ dmabuf: p.dmabuf, field: fld.field, count, mapped, revoked: p.revoked });
    }
  }
  return out;
}

/** The tables {@link danglingReference} reads, and what it found in them (they are immutable: same tables, same answer). */
let lastWalk: {
  readonly processes: object; readonly fdtables: object; readonly mms: object; readonly inodes: object; readonly files: object;
  readonly dangling: string | null; readonly seen: ReadonlyMap<number, number>;
} | null = null;

/** {@link danglingReference}, reusing the last walk when the state shares its tables (siblings in a search mostly do). */
function fileHolders(state: KernelState): { readonly dangling: string | null; readonly seen: ReadonlyMap<number, number> } {
  const w = lastWalk;
  if (w !== null && w.processes === state.processes && w.fdtables === state.fdtables && w.mms === state.mms &&
    w.inodes === state.inodes && w.files === state.files) return w;
  const seen = new Map<number, number>();
  const dangling = danglingReference(state, seen);
  lastWalk = { processes: state.processes, fdtables: state.fdtables, mms: state.mms, inodes: state.inodes, files: state.files, dangling, seen };
  return lastWalk;
}

/** A reference to a freed object, or null. */
function danglingReference(state: KernelState, seen: Map<number, number>): string | null {
  const ref = (file: number, where: string): string | null => {
    if (state.files[file] === undefined) return `${where} names file ${file}, which was freed`;
    seen.set(file, (seen.get(file) ?? 0) + 1);
    return null;
  };
  for (const p of Object.values(state.processes)) {
    if (p.fdtable === 0) continue;
    const fdt = state.fdtables[p.fdtable];
    if (fdt === undefined) return `process ${p.name} names freed fd table ${p.fdtable}`;
    for (let fd = 0; fd < fdt.fds.length; fd++) {
      const e = fdt.fds[fd];
      const bad = e ? ref(e.file, `${p.name} fd ${fd}`) : null;
      if (bad) return bad;
    }
  }
  for (const mm of Object.values(state.mms)) {
    for (const v of [...mm.vmas, ...(mm.detached ?? [])]) {
      const bad = v.vm_file !== 0 ? ref(v.vm_file, `vma ${v.id} of mm ${mm.id}`) : null;
      if (bad) return bad;
    }
  }
  for (const inode of Object.values(state.inodes)) {
    for (const r of inode.i_mapping.i_mmap) {
      const mm = state.mms[r.mm];
      const live = mm && [...mm.vmas, ...(mm.detached ?? [])].some((v) => v.id === r.vma);
      if (!live) return `inode ${inode.id} i_mmap names vma ${r.vma} of mm ${r.mm}, which is gone`;
    }
  }
  return null;
}

export const referencesBalance: Invariant = {
  name: 'references-balance',
  rule: 'No count underflows, no use after free and no leak: every fd, vm_file and i_mmap entry names a live ' +
    'object; with no task in the kernel each file\'s f_count equals its holders (fds, vm_files, importer ' +
    'attachments, iommufd objects, struct file members), each vfio device\'s registration is 1 plus its ' +
    'dma-bufs and its open_count its open files, each declared mapping kref its mapped attachments plus at most ' +
    'one registered reference; once every process has exited no device is open and no ' +
    'page reference is left (B1 495c10cc1c0c, B5 1527f926fd04, 5d74781ebc86).',
  // Holders are read from fds, VMAs, i_mmaps, attachments and iommufd objects; the tasks decide quiescence.
  reads: [
    'events', 'files', 'vfio', 'pagerefs', 'processes', 'fdtables', 'mms', 'inodes', 'tasks', 'task_works',
    'dmabufs', 'attachments', 'importers', 'vfio_dmabufs', ...IOMMUFD_FILE_REF_READS,
  ],
  readsFor: countedFieldReads,
  check({ state, k, events }) {
    for (const e of events) {
      if (e.kind === 'warn' && e.args['report'] === REFCOUNT_UNDERFLOW) {
        return violated(this, `${e.fn}: file ${String(e.args['file'])} (${String(e.args['name'])}) put with f_count ` +
          `${String(e.args['f_count'])}: underflow (a reference dropped twice)`);
      }
    }
    for (const v of Object.values(state.vfio)) {
      if (v.registration < 0) return violated(this, `vfio device ${v.id} registration ${v.registration}: underflow`);
      if (v.open_count < 0) return violated(this, `vfio device ${v.id} open_count ${v.open_count}: underflow`);
    }
    for (const [pfn, n] of Object.entries(state.pagerefs)) {
      if (n < 0) return violated(this, `page pfn=0x${Number(pfn).toString(16)} refcount ${n}: underflow`);
    }
    const krefs = mappingKrefs(k);
    for (const c of krefs) {
      if (c.count < 0) return violated(this, `dma-buf ${c.dmabuf} ${c.field} ${c.count}: underflow (a mapping put twice)`);
    }
    const { dangling, seen } = fileHolders(state);
    if (dangling) return violated(this, dangling);

    const quiescent = Object.values(state.tasks).every((t) => t.dead || t.frames.length === 0);
    if (!quiescent) return null;
    const extra = kernelFileRefs(k);
    for (const f of Object.values(state.files)) {
      const want = (seen.get(f.id) ?? 0) + (extra.get(f.id) ?? 0);
      if (f.f_count !== want) {
        return violated(this, `file ${f.id} (${f.name}) has f_count ${f.f_count} but ${want} holders ` +
          `(${f.f_count > want ? 'a leak' : 'a reference dropped twice'})`);
      }
    }
    for (const v of Object.values(state.vfio)) {
      const bufs = Object.values(state.vfio_dmabufs).filter((p) => p.vdev === v.id).length;
      const files = Object.values(state.files).filter((f) => f.f_op === VFIO_DEVICE_FOPS && f.private_data === v.id);
      const want = (v.registered ? 1 : 0) + files.length + bufs;
      if (v.registration !== 0 && v.registration !== want) {
        return violated(this, `vfio device ${v.id} registration ${v.registration} but ${v.registered ? 1 : 0} + ` +
          `${files.length} file(s) + ${bufs} dma-buf(s) hold it (${v.registration > want ? 'a leak' : 'a reference dropped twice'})`);
      }
      const open = files.filter((f) => f.access_granted !== false).length;
      if (v.open_count !== open) {
        return violated(this, `vfio device ${v.id} open_count ${v.open_count} but ${open} open file(s)`);
      }
    }
    for (const c of krefs) {
      const extra = c.count - c.mapped;
      if (extra < 0 || extra > 1 || (!c.revoked && extra !== 1)) {
        return violated(this, `dma-buf ${c.dmabuf} ${c.field} ${c.count} but ${c.mapped} mapped attachment(s)` +
          `${c.revoked ? '' : ' and the registered reference'} (${extra > 1 ? 'a leak' : 'a reference dropped twice'})`);
      }
    }
    const exited = Object.values(state.tasks).every((t) => t.dead) && Object.keys(state.task_works).length === 0;
    if (!exited) return null;
    for (const [pfn, n] of Object.entries(state.pagerefs)) {
      if (n !== 0) return violated(this, `every process exited, but page pfn=0x${Number(pfn).toString(16)} keeps ${n} reference(s)`);
    }
    return null;
  },
};
