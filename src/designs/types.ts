/**
 * The design API: the hook points the seed thread argues about.
 *
 * A design is code. It names the kernel paths it runs (every path, so a
 * design can replace any of them), the file_operations tables files point
 * to, and the vm_operations_struct tables VMAs point to. Files and VMAs in
 * the state hold only the table's name, so the state stays plain data and a
 * design swaps behaviour without touching it.
 */
import type { Path } from '../kernel/sched/path.js';

/** struct file_operations: each member names a path in the design. */
export interface FileOperations {
  readonly name: string;
  /** f_op->mmap(file, vma): called with the VMA built, before it is linked. */
  readonly mmap?: string;
  /** f_op->mmap_prepare(desc): called before the VMA exists (v6.16+). */
  readonly mmap_prepare?: string;
  /** f_op->release(inode, file): the last reference went. */
  readonly release?: string;
  readonly unlocked_ioctl?: string;
  readonly read?: string;
  readonly write?: string;
}

/** struct vm_operations_struct: each member names a path in the design. */
export interface VmOperations {
  readonly name: string;
  /** ->open(vma): a VMA was copied (fork) or split. */
  readonly open?: string;
  /** ->close(vma): a VMA goes away. */
  readonly close?: string;
  /** ->may_split(vma, addr): refuse a split with an errno. */
  readonly may_split?: string;
  /** ->fault(vmf): PTE-level fault. */
  readonly fault?: string;
  /** ->huge_fault(vmf, order): PMD/PUD-level fault (CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP). */
  readonly huge_fault?: string;
}

export interface Design {
  readonly name: string;
  /** One line for `barmap list`. */
  readonly description: string;
  /** Every path the kernel can run under this design, by name. */
  readonly paths: ReadonlyMap<string, Path>;
  readonly fileOps: { readonly [name: string]: FileOperations };
  readonly vmOps: { readonly [name: string]: VmOperations };
}

/** Build a design from a base, replacing or adding paths and tables. */
export function extendDesign(
  base: Design,
  over: {
    name: string;
    description: string;
    paths?: readonly Path[];
    fileOps?: readonly FileOperations[];
    vmOps?: readonly VmOperations[];
  },
): Design {
  const paths = new Map(base.paths);
  for (const p of over.paths ?? []) paths.set(p.name, p);
  const fileOps = { ...base.fileOps };
  for (const f of over.fileOps ?? []) fileOps[f.name] = f;
  const vmOps = { ...base.vmOps };
  for (const v of over.vmOps ?? []) vmOps[v.name] = v;
  return { name: over.name, description: over.description, paths, fileOps, vmOps };
}
