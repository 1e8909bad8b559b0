/**
 * PCI functions: BARs in the physical address map, config space, power state.
 */

/** One BAR (pci_resource_start/len of a memory resource). */
export interface Bar {
  readonly index: number;
  /** Size in bytes; 0 for an unimplemented BAR. */
  readonly size: number;
  /** Physical base address, chosen by the scenario (so 4K/2M/1G alignment can be set). */
  readonly base: number;
  readonly is64: boolean;
  readonly prefetchable: boolean;
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
  /** Function resets so far (FLR or VFIO_DEVICE_RESET). */
  readonly resets: number;
  /**
   * BAR memory written by CPU stores, by physical address (only what was
   * stored, so the state stays small); unwritten memory reads 0.
   */
  readonly memory: { readonly [phys: number]: number };
}

export {
  PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PCI_COMMAND_MASTER, PCI_COMMAND_INTX_DISABLE,
} from '../uapi/pci_regs.js';
