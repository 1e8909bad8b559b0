/**
 * Known defects: historical bugs (docs/sources.md lists each with its fixing commit) that `--defect NAME` switches
 * back on in the design that had them.
 *
 * A defect is a name in the kernel state (`KernelState.defects`); the code at
 * the bug's site asks `k.defect(name)` and, when it is on, does what the
 * buggy kernel did. Each defect ships with a scenario whose `barmap run`
 * shows the bug happen (the scenario lists the broken invariant under
 * `violates:` and names the defect under `defects:`); the same scenario
 * without the defect keeps the invariant.
 */

export interface Defect {
  /** The name used on the command line: the bug number (docs/sources.md) and a few words. */
  readonly name: string;
  /** The bug as docs/sources.md numbers it, with the commit that fixed it. */
  readonly bug: string;
  /** What goes wrong, in one sentence. */
  readonly title: string;
  /** The fix that removed it (commit and version). */
  readonly fix: string;
  /** The site the defect switches: the kernel function, as the model names it. */
  readonly site: string;
  /** Designs the defect applies to (those that have the site). */
  readonly designs: readonly string[];
  /** The shipped scenario that shows it. */
  readonly scenario: string;
  /** The invariant the scenario breaks with the defect on. */
  readonly breaks: string;
}

export const DEFECTS: readonly Defect[] = [
  {
    name: 'B3-no-zap',
    bug: 'B3',
    title: 'disabling memory decoding leaves user mappings of the BARs in place (CVE-2020-12888)',
    fix: 'abafbc551fdd "vfio-pci: Invalidate mmaps and block MMIO access on disabled memory" (v5.8)',
    site: 'vfio_pci_zap_bars',
    designs: ['legacy'],
    scenario: 'cmd-disable+access.B3',
    breaks: 'no-leaf-on-disabled-bar',
  },
  {
    name: 'B6-whole-vma-remap',
    bug: 'B6',
    title: 'two threads fault one VMA and both remap the whole VMA: the second hits BUG_ON(!pte_none)',
    fix: '"vfio/pci: Handle concurrent vma faults" (Mar 2021)',
    site: 'vfio_pci_mmap_huge_fault',
    designs: ['legacy'],
    scenario: 'fault+fault.B6',
    breaks: 'no-kernel-warning',
  },
  {
    name: 'B11-unaligned-pfn',
    bug: 'B11',
    title: 'a huge fault inserts a PMD/PUD leaf although the PFN is not aligned to the order',
    fix: '09dfc8a5f2ce "vfio/pci: Fallback huge faults for unaligned pfn" (v6.13)',
    site: 'is_aligned_for_order',
    designs: ['legacy'],
    scenario: 'fault-pmd-unaligned-pfn.B11',
    breaks: 'leaf-maps-object-pfn',
  },
  {
    name: 'B12-unaligned-address',
    bug: 'B12',
    title: 'a huge fault uses the unaligned fault address: faults inside a block fall back to PTEs, and a PTE ' +
      'insert racing a PMD insert of the same block gets VM_FAULT_OOM',
    fix: 'c1d9dac0db16 "vfio/pci: Align huge faults to order" (v6.15)',
    site: 'vfio_pci_mmap_huge_fault',
    designs: ['legacy'],
    scenario: 'fault+fault.B12',
    breaks: 'no-kernel-warning',
  },
  {
    name: 'B16-pinned-importer',
    bug: 'B16',
    title: 'a pinned importer (RDMA-like) may attach to a revocable VFIO dma-buf and keeps DMA-ing after revoke',
    fix: '61ceaf236115 "vfio: Prevent from pinned DMABUF importers to attach to VFIO DMABUF" (v6.19-rc)',
    site: 'vfio_pci_dma_buf_pin',
    designs: ['legacy'],
    scenario: 'pin+cmd-disable.B16',
    breaks: 'no-access-to-disabled-bar',
  },
];

export function findDefect(name: string): Defect | undefined {
  return DEFECTS.find((d) => d.name === name);
}
