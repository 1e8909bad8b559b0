/**
 * The design API: the hook points the seed thread argues about.
 *
 * A design is code. It names the kernel paths it runs (every path, so a
 * patch can replace any of them), the file_operations tables files point
 * to, and the vm_operations_struct tables VMAs point to. Files and VMAs in
 * the state hold only the table's name, so the state stays plain data and a
 * design swaps behaviour without touching it.
 */
import type { Path } from '../kernel/sched/path.js';
import type { PathName } from '../kernel/sched/registry.js';

/**
 * What an ops-table member names: a path of the model by name, or a path
 * object (a design's own path; the design registers it under its name).
 */
export type OpTarget = PathName | Path;
import type { TableName } from '../kernel/state.js';
import type { Patch } from './patch.js';

/** struct file_operations: each member names a path in the design. */
export interface FileOperations {
  readonly name: string;
  /** f_op->mmap(file, vma): called with the VMA built, before it is linked. */
  readonly mmap?: OpTarget;
  /** f_op->mmap_prepare(desc): called before the VMA exists (v6.16+). */
  readonly mmap_prepare?: OpTarget;
  /** f_op->release(inode, file): the last reference went. */
  readonly release?: OpTarget;
  readonly unlocked_ioctl?: OpTarget;
  readonly read?: OpTarget;
  readonly write?: OpTarget;
  /** f_op->llseek(file, offset, whence); absent: the file has no FMODE_LSEEK (lseek is -ESPIPE). */
  readonly llseek?: OpTarget;
}

/** struct vm_operations_struct: each member names a path in the design. */
export interface VmOperations {
  readonly name: string;
  /** ->open(vma): a VMA was copied (fork) or split. */
  readonly open?: OpTarget;
  /** ->close(vma): a VMA goes away. */
  readonly close?: OpTarget;
  /** ->may_split(vma, addr): refuse a split with an errno. */
  readonly may_split?: OpTarget;
  /** ->fault(vmf): PTE-level fault. */
  readonly fault?: OpTarget;
  /** ->huge_fault(vmf, order): PMD/PUD-level fault (CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP). */
  readonly huge_fault?: OpTarget;
  /**
   * ->access(vma, addr, buf, len, write): __access_remote_vm()'s way into a
   * VM_IO|VM_PFNMAP VMA (generic_access_phys()); locals {mm, vma, addr,
   * len, write, value}, returns the bytes transferred. vfio_pci_mmap_ops has none in v6.19.
   */
  readonly access?: OpTarget;
}

/**
 * struct dma_buf_ops (include/linux/dma-buf.h, v6.19): each member names a
 * path in the design. Locals: attach/detach {dmabuf, attach};
 * map_dma_buf/unmap_dma_buf/pin/unpin {attach} (called with the dma_resv
 * held; map_dma_buf stores the sg table's ranges in the attachment's
 * `mapped`, unmap_dma_buf clears it); release {dmabuf}; mmap {dmabuf, ...the
 * ->mmap locals of src/mm/mmap.ts}. All return 0 or -errno.
 */
export interface DmaBufOps {
  readonly name: string;
  readonly attach?: OpTarget;
  readonly detach?: OpTarget;
  readonly map_dma_buf: OpTarget;
  readonly unmap_dma_buf: OpTarget;
  readonly pin?: OpTarget;
  readonly unpin?: OpTarget;
  readonly release: OpTarget;
  readonly mmap?: OpTarget;
  /**
   * ops->revoke(dmabuf) of RFC1 4/7 (not upstream): DMA_BUF_IOCTL_REVOKE
   * calls it with locals {dmabuf}; returns 0 or -errno.
   */
  readonly revoke?: OpTarget;
}

/** A member a design adds to a kernel struct (src/designs/patch.ts addField). */
export interface DesignField {
  readonly table: TableName;
  readonly field: string;
  readonly doc: string;
  /** The subject of the patch that adds it. */
  readonly patch: string;
  /**
   * What the member counts: 'files', it is a counted reference on a file (a
   * `struct file *`); 'mappings', it is a kref on a vfio_dmabufs row held by
   * each mapped attachment of the buffer plus at most one "registered"
   * reference (v7.1 priv->kref).
   */
  readonly holds?: FieldHolds;
}

/** The kinds of count a design's field can be (src/designs/patch.ts addField). */
export type FieldHolds = 'files' | 'mappings';

/**
 * A design: the upstream model (`legacy`, the empty stack) or a stack of
 * patches over a base (src/designs/patch.ts). What the kernel runs is
 * `paths` and the ops tables; `patches` and `fields` say where each change
 * comes from.
 */
export interface Design {
  readonly name: string;
  /** One line for `barmap list`. */
  readonly description: string;
  /** The design this one is stacked on (absent: the upstream model itself). */
  readonly base?: string;
  /** Every patch of the stack, oldest first (empty for the upstream model). */
  readonly patches?: readonly Patch[];
  /** Every path the kernel can run under this design, by name. */
  readonly paths: ReadonlyMap<string, Path>;
  readonly fileOps: { readonly [name: string]: FileOperations };
  readonly vmOps: { readonly [name: string]: VmOperations };
  /** dma_buf_ops tables exporters name in dma_buf.ops (absent: no exporter in the design). */
  readonly dmaBufOps?: { readonly [name: string]: DmaBufOps };
  /** Members the stack adds to kernel structs. */
  readonly fields?: readonly DesignField[];
}

/** The name an ops-table member calls, for traces ('none' when the member is absent). */
export function opName(t: OpTarget | undefined): string {
  if (t === undefined) return 'none';
  return typeof t === 'string' ? t : t.name;
}
