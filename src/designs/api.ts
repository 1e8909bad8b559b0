/**
 * The public design API: what a user's own design module (`barmap run
 * --design ./my-design.ts`) is written against. A design is usually the
 * built-in one it starts from, changed with {@link extendDesign}: paths
 * replaced by name (a path is `path(name, entryLabel, steps)`, one atomic
 * step per label, see src/kernel/sched/path.ts), file_operations,
 * vm_operations_struct and dma_buf_ops tables replaced by name, and the
 * model hooks (expectedPfn, zapMappings, isRevoked, kernelFileRefs,
 * vmaToDmaBuf) the invariants read. docs/designs.md describes the hooks
 * and the built-in designs; examples/my-design.ts is a worked example.
 *
 * The module's default export (or its export named `design`) must be the
 * Design.
 */
export type { Design, DmaBufOps, FileOperations, VmOperations } from './types.js';
export { extendDesign } from './types.js';
export { DESIGNS, DEFAULT_DESIGN, findDesign } from './index.js';
export { legacy } from './legacy.js';
export { rfc } from './rfc/index.js';
export { dmabufVma } from './dmabuf-vma/index.js';
export type { DmaBufVmaStage } from './dmabuf-vma/index.js';
export { sharedBase } from './shared-base/index.js';

// Writing paths
export { path } from '../kernel/sched/path.js';
export type { Path, Step, Cx } from '../kernel/sched/path.js';
export type { Kernel } from '../kernel/kernel.js';
export type { Locals, Value } from '../kernel/sched/types.js';
export type { Vma, PageProt } from '../mm/types.js';
export { mmapVma, setMmapVma, mmapDesc, setMmapDesc } from '../mm/mmap-vma.js';
export {
  VM_FAULT_FALLBACK, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, VM_FAULT_OOM, PMD_ORDER, PUD_ORDER, vmFaultName,
} from '../mm/fault-codes.js';
export * as errno from '../uapi/errno.js';

// Building blocks of the built-in designs
export { VFIO_PCI_MMAP_OPS, VFIO_PCI_MMAP_FLAGS } from '../vfio/pci/mmap.js';
export { vfioPciMmapOps, vfioDeviceFops, vmaToPfn, isAlignedForOrder } from '../vfio/pci/index.js';
export { vfioPciDmabufOps, VFIO_PCI_DMABUF_OPS, dmaBufReleasePath } from '../vfio/pci/dmabuf.js';
export type { DmaBufReleaseChoices } from '../vfio/pci/dmabuf.js';
export { vfioDeviceFopsReleasePath } from '../vfio/pci/release.js';
export type { ReleaseChoices } from '../vfio/pci/release.js';
export { dmaBufFaultPaths, faultObject } from './common/dmabuf-fault.js';
export type { DmaBufFaultSpec, FaultObject } from './common/dmabuf-fault.js';
export { dmaBufMmapPath } from './common/dmabuf-mmap.js';
export { dmaBufMovePath, dmaBufCleanupPath } from './common/dmabuf-move.js';
export type { DmaBufMoveChoices } from './common/dmabuf-move.js';
export { featureDmaBufPath } from './common/feature.js';
export type { FeatureChoices } from './common/feature.js';
export {
  vmaDmaBuf, vdmabufOf, dmaBufVmaPfn, findPfn, rangePfn, physVecRanges, deviceRanges, objectOffset,
} from './common/vfio-dmabuf.js';
export type { DesignVfioDmaBuf, ObjectRange } from './common/vfio-dmabuf.js';
