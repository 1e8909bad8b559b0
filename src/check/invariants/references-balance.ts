/**
 * Every reference names a live object, and with no task inside the kernel
 * a file's f_count is exactly the references the model can see: fds and
 * vm_files, plus what the design declares (B1/B5: a vm_file swap transfers
 * exactly one reference; 1527f926fd04).
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';

export const referencesBalance: Invariant = {
  name: 'references-balance',
  rule: 'No use after free and no leak: every fd, vm_file and i_mmap entry names a live file or VMA, and ' +
    'when no task is inside the kernel each file\'s f_count equals its fd and vm_file references plus the ' +
    'kernel references the design declares (vma_set_file() and the mmap error path move exactly one ' +
    'reference: B1 495c10cc1c0c, B5 1527f926fd04).',
  reads: ['processes', 'fdtables', 'files', 'mms', 'inodes', 'tasks', 'attachments', 'dmabufs', 'importers', 'idevs', 'iommufds', 'iopt_pages', 'vfio_dmabufs', 'vfio', 'vfio_containers', 'task_works'],
  check({ state, k }) {
    const seen = new Map<number, number>();
    const ref = (file: number, where: string): string | null => {
      if (state.files[file] === undefined) return `${where} names file ${file}, which was freed`;
      seen.set(file, (seen.get(file) ?? 0) + 1);
      return null;
    };
    for (const p of Object.values(state.processes)) {
      if (p.fdtable === 0) continue;
      const fdt = state.fdtables[p.fdtable];
      if (fdt === undefined) return violated(this, `process ${p.name} names freed fd table ${p.fdtable}`);
      for (let fd = 0; fd < fdt.fds.length; fd++) {
        const e = fdt.fds[fd];
        const bad = e ? ref(e.file, `${p.name} fd ${fd}`) : null;
        if (bad) return violated(this, bad);
      }
    }
    for (const mm of Object.values(state.mms)) {
      for (const v of [...mm.vmas, ...(mm.detached ?? [])]) {
        const bad = v.vm_file !== 0 ? ref(v.vm_file, `vma ${v.id} of mm ${mm.id}`) : null;
        if (bad) return violated(this, bad);
      }
    }
    for (const inode of Object.values(state.inodes)) {
      for (const r of inode.i_mapping.i_mmap) {
        const mm = state.mms[r.mm];
        const live = mm && [...mm.vmas, ...(mm.detached ?? [])].some((v) => v.id === r.vma);
        if (!live) return violated(this, `inode ${inode.id} i_mmap names vma ${r.vma} of mm ${r.mm}, which is gone`);
      }
    }
    const quiescent = Object.values(state.tasks).every((t) => t.dead || t.frames.length === 0);
    if (!quiescent) return null;
    const extra = k.design.kernelFileRefs?.(k) ?? new Map<number, number>();
    for (const f of Object.values(state.files)) {
      const want = (seen.get(f.id) ?? 0) + (extra.get(f.id) ?? 0);
      if (f.f_count !== want) {
        return violated(this, `file ${f.id} (${f.name}) has f_count ${f.f_count} but ${want} references ` +
          `(${f.f_count > want ? 'a leak' : 'a reference dropped twice'})`);
      }
    }
    return null;
  },
};
