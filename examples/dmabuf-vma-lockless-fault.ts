/**
 * A design stacked on a built-in one: Jason's step 4 (`dmabuf-vma@4`) with
 * a reviewer's idea on top, "the dma-buf's revoked flag is enough, the
 * fault needs no memory_lock": the fault path reads the flag without the
 * lock and then inserts. A PCI_COMMAND write that clears the memory bit,
 * revokes the buffer and zaps its mapping can run between the check and
 * the insert, and the new leaf maps a BAR that no longer decodes.
 *
 *   barmap check scenarios/fault+cmd-disable.yaml --design ./examples/dmabuf-vma-lockless-fault.ts
 *
 * breaks no-leaf-on-disabled-bar; `dmabuf-vma@4` holds on the same scenario.
 */
import { dmabufVma, dmabufVmaSteps, faultObject, getVma, mm, patch, patchPath, stack, VM_FAULT_FALLBACK, VM_FAULT_SIGBUS } from '../src/designs/api.js';

const INSERT = { pte: 'vmf_insert_pfn', pmd: 'vmf_insert_pfn_pmd', pud: 'vmf_insert_pfn_pud' } as const;

export default stack(dmabufVma(4), {
  name: 'dmabuf-vma-lockless-fault',
  description: 'dmabuf-vma@4 whose fault checks the revoke state without memory_lock (an example user design)',
  patches: [patch('vfio/pci: check the dma-buf revoke state without memory_lock', 'example: a TOCTOU a review should catch',
    patchPath(dmabufVmaSteps.vfio_pci_mmap_huge_fault).replace('memory_lock', (cx) => {
      const o = faultObject(cx.k, getVma(cx.k, cx.l.mm, cx.l.vma));
      const level = mm.orderLevel(cx.k.arch, cx.l.order);
      cx.l.r = o === null || o.revoked ? VM_FAULT_SIGBUS : VM_FAULT_FALLBACK;
      if (o === null || o.revoked || level === null) return cx.goto('dbg');
      cx.call(INSERT[level], { mm: cx.l.mm, vma: cx.l.vma, address: cx.l.address, pfn: cx.l.pfn, write: false }, 'r', 'dbg');
    }))],
});
