/**
 * Config-space writes through the device file, as a VMM does them.
 */
import { act } from './world.js';
import type { World } from './world.js';
import { leBytes } from '../../src/uapi/codec.js';
import { VFIO_PCI_INDEX_TO_OFFSET, VFIO_PCI_CONFIG_REGION_INDEX } from '../../src/uapi/vfio.js';
import { PCI_COMMAND, PCI_PM_CTRL, PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR } from '../../src/uapi/pci_regs.js';
import { EXP_CAP, PM_CAP } from '../../src/pci/config.js';

const CFG = VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);

export function cfgWrite(w: World, fd: number, off: number, bytes: readonly number[], t = 0): number {
  return act(w, { op: 'pwrite', fd, offset: CFG + off, data: bytes }, t);
}

export function cfgRead(w: World, fd: number, off: number, count: number, t = 0): number {
  return act(w, { op: 'pread', fd, offset: CFG + off, count }, t);
}

/** pwrite of PCI_COMMAND (2 bytes). */
export function writeCommand(w: World, fd: number, cmd: number, t = 0): number {
  return cfgWrite(w, fd, PCI_COMMAND, leBytes(cmd, 2), t);
}

/** pwrite of PM_CTRL with a power state (0 = D0, 3 = D3hot). */
export function writePowerState(w: World, fd: number, state: number, t = 0): number {
  return cfgWrite(w, fd, PM_CAP + PCI_PM_CTRL, leBytes(state, 2), t);
}

/** pwrite of the PCIe DEVCTL with the FLR bit. */
export function writeFlr(w: World, fd: number, t = 0): number {
  return cfgWrite(w, fd, EXP_CAP + PCI_EXP_DEVCTL, leBytes(PCI_EXP_DEVCTL_BCR_FLR, 2), t);
}
