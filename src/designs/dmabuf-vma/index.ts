/**
 * `dmabuf-vma@1` … `dmabuf-vma@5`: Jason Gunthorpe's progression to "a
 * DMABUF under every VMA VFIO mmaps" (<20260227220427.GM5933@nvidia.com>,
 * quoted in the seed thread), each stage the stack of steps 1..N over
 * `legacy`, one file per step:
 *
 *   1  f_op->mmap_prepare allocates a single-range dma-buf for each BAR mmap
 *      and puts its file in desc->vm_file; the vm_ops work on that dma-buf
 *      (single-range look-up; memory-enable check as v6.19);
 *   2  the fault handlers walk every range (vfio_pci_dma_buf_find_pfn);
 *   3  the fault handlers check the dma-buf's revoked state and vdev;
 *   4  the address_space moves to the dma-buf: vfio_pci_zap_bars() zaps
 *      every dma-buf of the device through its own f_mapping;
 *   5  dma_buf_ops.mmap: the dma-buf fd itself can be mmapped, through the
 *      same vm_ops.
 * A stage keeps the hazards the thread leaves for a later stage: stages
 * 1–3 still zap the device inode while the VMAs live in the dma-buf's
 * i_mmap (docs/designs.md lists what each stage breaks). Exports through
 * VFIO_DEVICE_FEATURE_DMA_BUF and the last close are v6.19's. The type1
 * compat look-up (compat-map-dmabuf.ts) comes first: it is why the thread
 * wants a dma-buf under every VMA.
 */
import type { Design } from '../types.js';
import type { Patch } from '../patch.js';
import { stack } from '../patch.js';
import { legacy } from '../legacy.js';
import { compatMapDmaBuf } from '../common/compat-map-dmabuf.js';
import { step1MmapPrepare } from './step1-mmap-prepare.js';
import { step2MultiRange } from './step2-multi-range.js';
import { step3RevokeInFault } from './step3-revoke-in-fault.js';
import { step4MoveAddressSpace } from './step4-move-address-space.js';
import { step5MmapDmaBufFd } from './step5-mmap-dmabuf-fd.js';

export type DmaBufVmaStage = 1 | 2 | 3 | 4 | 5;

const STEPS: readonly Patch[] = [step1MmapPrepare, step2MultiRange, step3RevokeInFault, step4MoveAddressSpace, step5MmapDmaBufFd];

const STAGE_TEXT: Readonly<Record<DmaBufVmaStage, string>> = {
  1: 'mmap_prepare puts a fresh single-range dma-buf file in vm_file; zap still walks the device inode',
  2: '+ fault handlers with full multi-range semantics',
  3: '+ fault handlers check the dma-buf revoke state',
  4: '+ the address_space moves to the dma-buf: every zap site zaps each dma-buf of the device',
  5: '+ mmap of the dma-buf fd directly',
};

/** Stage `stage`: steps 1..stage stacked on legacy. */
export function dmabufVma(stage: DmaBufVmaStage): Design {
  return stack(legacy, {
    name: `dmabuf-vma@${stage}`,
    description: `Jason's step ${stage}: ${STAGE_TEXT[stage]}`,
    patches: [compatMapDmaBuf, ...STEPS.slice(0, stage)],
  });
}

export const DMABUF_VMA_STAGES: readonly Design[] = ([1, 2, 3, 4, 5] as const).map(dmabufVma);
export { step1MmapPrepare, step2MultiRange, step3RevokeInFault, step4MoveAddressSpace, step5MmapDmaBufFd };
export { vfio_pci_mmap_huge_fault, vfio_pci_mmap_page_fault, vfio_pci_core_mmap_prepare } from './step1-mmap-prepare.js';
