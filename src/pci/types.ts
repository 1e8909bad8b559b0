/**
 * PCI functions: BARs in the physical address map, config space, power state.
 */

/** One BAR (pci_resource_start/len of a memory or I/O resource). */
export interface Bar {
  readonly index: number;
  /** Size in bytes; 0 for an unimplemented BAR. */
  readonly size: number;
  /** Physical base address, chosen by the scenario (so 4K/2M/1G alignment can be set). */
  readonly base: number;
  readonly is64: boolean;
  readonly prefetchable: boolean;
  /**
   * An I/O space BAR (IORESOURCE_IO): `base` is a port number, decoded when
   * PCI_COMMAND_IO is set; never mmap-capable (vfio_pci_probe_mmaps). Default false.
   */
  readonly io?: boolean;
}

/**
 * The expansion ROM BAR (PCI_ROM_RESOURCE, config offset 0x30): a memory
 * window decoded only while its enable bit and PCI_COMMAND_MEMORY are both
 * set. `imageSize` bytes of it hold a PCI ROM image (0x55AA header and a
 * "PCIR" data structure marking the last image, as pci_get_rom_size() parses
 * them); 0 models a ROM whose content is not a valid image.
 */
export interface PciRom {
  readonly base: number;
  readonly size: number;
  readonly imageSize: number;
}

/** The MSI-X capability: where the vector table and the PBA lie (BAR index and offset). */
export interface PciMsix {
  /** Table size (Message Control QSIZE + 1). */
  readonly vectors: number;
  readonly tableBar: number;
  readonly tableOffset: number;
  readonly pbaBar: number;
  readonly pbaOffset: number;
}

export type PowerState = 'D0' | 'D3hot';

export interface PciDev {
  readonly id: number;
  /** pci_name(): domain:bus:dev.fn. */
  readonly bdf: string;
  readonly vendor: number;
  readonly device: number;
  readonly bars: readonly Bar[];
  /** The physical PCI_COMMAND register. */
  readonly command: number;
  /** The physical power state (PCI_PM_CTRL). */
  readonly power: PowerState;
  /** BAR memory has struct pages (P2PDMA-style ZONE_DEVICE pages). */
  readonly structPages: boolean;
  /** Device has no PCI_COMMAND_MEMORY bit to honour (SR-IOV VF, s390): pdev->no_command_memory. */
  readonly noCommandMemory: boolean;
  /**
   * The function advertises FLR (PCI_EXP_DEVCAP_FLR): the only reset method
   * the model knows, so pci_reset_supported() is this bit.
   */
  readonly flr: boolean;
  /** The expansion ROM BAR, or null when the function has none. */
  readonly rom: PciRom | null;
  /** PCI_ROM_ADDRESS_ENABLE in the physical ROM BAR register (pci_enable_rom/pci_disable_rom). */
  readonly romEnable: boolean;
  /** The MSI-X capability (pdev->msix_cap), or null. */
  readonly msix: PciMsix | null;
  /** pdev->non_mappable_bars (set by s390's PCI fixup): no BAR may be mapped to user space. */
  readonly nonMappableBars: boolean;
  /** Function resets so far (FLR or VFIO_DEVICE_RESET). */
  readonly resets: number;
  /**
   * BAR memory written by CPU stores, by physical address (only what was
   * stored, so the state stays small); unwritten memory reads 0.
   */
  readonly memory: { readonly [phys: number]: number };
  /** Bytes written to I/O BARs, by port (unwritten ports read 0). */
  readonly ioports: { readonly [port: number]: number };
}

export {
  PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PCI_COMMAND_MASTER, PCI_COMMAND_INTX_DISABLE,
} from '../uapi/pci_regs.js';
