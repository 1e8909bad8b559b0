/**
 * I/O port space: the ports an I/O BAR (IORESOURCE_IO) claims, and an
 * inb/outb-style access to them (ioread8/iowrite8 of an ioport_map()ped
 * BAR, lib/iomap.c).
 *
 * A function decodes its I/O BARs while PCI_COMMAND_IO is set and it is in
 * D0. A port nobody claims completes without data (`master-abort`): reads
 * see all ones, writes are dropped. vfio does not check PCI_COMMAND_IO
 * before an I/O access (vfio_pci_bar_rw passes test_mem only for memory
 * resources), so this is what a user read of a disabled I/O BAR returns.
 */
import type { Kernel } from '../kernel/kernel.js';
import { PCI_COMMAND_IO } from '../uapi/pci_regs.js';
import type { PciDev } from './types.js';
import { allOnes, loadBytes, storeBytes } from './memory.js';
import type { PhysResult } from './memory.js';

/** The function whose I/O BAR holds `port`, or null. */
export function portToDev(k: Kernel, port: number): PciDev | null {
  for (const id of k.ids('pci')) {
    const dev = k.get('pci', id);
    if (dev.bars.some((b) => b.io && b.size > 0 && port >= b.base && port < b.base + b.size)) return dev;
  }
  return null;
}

/** Whether the function answers I/O cycles now (decode on, powered). */
export function pciIoDecodes(dev: PciDev): boolean {
  return dev.power === 'D0' && (dev.command & PCI_COMMAND_IO) !== 0;
}

/** An access of `size` bytes (1, 2 or 4) at an I/O port. */
export function ioportAccess(k: Kernel, port: number, size: number, write: boolean, value: number): PhysResult {
  const dev = portToDev(k, port);
  if (dev === null) return { value: allOnes(size), outcome: 'no-device' };
  if (!pciIoDecodes(dev)) return { value: allOnes(size), outcome: 'master-abort' };
  if (write) {
    k.mut('pci', dev.id).ioports = storeBytes(dev.ioports, port, size, value);
    return { value, outcome: 'ok' };
  }
  return { value: loadBytes(dev.ioports, port, size), outcome: 'ok' };
}
