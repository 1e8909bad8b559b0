/**
 * The physical address map as seen by a CPU load/store or a DMA: which BAR
 * an address hits, and what the function does with the access.
 *
 * A memory access to a BAR of a function whose PCI_COMMAND_MEMORY is clear
 * (and that honours the bit), or that is in D3hot, is not claimed by the
 * function: the root port completes it as an Unsupported Request, reads see
 * all ones and writes are dropped. That outcome is what the invariants watch
 * ("no CPU access or DMA to a disabled BAR").
 *
 * physAccess does not emit a trace event: it has no task. The caller (the CPU
 * access or DMA path) emits an 'access' event with the outcome.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Bar, PciDev } from './types.js';
import { PCI_COMMAND_MEMORY } from './types.js';

/**
 * `master-abort`: an I/O port access the function does not claim
 * (PCI_COMMAND_IO clear); vfio does not guard I/O decode, so this is not the
 * memory hazard no-access-to-disabled-bar watches.
 */
export type PhysOutcome = 'ok' | 'unsupported-request' | 'no-device' | 'master-abort';

export interface PhysResult {
  /** Value read (for a write: the value written, or all ones when dropped). */
  readonly value: number;
  readonly outcome: PhysOutcome;
}

/** The BAR a physical address falls in. */
export interface BarHit {
  /** pci table id of the function. */
  readonly pdev: number;
  readonly bar: number;
  /** Offset of the address inside the BAR. */
  readonly offset: number;
}

const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;

function inBar(b: Bar, phys: number): boolean {
  return b.size > 0 && !b.io && phys >= b.base && phys < b.base + b.size;
}

/** Which function and BAR decode a physical address (only implemented memory BARs; I/O BARs are ports). */
export function physToBar(k: Kernel, phys: number): BarHit | null {
  for (const id of k.ids('pci')) {
    const dev = k.get('pci', id);
    for (const b of dev.bars) {
      if (inBar(b, phys)) return { pdev: id, bar: b.index, offset: phys - b.base };
    }
  }
  return null;
}

/** Which function and BAR a page frame lies in (pfn of any byte of the page). */
export function pfnToBar(k: Kernel, pfn: number): BarHit | null {
  return physToBar(k, pfn * PAGE_SIZE);
}

/**
 * pfn_valid() && a struct page behind it. BAR memory has struct pages only
 * when the function's memory was given ZONE_DEVICE pages (P2PDMA-style,
 * spec.structPages); a pfn outside every BAR is ordinary RAM, which has
 * struct pages. This is the fact the x86 hazard hinges on: GUP-fast reaching
 * a huge PFN-map leaf without a special bit trusts the struct page.
 */
export function pfnHasStructPage(k: Kernel, pfn: number): boolean {
  const hit = pfnToBar(k, pfn);
  if (hit === null) return true;
  return k.get('pci', hit.pdev).structPages;
}

/** Whether the function claims memory accesses now (decode on, powered). */
export function pciMemoryDecodes(dev: PciDev): boolean {
  if (dev.power !== 'D0') return false;
  return dev.noCommandMemory || (dev.command & PCI_COMMAND_MEMORY) !== 0;
}

/** All ones for an access of `size` bytes (exact up to 6 bytes; 8 bytes is 2^64-1 rounded). */
export function allOnes(size: number): number {
  return 2 ** (8 * size) - 1;
}

/** Store `size` bytes of `value` little endian at `at` of a byte map (0 bytes are left out). */
export function storeBytes(
  bytes: { readonly [at: number]: number }, at: number, size: number, value: number,
): { [at: number]: number } {
  const out: Record<number, number> = { ...bytes };
  let v = value;
  for (let i = 0; i < size; i++) {
    const byte = v % 256;
    if (byte === 0) delete out[at + i];
    else out[at + i] = byte;
    v = Math.floor(v / 256);
  }
  return out;
}

/** Load `size` bytes little endian at `at` of a byte map (absent bytes read 0). */
export function loadBytes(bytes: { readonly [at: number]: number }, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (bytes[at + i] ?? 0);
  return v;
}

/**
 * A CPU or DMA access of `size` bytes (1, 2, 4 or 8) at a physical address.
 * Stores land byte by byte in PciDev.memory (little endian); a load reads
 * them back (unwritten bytes read 0). `value` is ignored for a read.
 */
export function physAccess(
  k: Kernel, phys: number, size: number, write: boolean, value: number,
): PhysResult {
  const hit = physToBar(k, phys);
  if (hit === null) return { value: allOnes(size), outcome: 'no-device' };
  const dev = k.get('pci', hit.pdev);
  if (!pciMemoryDecodes(dev)) return { value: allOnes(size), outcome: 'unsupported-request' };
  if (write) {
    k.mut('pci', hit.pdev).memory = storeBytes(dev.memory, phys, size, value);
    return { value, outcome: 'ok' };
  }
  return { value: loadBytes(dev.memory, phys, size), outcome: 'ok' };
}
