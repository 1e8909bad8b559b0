/**
 * The physical configuration space of a model function, built from its row.
 *
 * Layout (fixed for every model function, a PCIe endpoint):
 *   0x00 header type 0, status has a capability list, BARs as the row says
 *   0x40 Power Management capability (PM_CTRL at 0x44), next → 0x50
 *   0x50 PCI Express capability (DEVCAP at 0x54, DEVCTL at 0x58), next → 0xb0
 *        when the function has MSI-X, else last
 *   0xb0 MSI-X capability (Message Control, Table and PBA offset/BIR), last
 *   0x30 the expansion ROM BAR: its base and enable bit, when it has one
 * Extended config space (0x100..0xfff) reads as zeros.
 */
import type { PciDev } from './types.js';
import {
  PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_PREFETCH, PCI_BASE_ADDRESS_MEM_TYPE_64, PCI_CAPABILITY_LIST,
  PCI_CAP_ID_EXP, PCI_CAP_ID_PM, PCI_CFG_SPACE_EXP_SIZE, PCI_COMMAND, PCI_DEVICE_ID, PCI_EXP_DEVCAP,
  PCI_EXP_DEVCAP_FLR, PCI_EXP_FLAGS, PCI_PM_CTRL, PCI_PM_PMC, PCI_STATUS, PCI_STATUS_CAP_LIST, PCI_VENDOR_ID,
  PCI_BASE_ADDRESS_SPACE_IO, PCI_CAP_ID_MSIX, PCI_MSIX_FLAGS, PCI_MSIX_PBA, PCI_MSIX_TABLE, PCI_ROM_ADDRESS,
  PCI_ROM_ADDRESS_ENABLE,
} from '../uapi/pci_regs.js';

/** Offset of the PM capability. */
export const PM_CAP = 0x40;
/** Offset of the PCI Express capability. */
export const EXP_CAP = 0x50;
/** Offset of the MSI-X capability (pdev->msix_cap), when the function has one. */
export const MSIX_CAP = 0xb0;
/** pdev->cfg_size of a PCIe function. */
export const CFG_SIZE = PCI_CFG_SPACE_EXP_SIZE;

function put(bytes: number[], at: number, value: number, n: number): void {
  let v = value;
  for (let i = 0; i < n; i++) {
    bytes[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** The BAR register (pair) each BAR shows: address bits plus the space and type flags. */
function barRegisters(dev: PciDev, bytes: number[]): void {
  for (const b of dev.bars) {
    if (b.size === 0) continue;
    if (b.io) {
      put(bytes, PCI_BASE_ADDRESS_0 + 4 * b.index, b.base + PCI_BASE_ADDRESS_SPACE_IO, 4);
      continue;
    }
    const flags = (b.is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) | (b.prefetchable ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
    const at = PCI_BASE_ADDRESS_0 + 4 * b.index;
    put(bytes, at, (b.base % 2 ** 32) + flags, 4);
    if (b.is64 && b.index < 5) put(bytes, at + 4, Math.floor(b.base / 2 ** 32), 4);
  }
}

/** PMCSR power-state field for a power state. */
export function pmCtrlState(power: PciDev['power']): number {
  return power === 'D3hot' ? 3 : 0;
}

/** The first 256 bytes of the function's config space, as pci_read_config_* would see them. */
export function pciConfigSpace(dev: PciDev): number[] {
  const bytes: number[] = new Array<number>(256).fill(0);
  put(bytes, PCI_VENDOR_ID, dev.vendor, 2);
  put(bytes, PCI_DEVICE_ID, dev.device, 2);
  put(bytes, PCI_COMMAND, dev.command, 2);
  put(bytes, PCI_STATUS, PCI_STATUS_CAP_LIST, 2);
  barRegisters(dev, bytes);
  bytes[PCI_CAPABILITY_LIST] = PM_CAP;
  bytes[PM_CAP] = PCI_CAP_ID_PM;
  bytes[PM_CAP + 1] = EXP_CAP;
  put(bytes, PM_CAP + PCI_PM_PMC, 0x0003, 2); // PM spec 1.2, no D1/D2
  put(bytes, PM_CAP + PCI_PM_CTRL, pmCtrlState(dev.power), 2);
  if (dev.rom) put(bytes, PCI_ROM_ADDRESS, dev.rom.base + (dev.romEnable ? PCI_ROM_ADDRESS_ENABLE : 0), 4);
  bytes[EXP_CAP] = PCI_CAP_ID_EXP;
  bytes[EXP_CAP + 1] = dev.msix ? MSIX_CAP : 0;
  put(bytes, EXP_CAP + PCI_EXP_FLAGS, 0x0002, 2); // version 2, endpoint
  put(bytes, EXP_CAP + PCI_EXP_DEVCAP, dev.flr ? PCI_EXP_DEVCAP_FLR : 0, 4);
  if (dev.msix) {
    // MSI-X disabled, not masked: vfio never enables it from a config write (it is SET_IRQS' job).
    bytes[MSIX_CAP] = PCI_CAP_ID_MSIX;
    bytes[MSIX_CAP + 1] = 0;
    put(bytes, MSIX_CAP + PCI_MSIX_FLAGS, dev.msix.vectors - 1, 2);
    put(bytes, MSIX_CAP + PCI_MSIX_TABLE, dev.msix.tableOffset + dev.msix.tableBar, 4);
    put(bytes, MSIX_CAP + PCI_MSIX_PBA, dev.msix.pbaOffset + dev.msix.pbaBar, 4);
  }
  return bytes;
}

/** pci_read_config_{byte,word,dword}: little-endian value at an offset (0 beyond 256). */
export function pciReadConfig(dev: PciDev, offset: number, size: number): number {
  const bytes = pciConfigSpace(dev);
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (bytes[offset + i] ?? 0);
  return v;
}
