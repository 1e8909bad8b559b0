/**
 * An example of a user's own design: upstream v6.19 (`legacy`) with two
 * patches, a BAR fault handler that refuses huge faults, so every BAR
 * mapping is built from 4 KiB PTEs, and a vfio_pci_zap_bars() that zaps
 * nothing at every site that disables memory decoding.
 *
 *   barmap check scenarios/fault+cmd-disable.yaml --design ./examples/my-design.ts
 *
 * What it shows: the PTE-only handler keeps every invariant (it only costs
 * TLB reach: a 2 MiB access pattern now takes 512 faults instead of one);
 * the missing zap breaks `no-leaf-on-disabled-bar` as soon as a PCI_COMMAND
 * write (or D3hot, FLR, reset) turns decoding off under a live mapping, and
 * `no-access-to-disabled-bar` at the next access through it (the
 * CVE-2020-12888 class of bug, B3).
 */
import {
  legacy, patch, patchPath, replacePath, path, stack, vfio_pci_mmap_huge_fault, VM_FAULT_FALLBACK,
} from '../src/designs/api.js';

/** vfio_pci_zap_bars that zaps nothing: the bug this design carries, on every zap site. */
const forgetfulZap = path<{ vdev: number }>()('vfio_pci_zap_bars', 'entry', {
  entry: (cx) => {
    cx.emit('zap', 'vfio_pci_zap_bars', { skipped: 'my-design forgets the zap' });
    cx.ret(0);
  },
});

const design = stack(legacy, {
  name: 'my-design',
  description: 'legacy with PTE-only BAR faults and no zap on disable (an example user design)',
  patches: [
    patch('my: PTE-only BAR faults', 'example',
      // vfio_pci_mmap_huge_fault(): answer VM_FAULT_FALLBACK for every order above 0, before any lookup.
      patchPath(vfio_pci_mmap_huge_fault).insertBefore('entry', 'pte_only', (cx) => {
        if (cx.l.order > 0) return cx.ret(VM_FAULT_FALLBACK);
        cx.goto('entry');
      })),
    patch('my: forget the zap', 'example', replacePath(forgetfulZap)),
  ],
});

export default design;
