/**
 * PCI functions: BARs in the physical address map, config space, command
 * register, power state, function reset.
 *
 * Not modelled: I/O BARs, expansion ROM, bridges and bus/slot resets,
 * D1/D2/D3cold, the device lock, config-space save/restore beyond the
 * command register, MSI/MSI-X, AER, SR-IOV (no_command_memory is a flag).
 */
import type { Path } from '../kernel/sched/path.js';
import { pci_try_reset_function } from './reset.js';

/** Every PCI core path, for the designs' registries. */
export const PCI_PATHS: readonly Path[] = [pci_try_reset_function];

export { createPciDev, findPciDev, pciResourceLen, pciResourceStart } from './device.js';
export type { PciDevSpec } from './device.js';
export { physAccess, physToBar, pfnToBar, pfnHasStructPage, pciMemoryDecodes } from './memory.js';
export type { PhysOutcome, PhysResult, BarHit } from './memory.js';
