/**
 * dma_buf_ops.mmap for VFIO dma-bufs: vfio_pci_dma_buf_mmap() (RFC1 3/7 and
 * 6/7; dmabuf-vma stage 5; shared-base). dma_buf_mmap_internal() has
 * already checked that vm_pgoff + pages fits the buffer; vm_pgoff is a page
 * offset inside the buffer and stays one (the fault handler walks the
 * ranges from it). The VMA keeps the dma-buf file as vm_file, so the core
 * links it into the dma-buf's own address_space.
 *
 * Options: `refuseRevoked` (RFC1 3/7: a revoked buffer gives -ENODEV, read
 * without a lock: a revoke racing the mmap is caught by the fault's check
 * under memory_lock); `memattr` (RFC1 6/7: write-combine when the buffer was
 * exported with the WC attribute).
 */
import { path } from '../../kernel/sched/path.js';
import type { Step } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { EINVAL, ENODEV } from '../../uapi/errno.js';
import { VM_SHARED, vmFlagsHas, vmFlagsSet, vmFlagsString } from '../../mm/types.js';
import type { PageProt } from '../../mm/types.js';
import { setMmapVma } from '../../mm/mmap-vma.js';
import { VFIO_PCI_MMAP_FLAGS } from '../../vfio/pci/mmap.js';
import type { FopMmapLocals } from '../../vfio/pci/mmap.js';
import { PAGE_SIZE } from '../../vfio/pci/device.js';
import { vdmabufOf } from './vfio-dmabuf.js';

export interface DmaBufMmapSpec {
  /** Name of the vm_operations_struct the VMA gets. */
  readonly vmOps: string;
  readonly refuseRevoked: boolean;
  readonly memattr: boolean;
}

/** The f_op->mmap locals dma_buf_mmap_internal passes on, plus the buffer. */
type MmapLocals = FopMmapLocals & { dmabuf: number };

/** models vfio_pci_dma_buf_mmap(): locals as dma_buf_mmap_internal passes them, plus {dmabuf}. */
export function dmaBufMmapPath(spec: DmaBufMmapSpec) {
  return path<MmapLocals>()('vfio_pci_dma_buf_mmap', 'entry', { entry: dmaBufMmapStep(spec) });
}

/** The one step of vfio_pci_dma_buf_mmap() as `spec` makes it. */
export function dmaBufMmapStep(spec: DmaBufMmapSpec): Step<MmapLocals, 'entry'> {
  return (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const p = vdmabufOf(cx.k, d.id);
    const fail = (r: number, why: string): void => {
      cx.emit('dmabuf', 'vfio_pci_dma_buf_mmap', { dmabuf: d.id, ret: r, why });
      cx.ret(r);
    };
    if (p === undefined) return fail(-ENODEV, 'no private object');
    if (spec.refuseRevoked && p.revoked) return fail(-ENODEV, 'revoked');
    if (!vmFlagsHas(cx.l.vm_flags, VM_SHARED)) return fail(-EINVAL, '!VM_SHARED');
    const pages = (cx.l.vm_end - cx.l.vm_start) / PAGE_SIZE;
    if (cx.l.vm_pgoff + pages > d.size / PAGE_SIZE) return fail(-EINVAL, 'pgoff + len > size');
    const prot: PageProt = { cache: spec.memattr && p.memattr === 'WC' ? 'WC' : 'UC', decrypted: true };
    const vm_flags = vmFlagsSet(cx.l.vm_flags, VFIO_PCI_MMAP_FLAGS);
    setMmapVma(cx, { vm_page_prot: prot, vm_flags, vm_ops: spec.vmOps, vm_private_data: p.id });
    cx.emit('dmabuf', 'vfio_pci_dma_buf_mmap', {
      dmabuf: d.id, start: hex(cx.l.vm_start), end: hex(cx.l.vm_end), pgoff: hex(cx.l.vm_pgoff),
      cache: prot.cache, flags: vmFlagsString(vm_flags), ret: 0,
    });
    cx.ret(0);
  };
}
