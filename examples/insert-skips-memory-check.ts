/**
 * A one-step bug in upstream v6.19: vfio_pci_vmf_insert_pfn() keeps its
 * runtime-PM test but loses `!__vfio_pci_memory_enabled(vdev)`, as a
 * refactor of the insert helper easily could. A fault that runs after a
 * PCI_COMMAND write cleared the memory bit then maps the BAR again.
 *
 *   barmap check scenarios/fault+cmd-disable.yaml --design ./examples/insert-skips-memory-check.ts
 *
 * breaks no-leaf-on-disabled-bar and no-access-to-disabled-bar; `legacy`
 * holds on the same scenario.
 */
import {
  legacy, mm, patch, patchPath, stack, vfio_pci_vmf_insert_pfn, VM_FAULT_FALLBACK, VM_FAULT_SIGBUS,
} from '../src/designs/api.js';

const INSERT = { pte: 'vmf_insert_pfn', pmd: 'vmf_insert_pfn_pmd', pud: 'vmf_insert_pfn_pud' } as const;

export default stack(legacy, {
  name: 'insert-skips-memory-check',
  description: 'legacy whose vfio_pci_vmf_insert_pfn() forgets the memory-enable test (an example user design)',
  patches: [patch('vfio/pci: insert_pfn checks runtime PM only', 'example: a one-line regression',
    patchPath(vfio_pci_vmf_insert_pfn).replace('entry', (cx) => {
      if (cx.k.get('vfio', cx.l.vdev).pm_runtime_engaged) return cx.ret(VM_FAULT_SIGBUS);
      const level = mm.orderLevel(cx.k.arch, cx.l.order);
      if (level === null) return cx.ret(VM_FAULT_FALLBACK);
      const args = { mm: cx.l.mm, vma: cx.l.vma, address: cx.l.address, pfn: cx.l.pfn, write: false };
      cx.call(INSERT[level], args, 'r', 'done');
    }))],
});
