/**
 * Creating a PCI function and changing its physical state: the command
 * register, the power state and a function-level reset.
 *
 * The helpers change the `pci` row only; the kernel path that calls them
 * emits the 'device' trace event (it knows the task).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Bar, PciDev, PciMsix, PciRom, PowerState } from './types.js';
import {
  PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_MSIX_ENTRY_SIZE,
} from '../uapi/pci_regs.js';

/** PCI_ROM_RESOURCE: the resource index of the expansion ROM (after the six BARs). */
export const PCI_ROM_RESOURCE = 6;

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
  /** The expansion ROM BAR. Default none. */
  readonly rom?: PciRom;
  /** The MSI-X capability. Default none. */
  readonly msix?: PciMsix;
  /** pdev->non_mappable_bars. Default false. */
  readonly nonMappableBars?: boolean;
}

function isPow2(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/** What is wrong with a ROM BAR (a power of two of at least 2K, naturally aligned, holding its image), or null. */
export function romProblem(rom: PciRom): string | null {
  if (!isPow2(rom.size) || rom.size < 2048 || rom.size > 16 * 2 ** 20) {
    return `a ROM BAR's size is a power of two from 2K to 16M, not ${rom.size}`;
  }
  if (rom.base % rom.size !== 0) return `a ROM BAR is naturally aligned: base 0x${rom.base.toString(16)} is not a multiple of its size`;
  if (rom.imageSize % 512 !== 0 || rom.imageSize < 0 || rom.imageSize > rom.size) {
    return `imageSize ${rom.imageSize} is not a multiple of 512 within the ROM (0: no valid image)`;
  }
  return null;
}

/** What is wrong with an MSI-X capability (table and PBA inside implemented memory BARs, 8-byte aligned), or null. */
export function msixProblem(msix: PciMsix, bars: readonly Pick<Bar, 'index' | 'size' | 'io'>[]): string | null {
  if (!Number.isInteger(msix.vectors) || msix.vectors < 1 || msix.vectors > 2048) return `vectors is 1..2048, not ${msix.vectors}`;
  const place = (what: string, bar: number, offset: number, len: number): string | null => {
    const b = bars.find((x) => x.index === bar);
    if (!b || b.size === 0 || b.io) return `the ${what} BAR${bar} is not an implemented memory BAR`;
    if (offset % 8 !== 0 || offset + len > b.size) return `the ${what} at 0x${offset.toString(16)} is not 8-byte aligned inside BAR${bar}`;
    return null;
  };
  return place('table', msix.tableBar, msix.tableOffset, msix.vectors * PCI_MSIX_ENTRY_SIZE)
    ?? place('PBA', msix.pbaBar, msix.pbaOffset, Math.ceil(msix.vectors / 64) * 8);
}

/**
 * Add a function to the kernel, powered (D0) with memory decode off, as
 * firmware leaves a function no driver has enabled. Returns its pci id.
 */
export function createPciDev(k: Kernel, spec: PciDevSpec): number {
  const bars = [...spec.bars].sort((a, b) => a.index - b.index);
  for (const b of bars) {
    if (b.index < 0 || b.index > 5) throw new Error(`BAR index ${b.index} out of range 0..5`);
    if (b.size > 0 && !isPow2(b.size)) {
      throw new Error(`BAR${b.index} size ${b.size} is not a power of two`);
    }
    if (b.size > 0 && b.base % b.size !== 0) throw new Error(`BAR${b.index} base is not aligned to its size`);
    if (b.io && b.size > 256) throw new Error(`BAR${b.index} is I/O space: at most 256 ports`);
  }
  const wrong = (spec.rom ? romProblem(spec.rom) : null) ?? (spec.msix ? msixProblem(spec.msix, bars) : null);
  if (wrong !== null) throw new Error(wrong);
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
    rom: spec.rom ?? null,
    romEnable: false,
    msix: spec.msix ?? null,
    nonMappableBars: spec.nonMappableBars ?? false,
    resets: 0,
    memory: {},
    ioports: {},
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

/** pci_resource_len(): 0 for an unimplemented BAR; index PCI_ROM_RESOURCE is the ROM BAR. */
export function pciResourceLen(dev: PciDev, index: number): number {
  if (index === PCI_ROM_RESOURCE) return dev.rom?.size ?? 0;
  return dev.bars.find((b) => b.index === index)?.size ?? 0;
}

/** pci_resource_start(): 0 for an unimplemented BAR; index PCI_ROM_RESOURCE is the ROM BAR. */
export function pciResourceStart(dev: PciDev, index: number): number {
  if (index === PCI_ROM_RESOURCE) return dev.rom?.base ?? 0;
  const b = dev.bars.find((x) => x.index === index);
  return b && b.size > 0 ? b.base : 0;
}

/** resource->flags & IORESOURCE_MEM of a BAR (false for an I/O or unimplemented BAR; the ROM is memory). */
export function pciResourceIsMem(dev: PciDev, index: number): boolean {
  if (index === PCI_ROM_RESOURCE) return dev.rom !== null;
  const b = dev.bars.find((x) => x.index === index);
  return b !== undefined && b.size > 0 && !b.io;
}

/** pci_write_config_word(PCI_COMMAND): the physical command register. */
export function pciWriteCommand(k: Kernel, pdev: number, cmd: number): void {
  k.mut('pci', pdev).command = cmd & 0xffff;
}

/**
 * pci_enable_device() → pci_enable_resources(): power the function up and
 * turn on decoding of the resources it has: PCI_COMMAND_IO for an I/O BAR,
 * PCI_COMMAND_MEMORY for a memory BAR (a ROM only counts while enabled,
 * which it is not here).
 */
export function pciEnableDevice(k: Kernel, pdev: number): void {
  const dev = k.get('pci', pdev);
  const mem = dev.bars.some((b) => b.size > 0 && !b.io) ? PCI_COMMAND_MEMORY : 0;
  const io = dev.bars.some((b) => b.size > 0 && b.io) ? PCI_COMMAND_IO : 0;
  const d = k.mut('pci', pdev);
  d.power = 'D0';
  d.command = dev.command | mem | io;
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
