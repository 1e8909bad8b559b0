/**
 * Creating a PCI function and changing its physical state: the command
 * register, the power state and a function-level reset.
 *
 * The helpers change the `pci` row only; the kernel path that calls them
 * emits the 'device' trace event (it knows the task).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Bar, PciDev, PowerState } from './types.js';
import { PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY } from '../uapi/pci_regs.js';

/** What a scenario says about a function. */
export interface PciDevSpec {
  /** domain:bus:dev.fn, e.g. 0000:01:00.0. */
  readonly bdf: string;
  readonly vendor: number;
  readonly device: number;
  /** Memory BARs (index 0..5); unlisted indexes are unimplemented. */
  readonly bars: readonly Bar[];
  /** BAR memory has struct pages (P2PDMA ZONE_DEVICE). Default false. */
  readonly structPages?: boolean;
  /** pdev->no_command_memory (VF, s390). Default false. */
  readonly noCommandMemory?: boolean;
  /** PCIe FLR supported (PCI_EXP_DEVCAP_FLR). Default true. */
  readonly flr?: boolean;
}

/**
 * Add a function to the kernel, powered (D0) with memory decode off, as
 * firmware leaves a function no driver has enabled. Returns its pci id.
 */
export function createPciDev(k: Kernel, spec: PciDevSpec): number {
  const bars = [...spec.bars].sort((a, b) => a.index - b.index);
  for (const b of bars) {
    if (b.index < 0 || b.index > 5) throw new Error(`BAR index ${b.index} out of range 0..5`);
    if (b.size > 0 && !Number.isInteger(Math.log2(b.size))) {
      throw new Error(`BAR${b.index} size ${b.size} is not a power of two`);
    }
    if (b.size > 0 && b.base % b.size !== 0) throw new Error(`BAR${b.index} base is not aligned to its size`);
  }
  return k.add('pci', (id): PciDev => ({
    id,
    bdf: spec.bdf,
    vendor: spec.vendor,
    device: spec.device,
    bars,
    command: 0,
    power: 'D0',
    structPages: spec.structPages ?? false,
    noCommandMemory: spec.noCommandMemory ?? false,
    flr: spec.flr ?? true,
    resets: 0,
    memory: {},
  }));
}

/** The function with a given bdf, or undefined. */
export function findPciDev(k: Kernel, bdf: string): PciDev | undefined {
  for (const id of k.ids('pci')) {
    const dev = k.get('pci', id);
    if (dev.bdf === bdf) return dev;
  }
  return undefined;
}

/** pci_resource_len(): 0 for an unimplemented BAR. */
export function pciResourceLen(dev: PciDev, index: number): number {
  return dev.bars.find((b) => b.index === index)?.size ?? 0;
}

/** pci_resource_start(): 0 for an unimplemented BAR. */
export function pciResourceStart(dev: PciDev, index: number): number {
  const b = dev.bars.find((x) => x.index === index);
  return b && b.size > 0 ? b.base : 0;
}

/** pci_write_config_word(PCI_COMMAND): the physical command register. */
export function pciWriteCommand(k: Kernel, pdev: number, cmd: number): void {
  k.mut('pci', pdev).command = cmd & 0xffff;
}

/**
 * pci_enable_device(): power the function up and turn on decoding of the
 * resources it has (the model's BARs are all memory: PCI_COMMAND_MEMORY).
 */
export function pciEnableDevice(k: Kernel, pdev: number): void {
  const dev = k.get('pci', pdev);
  const mem = dev.bars.some((b) => b.size > 0) ? PCI_COMMAND_MEMORY : 0;
  const d = k.mut('pci', pdev);
  d.power = 'D0';
  d.command = dev.command | mem;
}

/** pci_clear_master(). */
export function pciClearMaster(k: Kernel, pdev: number): void {
  const dev = k.get('pci', pdev);
  if (dev.command & PCI_COMMAND_MASTER) k.mut('pci', pdev).command = dev.command & ~PCI_COMMAND_MASTER;
}

/**
 * pci_set_power_state() to D0 or D3hot. vfio-pci saves config state before
 * D3hot and restores it on the way back to D0 (needs_pm_restore), so the net
 * effect on the command register of a D3hot→D0 round trip is none.
 */
export function pciSetPowerState(k: Kernel, pdev: number, state: PowerState): void {
  if (k.get('pci', pdev).power !== state) k.mut('pci', pdev).power = state;
}

/**
 * The effect of a function-level reset on the function itself
 * (__pci_reset_function_locked → pcie_flr): config state back to defaults
 * (command 0: no memory decode, no bus mastering), D0, one more reset.
 */
export function pciFunctionReset(k: Kernel, pdev: number): void {
  const d = k.mut('pci', pdev);
  d.command = 0;
  d.power = 'D0';
  d.resets = k.get('pci', pdev).resets + 1;
}

/** pci_reset_supported(): the model's only method is FLR. */
export function pciResetSupported(dev: PciDev): boolean {
  return dev.flr;
}

/** pci_dev_save_and_disable()'s command write: everything off except INTx-disable. */
export const PCI_COMMAND_DISABLED = PCI_COMMAND_INTX_DISABLE;
