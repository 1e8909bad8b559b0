/**
 * The physical configuration space of a model function, built from its row.
 *
 * Layout (fixed for every model function, a PCIe endpoint):
 *   0x00 header type 0, status has a capability list, BARs as the row says
 *   0x40 Power Management capability (PM_CTRL at 0x44), next → 0x50
 *   0x50 PCI Express capability (DEVCAP at 0x54, DEVCTL at 0x58), last
 * Extended config space (0x100..0xfff) reads as zeros.
 */
import type { PciDev } from './types.js';
import {
  PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_PREFETCH, PCI_BASE_ADDRESS_MEM_TYPE_64, PCI_CAPABILITY_LIST,
  PCI_CAP_ID_EXP, PCI_CAP_ID_PM, PCI_CFG_SPACE_EXP_SIZE, PCI_COMMAND, PCI_DEVICE_ID, PCI_EXP_DEVCAP,
  PCI_EXP_DEVCAP_FLR, PCI_EXP_FLAGS, PCI_PM_CTRL, PCI_PM_PMC, PCI_STATUS, PCI_STATUS_CAP_LIST, PCI_VENDOR_ID,
} from '../uapi/pci_regs.js';

/** Offset of the PM capability. */
export const PM_CAP = 0x40;
/** Offset of the PCI Express capability. */
export const EXP_CAP = 0x50;
/** pdev->cfg_size of a PCIe function. */
export const CFG_SIZE = PCI_CFG_SPACE_EXP_SIZE;

function put(bytes: number[], at: number, value: number, n: number): void {
  let v = value;
  for (let i = 0; i < n; i++) {
    bytes[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** The BAR register pair a memory BAR shows (address bits plus type flags). */
function barRegisters(dev: PciDev, bytes: number[]): void {
  for (const b of dev.bars) {
    if (b.size === 0) continue;
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
  bytes[EXP_CAP] = PCI_CAP_ID_EXP;
  bytes[EXP_CAP + 1] = 0;
  put(bytes, EXP_CAP + PCI_EXP_FLAGS, 0x0002, 2); // version 2, endpoint
  put(bytes, EXP_CAP + PCI_EXP_DEVCAP, dev.flr ? PCI_EXP_DEVCAP_FLR : 0, 4);
  return bytes;
}

/** pci_read_config_{byte,word,dword}: little-endian value at an offset (0 beyond 256). */
export function pciReadConfig(dev: PciDev, offset: number, size: number): number {
  const bytes = pciConfigSpace(dev);
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (bytes[offset + i] ?? 0);
  return v;
}
