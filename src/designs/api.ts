/**
 * The public design API: what a user's own design module (`barmap check
 * --design ./my-design.ts`) is written against, exported from the package
 * (`import { stack, patch, patchPath, legacy } from 'barmap'`).
 *
 * A design is a stack of patches over a base design (docs/designs.md): the
 * upstream model `legacy`, or a built-in stack such as `dmabuf-vma@4`. A
 * patch replaces a path, replaces or inserts one labelled step of a path
 * (typed by the path object: a label that does not exist does not compile),
 * changes ops-table members, or declares a member it adds to a kernel
 * struct. The module's default export (or its export named `design`) is
 * the Design that {@link stack} returns. A design file is code: it runs with
 * the rights of the user who runs barmap.
 */
export type { Design, DesignField, DmaBufOps, FileOperations, OpTarget, VmOperations } from './types.js';
export { opName } from './types.js';
export type { Change, Patch, StackSpec, OpsKind } from './patch.js';
export {
  DesignError, PathPatch, addField, addPath, patch, patchPath, replacePath, setDmaBufOps, setFileOps, setVmOps, stack,
} from './patch.js';
export { DESIGNS, DEFAULT_DESIGN, findDesign } from './index.js';
export { legacy } from './legacy.js';
export { rfc } from './rfc/index.js';
export * as rfcSeries from './rfc/index.js';
export { dmabufVma, DMABUF_VMA_STAGES } from './dmabuf-vma/index.js';
export * as dmabufVmaSteps from './dmabuf-vma/index.js';
export type { DmaBufVmaStage } from './dmabuf-vma/index.js';
export { sharedBase, commonBaseObject } from './shared-base/index.js';
export { compatMapDmaBuf } from './common/compat-map-dmabuf.js';

// Writing paths and steps
export { path } from '../kernel/sched/path.js';
export type { Cx, KernelPath, LabelsOf, LocalsOf, Path, Step } from '../kernel/sched/path.js';
export { PATH_NAMES } from '../kernel/sched/registry.js';
export type { PathName } from '../kernel/sched/registry.js';
export type { Kernel } from '../kernel/kernel.js';
export type { Locals, Value } from '../kernel/sched/types.js';
export type { Vma, PageProt } from '../mm/types.js';
export { mmapVma, setMmapVma, mmapDesc, setMmapDesc } from '../mm/mmap-vma.js';
export {
  VM_FAULT_FALLBACK, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, VM_FAULT_OOM, PMD_ORDER, PUD_ORDER, vmFaultName,
} from '../mm/fault-codes.js';
export { getVma } from '../mm/mm.js';
export { hex } from '../kernel/events.js';
export * as errno from '../uapi/errno.js';

// The upstream (v6.19) paths and tables designs patch, as typed handles
export * as mm from '../mm/index.js';
export * as vfioPci from '../vfio/pci/index.js';
export { VFIO_PCI_MMAP_OPS, VFIO_PCI_MMAP_FLAGS } from '../vfio/pci/mmap.js';
export { vfioPciMmapOps, vfioDeviceFops, vmaToPfn, isAlignedForOrder } from '../vfio/pci/index.js';
export {
  vfio_pci_mmap_huge_fault, vfio_pci_mmap_page_fault, vfio_pci_vmf_insert_pfn,
} from '../vfio/pci/fault.js';
export type { VmFaultLocals } from '../vfio/pci/fault.js';
export { vfio_pci_zap_bars, vfio_pci_zap_and_down_write_memory_lock } from '../vfio/pci/zap.js';
export { vfio_pci_core_mmap } from '../vfio/pci/mmap.js';
export { vfio_device_fops_release, vfio_pci_core_disable, vfioDfClose } from '../vfio/pci/release.js';
export { vfio_pci_dma_buf_move, vfio_pci_dma_buf_cleanup, listedDmaBuf } from '../vfio/pci/dmabuf-move.js';
export {
  vfioPciDmabufOps, VFIO_PCI_DMABUF_OPS, vfio_pci_dma_buf_release, vfio_pci_dma_buf_map, vfio_pci_dma_buf_attach,
} from '../vfio/pci/dmabuf.js';
export { vfio_pci_core_feature_dma_buf, exportChecked, parseDmaBufRequest, vfioCheckFeature } from '../vfio/pci/dmabuf-feature.js';
export { vfioPciMemoryEnabled } from '../vfio/pci/device.js';
export { downWriteMemoryLock } from '../vfio/pci/memory-lock.js';
export { unmapMappingRangePath as unmap_mapping_range } from '../mm/memory.js';

// Building blocks of the built-in designs
export { dmaBufHugeFault, dmaBufPageFault, faultEntry, faultMemoryLock, faultObject } from './common/dmabuf-fault.js';
export type { FaultObject, Lookup, Check } from './common/dmabuf-fault.js';
export { dmaBufMmapPath, dmaBufMmapStep } from './common/dmabuf-mmap.js';
export {
  vmaDmaBuf, vdmabufOf, findPfn, rangePfn, physVecRanges, deviceRanges, objectOffset, zapOwnMappingArgs,
} from './common/vfio-dmabuf.js';
export type { DesignVfioDmaBuf, ObjectRange } from './common/vfio-dmabuf.js';
