/**
 * The expansion ROM (drivers/pci/rom.c, v6.19): pci_enable_rom(),
 * pci_disable_rom(), pci_get_rom_size(), pci_map_rom(), pci_unmap_rom().
 *
 * The ROM window decodes only while the enable bit of the ROM BAR
 * (PCI_ROM_ADDRESS_ENABLE) and PCI_COMMAND_MEMORY are both set: otherwise a
 * read completes as an Unsupported Request and sees all ones, so
 * pci_get_rom_size() finds no 0xAA55 signature and pci_map_rom() fails.
 * The model's ROM content is a single PCI ROM image of `imageSize` bytes
 * (none when 0) followed by zeros; the ROM is read-only.
 *
 * IORESOURCE_ROM_SHADOW (a shadow copy in RAM) and IORESOURCE_ROM_ENABLE
 * (firmware left the ROM enabled) are not modelled: every ROM is a real
 * ROM BAR that pci_unmap_rom() disables again.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { PciDev, PciRom } from './types.js';
import { allOnes, pciMemoryDecodes } from './memory.js';
import type { PhysResult } from './memory.js';

/** Offset of the "PCIR" data structure in the model's image (the pointer at 0x18 says so). */
const PCIR_AT = 0x1c;

/** Byte `off` of the model's ROM content: one image, marked last, of imageSize bytes. */
export function romContentByte(rom: PciRom, off: number): number {
  if (rom.imageSize === 0 || off >= rom.imageSize) return 0;
  const units = rom.imageSize / 512;
  switch (off) {
    case 0: return 0x55;
    case 1: return 0xaa;
    case 2: return units % 256; // legacy length byte
    case 0x18: return PCIR_AT;
    case PCIR_AT: return 0x50; // 'P'
    case PCIR_AT + 1: return 0x43; // 'C'
    case PCIR_AT + 2: return 0x49; // 'I'
    case PCIR_AT + 3: return 0x52; // 'R'
    case PCIR_AT + 16: return units % 256; // image length in 512-byte units
    case PCIR_AT + 17: return Math.floor(units / 256);
    case PCIR_AT + 21: return 0x80; // last image indicator
    default: return 0;
  }
}

/** Whether the function answers reads of its ROM window now. */
export function pciRomDecodes(dev: PciDev): boolean {
  return dev.rom !== null && dev.romEnable && pciMemoryDecodes(dev);
}

/** readb/readw/readl of the ioremapped ROM at `off`: all ones unless the window decodes. */
export function romRead(dev: PciDev, off: number, size: number): PhysResult {
  if (dev.rom === null || !pciRomDecodes(dev)) return { value: allOnes(size), outcome: 'unsupported-request' };
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + romContentByte(dev.rom, off + i);
  return { value: v, outcome: 'ok' };
}

/** models pci_enable_rom(): set the ROM BAR's enable bit; -1 without a ROM resource. */
export function pciEnableRom(k: Kernel, pdev: number): number {
  const dev = k.get('pci', pdev);
  if (dev.rom === null) return -1;
  if (!dev.romEnable) k.mut('pci', pdev).romEnable = true;
  return 0;
}

/** models pci_disable_rom(): clear the ROM BAR's enable bit. */
export function pciDisableRom(k: Kernel, pdev: number): void {
  if (k.get('pci', pdev).romEnable) k.mut('pci', pdev).romEnable = false;
}

/**
 * models pci_get_rom_size(): walk the images from the 0xAA55 signature
 * through each "PCIR" structure to the one marked last; the bytes walked,
 * never more than the window.
 */
export function pciGetRomSize(dev: PciDev, size: number): number {
  let image = 0;
  for (;;) {
    if (romRead(dev, image, 2).value !== 0xaa55) break;
    const pds = image + romRead(dev, image + 24, 2).value;
    if (romRead(dev, pds, 4).value !== 0x52494350) break;
    const last = (romRead(dev, pds + 21, 1).value & 0x80) !== 0;
    const length = romRead(dev, pds + 16, 2).value;
    image += length * 512;
    if (image >= size) break;
    if (!last && romRead(dev, image, 2).value !== 0xaa55) break;
    if (!length || last) break;
  }
  return Math.min(image, size);
}

/**
 * models pci_map_rom(): the window's size, enable the ROM, size the image;
 * an empty or invalid image disables the ROM again and fails (null).
 * Returns the image size (what vfio_pci_bar_rw() takes as x_start).
 */
export function pciMapRom(k: Kernel, pdev: number): number | null {
  const dev = k.get('pci', pdev);
  if (dev.rom === null || dev.rom.size === 0) return null;
  if (pciEnableRom(k, pdev)) return null;
  const size = pciGetRomSize(k.get('pci', pdev), dev.rom.size);
  if (size === 0) {
    pciDisableRom(k, pdev);
    return null;
  }
  return size;
}

/** models pci_unmap_rom(): disable the ROM again (no IORESOURCE_ROM_ENABLE in the model). */
export function pciUnmapRom(k: Kernel, pdev: number): void {
  pciDisableRom(k, pdev);
}
