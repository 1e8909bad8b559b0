/**
 * `dmabuf-vma@1` … `dmabuf-vma@5`: Jason Gunthorpe's progression to "a
 * DMABUF under every VMA VFIO mmaps" (<20260227220427.GM5933@nvidia.com>,
 * quoted in the seed thread), each stage cumulative on `legacy`:
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
 * i_mmap (docs/designs.md lists what each stage breaks and the test that
 * shows it). Exports through VFIO_DEVICE_FEATURE_DMA_BUF and the last close
 * are v6.19's.
 */
import type { Design, FileOperations, VmOperations } from '../types.js';
import { extendDesign } from '../types.js';
import { legacy, legacyKernelFileRefs } from '../legacy.js';
import type { Path } from '../../kernel/sched/path.js';
import { vfioDeviceFops } from '../../vfio/pci/index.js';
import { vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import { VFIO_PCI_MMAP_OPS } from '../../vfio/pci/mmap.js';
import { dmaBufFaultPaths } from '../common/dmabuf-fault.js';
import { dmaBufMmapPath } from '../common/dmabuf-mmap.js';
import { vfioPciDmaBufReleaseVfile } from '../common/dmabuf-release.js';
import { dmaBufVmaPfn, vdmabufOf, vfileRefs, vmaDmaBuf } from '../common/vfio-dmabuf.js';
import { vfio_pci_core_mmap_prepare } from './mmap-prepare.js';
import { vfio_pci_zap_bars } from './zap.js';

export type DmaBufVmaStage = 1 | 2 | 3 | 4 | 5;

const STAGE_TEXT: Readonly<Record<DmaBufVmaStage, string>> = {
  1: 'mmap_prepare puts a fresh single-range dma-buf file in vm_file; zap still walks the device inode',
  2: '+ fault handlers with full multi-range semantics',
  3: '+ fault handlers check the dma-buf revoke state',
  4: '+ the address_space moves to the dma-buf: every zap site zaps each dma-buf of the device',
  5: '+ mmap of the dma-buf fd directly',
};

/** The BAR-mmap vm_operations_struct of a stage. */
function vmOpsOf(stage: DmaBufVmaStage): VmOperations {
  return {
    name: VFIO_PCI_MMAP_OPS,
    fault: 'vfio_pci_mmap_page_fault',
    huge_fault: 'vfio_pci_mmap_huge_fault',
    expectedPfn: dmaBufVmaPfn,
    zapMappings: (k, vma) => {
      const d = vmaDmaBuf(k, vma);
      if (d === null) return [];
      // stage 4+: each dma-buf's own address_space; before: the device inode vfio_pci_zap_bars walks
      if (stage >= 4) return [k.get('files', k.get('dmabufs', d).file).f_mapping];
      const vdev = vdmabufOf(k, d)?.vdev ?? 0;
      return vdev === 0 ? [] : [k.get('vfio', vdev).inode];
    },
  };
}

/** Build stage `stage` of the progression. */
export function dmabufVma(stage: DmaBufVmaStage): Design {
  const fops: FileOperations = {
    name: vfioDeviceFops.name, release: vfioDeviceFops.release, unlocked_ioctl: vfioDeviceFops.unlocked_ioctl,
    read: vfioDeviceFops.read, write: vfioDeviceFops.write, mmap_prepare: 'vfio_pci_core_mmap_prepare',
  } as FileOperations;
  const paths: Path[] = [
    vfio_pci_core_mmap_prepare,
    vfioPciDmaBufReleaseVfile,
    ...dmaBufFaultPaths({
      fault: 'vfio_pci_mmap_page_fault', hugeFault: 'vfio_pci_mmap_huge_fault',
      lookup: stage >= 2 ? 'multi' : 'single', check: stage >= 3 ? 'revoked' : 'memory',
    }),
  ];
  if (stage >= 4) paths.push(vfio_pci_zap_bars);
  if (stage >= 5) paths.push(dmaBufMmapPath({ vmOps: VFIO_PCI_MMAP_OPS, refuseRevoked: false, memattr: false }));
  return extendDesign(legacy, {
    name: `dmabuf-vma@${stage}`,
    description: `Jason's step ${stage}: ${STAGE_TEXT[stage]}`,
    paths,
    fileOps: [fops],
    vmOps: [vmOpsOf(stage)],
    dmaBufOps: [{ ...vfioPciDmabufOps, ...(stage >= 5 ? { mmap: 'vfio_pci_dma_buf_mmap' } : {}) }],
    kernelFileRefs: (k) => vfileRefs(k, legacyKernelFileRefs(k)),
    vmaToDmaBuf: vmaDmaBuf,
  });
}

export const DMABUF_VMA_STAGES: readonly Design[] = ([1, 2, 3, 4, 5] as const).map(dmabufVma);
