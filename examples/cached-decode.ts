/**
 * One extra state field: struct vfio_pci_core_device gains `mmap_decode`,
 * whether the BAR decoded memory when it was mmapped, and the fault path
 * trusts it instead of reading the command register under memory_lock
 * (Alex Williamson on RFC v2, <20260318140408.4677fff5@shazbot.org>: the
 * memory-enabled state must be sampled under memory_lock).
 *
 *   barmap check scenarios/fault+cmd-disable.yaml --design ./examples/cached-decode.ts
 *
 * breaks no-leaf-on-disabled-bar; `legacy` holds on the same scenario.
 */
import {
  addField, legacy, mm, patch, patchPath, stack, vfio_pci_core_mmap, vfio_pci_vmf_insert_pfn, vfioPciMemoryEnabled,
  VM_FAULT_FALLBACK, VM_FAULT_SIGBUS,
} from '../src/designs/api.js';

const INSERT = { pte: 'vmf_insert_pfn', pmd: 'vmf_insert_pfn_pmd', pud: 'vmf_insert_pfn_pud' } as const;
type Cached = { mmap_decode?: boolean };

export default stack(legacy, {
  name: 'cached-decode',
  description: 'legacy whose fault path trusts a memory-decode state cached at mmap (an example user design)',
  patches: [patch('vfio/pci: cache the decode state at mmap', 'example: the bug Alex warns of in RFC v2 review',
    addField('vfio', 'mmap_decode', 'whether memory decoded when the BAR was mmapped'),
    patchPath(vfio_pci_core_mmap).replace('entry', (cx) => {
      vfio_pci_core_mmap.steps.entry(cx); // v6.19's checks and VMA set-up, then the cache
      const vdev = cx.k.get('files', cx.l.file).private_data;
      (cx.k.mut('vfio', vdev) as Cached).mmap_decode = vfioPciMemoryEnabled(cx.k, vdev);
    }),
    patchPath(vfio_pci_vmf_insert_pfn).replace('entry', (cx) => {
      if ((cx.k.get('vfio', cx.l.vdev) as Cached).mmap_decode === false) return cx.ret(VM_FAULT_SIGBUS);
      const level = mm.orderLevel(cx.k.arch, cx.l.order);
      if (level === null) return cx.ret(VM_FAULT_FALLBACK);
      cx.call(INSERT[level], { mm: cx.l.mm, vma: cx.l.vma, address: cx.l.address, pfn: cx.l.pfn, write: false }, 'r', 'done');
    }))],
});
