/** A kernel with one PCI function (BAR0 memory, BAR2 I/O ports) for the PCI-layer tests. */
import { Kernel } from '../../src/kernel/kernel.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import { legacy } from '../../src/designs/legacy.js';
import { createPciDev } from '../../src/pci/device.js';
import type { PciDevSpec } from '../../src/pci/device.js';

/** BAR0: 16K of memory at 0xf0000000; BAR2: 256 I/O ports at 0xe000. */
export const MEM_AND_IO_BARS = [
  { index: 0, size: 16384, base: 0xf0000000, is64: false, prefetchable: false },
  { index: 2, size: 256, base: 0xe000, is64: false, prefetchable: false, io: true },
];

export function pciWorld(spec: Partial<PciDevSpec> = {}): { k: Kernel; pdev: number } {
  const k = new Kernel(emptyKernelState('x86_64', legacy.name), legacy);
  const pdev = createPciDev(k, { bdf: '0000:02:00.0', vendor: 1, device: 2, bars: MEM_AND_IO_BARS, ...spec });
  return { k, pdev };
}
