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
import type { PathName } from '../kernel/sched/registry.js';

/**
 * What an ops-table member names: a path of the model by name, or a path
 * object (a design's own path; the design registers it under its name).
 */
export type OpTarget = PathName | Path;
import type { Kernel } from '../kernel/kernel.js';
import type { Vma } from '../mm/types.js';

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
   * Model hook, no kernel counterpart: the PFN the mapped object assigns to
   * `address` of `vma`, or null where it assigns none. The invariants check
   * every page-table leaf against it.
   */
  readonly expectedPfn?: (k: Kernel, vma: Vma, address: number) => number | null;
  /**
   * Model hook: the inodes whose address_space a revoke or disable of the
   * object behind `vma` zaps. Every VMA that has leaves must be in the i_mmap
   * of each of them. Default: the inode of file(vm_file)->f_mapping.
   */
  readonly zapMappings?: (k: Kernel, vma: Vma) => readonly number[];
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
  /**
   * Model hook, no kernel counterpart: whether the exporter has revoked the
   * buffer (its private `revoked` state), for importer DMA events and the
   * invariants. Absent: never revoked.
   */
  readonly isRevoked?: (k: Kernel, dmabuf: number) => boolean;
}

export interface Design {
  readonly name: string;
  /** One line for `barmap list`. */
  readonly description: string;
  /** Every path the kernel can run under this design, by name. */
  readonly paths: ReadonlyMap<string, Path>;
  readonly fileOps: { readonly [name: string]: FileOperations };
  readonly vmOps: { readonly [name: string]: VmOperations };
  /** dma_buf_ops tables exporters name in dma_buf.ops (absent: no exporter in the design). */
  readonly dmaBufOps?: { readonly [name: string]: DmaBufOps };
  /**
   * Model hook: file references the design's kernel objects hold (beyond fds
   * and vm_file), by file id, for the reference-balance invariant; e.g. a
   * dma-buf that keeps the vfio file it was made from.
   */
  readonly kernelFileRefs?: (k: Kernel) => ReadonlyMap<number, number>;
  /**
   * Model hook: the dma-buf (dmabufs id) behind a VMA, or null where there
   * is none. iommufd's type1 emulation (VFIO_IOMMU_MAP_DMA of a VFIO mmap)
   * needs it to map BARs only through dma-bufs (Jason Gunthorpe,
   * <20260227125109.GH5933@nvidia.com>). Absent: null for every VMA.
   */
  readonly vmaToDmaBuf?: (k: Kernel, vma: Vma) => number | null;
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
    dmaBufOps?: readonly DmaBufOps[];
    kernelFileRefs?: Design['kernelFileRefs'];
    vmaToDmaBuf?: Design['vmaToDmaBuf'];
  },
): Design {
  const paths = new Map(base.paths);
  for (const p of over.paths ?? []) paths.set(p.name, p);
  const fileOps = { ...base.fileOps };
  for (const f of over.fileOps ?? []) fileOps[f.name] = f;
  const vmOps = { ...base.vmOps };
  for (const v of over.vmOps ?? []) vmOps[v.name] = v;
  const dmaBufOps = { ...base.dmaBufOps };
  for (const d of over.dmaBufOps ?? []) dmaBufOps[d.name] = d;
  const kernelFileRefs = over.kernelFileRefs ?? base.kernelFileRefs;
  const vmaToDmaBuf = over.vmaToDmaBuf ?? base.vmaToDmaBuf;
  return {
    ...base, name: over.name, description: over.description, paths, fileOps, vmOps, dmaBufOps,
    ...(kernelFileRefs ? { kernelFileRefs } : {}),
    ...(vmaToDmaBuf ? { vmaToDmaBuf } : {}),
  };
}

/** The name an ops-table member calls, for traces ('none' when the member is absent). */
export function opName(t: OpTarget | undefined): string {
  if (t === undefined) return 'none';
  return typeof t === 'string' ? t : t.name;
}
