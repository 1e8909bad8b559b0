/**
 * The VMA under construction during mmap(), and how a driver's f_op->mmap
 * or f_op->mmap_prepare path reads and changes it.
 *
 * In the kernel, ->mmap(file, vma) writes straight into a vm_area_struct
 * that is not yet linked anywhere, and ->mmap_prepare(desc) into a
 * struct vm_area_desc on the caller's stack. Here both live in the locals of
 * the `mmap_region` frame (locals `vma` and `desc`), below the driver's frame
 * on the same task's stack. A driver path reads them with {@link mmapVma} /
 * {@link mmapDesc} and writes with {@link setMmapVma} / {@link setMmapDesc};
 * a write is visible at once to mmap_region (also when the driver then fails,
 * which is what bug B5 is about), and to any path nested in between (e.g.
 * dma_buf_mmap() calling the exporter's mmap).
 */
import type { Cx } from '../kernel/sched/path.js';
import type { Frame, Locals, Value } from '../kernel/sched/types.js';
import { ModelError } from '../kernel/kernel.js';
import type { PageProt, Vma } from './types.js';

/** The path whose frame holds the draft. */
export const MMAP_REGION = 'mmap_region';

/** The fields of a VMA a driver's ->mmap may read and change (all of Vma). */
export type VmaDraft = Vma;

/** Fields ->mmap may change (vm_start/vm_end/vm_mm/id are the core's). */
export type VmaDraftChange = Partial<Pick<Vma,
  'vm_pgoff' | 'vm_flags' | 'vm_page_prot' | 'vm_file' | 'vm_ops' | 'vm_private_data'>>;

/**
 * struct vm_area_desc (v6.18+): `file` is the file being mapped, `vm_file`
 * what the VMA will carry; mm/file/start/end are read-only.
 */
export interface MmapDesc {
  readonly mm: number;
  readonly file: number;
  readonly start: number;
  readonly end: number;
  readonly pgoff: number;
  readonly vm_file: number;
  readonly vm_flags: number;
  readonly page_prot: PageProt;
  readonly vm_ops: string;
  readonly private_data: Value;
}

/** Fields ->mmap_prepare may change. */
export type MmapDescChange = Partial<Pick<MmapDesc,
  'pgoff' | 'vm_file' | 'vm_flags' | 'page_prot' | 'vm_ops' | 'private_data'>>;

function regionFrameIndex(frames: readonly Frame[]): number {
  for (let i = frames.length - 2; i >= 0; i--) {
    if (frames[i]!.fn === MMAP_REGION) return i;
  }
  throw new ModelError('no mmap_region frame under this path: mmapVma/setMmapVma outside ->mmap');
}

function readDraft(cx: Cx<Locals>, key: 'vma' | 'desc'): Value {
  const frames = cx.k.get('tasks', cx.tid).frames;
  const v = frames[regionFrameIndex(frames)]!.locals[key];
  if (v === undefined || v === null) throw new ModelError(`mmap_region has no ${key} draft now`);
  return v;
}

function writeDraft(cx: Cx<Locals>, key: 'vma' | 'desc', fields: Readonly<Record<string, Value>>): void {
  const task = cx.k.get('tasks', cx.tid);
  const frames = [...task.frames];
  const at = regionFrameIndex(frames);
  const f = frames[at]!;
  const cur = f.locals[key] as { readonly [k: string]: Value };
  frames[at] = { ...f, locals: { ...f.locals, [key]: { ...cur, ...fields } } };
  cx.k.mut('tasks', cx.tid).frames = frames;
  // Keep the driver's own copies of the fields in step (if it has them).
  const l = cx.l as Record<string, Value>;
  for (const [name, value] of Object.entries(fields)) if (name in l) l[name] = value;
}

/** The VMA as it stands now (inside f_op->mmap). */
export function mmapVma(cx: Cx<Locals>): VmaDraft {
  return readDraft(cx, 'vma') as unknown as VmaDraft;
}

/** Change the VMA being built (inside f_op->mmap); models the driver's stores to *vma. */
export function setMmapVma(cx: Cx<Locals>, fields: VmaDraftChange): void {
  writeDraft(cx, 'vma', fields as unknown as Record<string, Value>);
}

/** The vm_area_desc as it stands now (inside f_op->mmap_prepare). */
export function mmapDesc(cx: Cx<Locals>): MmapDesc {
  return readDraft(cx, 'desc') as unknown as MmapDesc;
}

/** Change the vm_area_desc (inside f_op->mmap_prepare). */
export function setMmapDesc(cx: Cx<Locals>, fields: MmapDescChange): void {
  writeDraft(cx, 'desc', fields as unknown as Record<string, Value>);
}

/** The locals a driver's ->mmap path starts with: a copy of the draft plus `file` and `mm`. */
export function mmapCallLocals(vma: VmaDraft, file: number): Locals {
  return {
    file, mm: vma.vm_mm, vma: vma.id,
    vm_start: vma.vm_start, vm_end: vma.vm_end, vm_pgoff: vma.vm_pgoff, vm_flags: vma.vm_flags,
    vm_page_prot: vma.vm_page_prot as unknown as Value, vm_file: vma.vm_file, vm_ops: vma.vm_ops,
    vm_private_data: vma.vm_private_data,
  };
}

/** The locals a driver's ->mmap_prepare path starts with: the desc's fields. */
export function mmapPrepareCallLocals(desc: MmapDesc): Locals {
  return { ...(desc as unknown as Locals) };
}
