/**
 * Registering a PCI function with vfio-pci and the checks every path makes
 * on the device (vfio_pci_core_register_device, vfio_pci_probe_mmaps,
 * __vfio_pci_memory_enabled; drivers/vfio/pci/vfio_pci_core.c and
 * vfio_pci_config.c, v6.19).
 */
import type { Kernel } from '../../kernel/kernel.js';
import { newLock } from '../../kernel/locking/rwsem.js';
import { complete } from '../../kernel/locking/completion.js';
import { newInode } from '../../fs/address-space.js';
import type { PciDev } from '../../pci/types.js';
import { PCI_COMMAND_MEMORY } from '../../uapi/pci_regs.js';
import type { VfioPciCoreDevice } from './types.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

/** PAGE_ALIGN(): round up to a page. */
export function pageAlign(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/**
 * vfio_pci_probe_mmaps(): a BAR can be mmapped when it is an implemented
 * memory BAR (not I/O space, and the function has no non_mappable_bars) of
 * at least a page, or a sub-page BAR that starts on a page boundary (vfio
 * reserves the rest of that page with a dummy resource, which the model
 * assumes always succeeds). A sub-page BAR inside a page is not mmap-capable.
 */
export function probeMmaps(dev: PciDev): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    const b = dev.bars.find((x) => x.index === i);
    if (dev.nonMappableBars || !b || b.size === 0 || b.io) out.push(false);
    else if (b.size >= PAGE_SIZE) out.push(true);
    else out.push(b.base % PAGE_SIZE === 0);
  }
  return out;
}

/**
 * Bind a PCI function to vfio-pci (vfio_pci_core_register_device): the
 * vfio_pci_core_device, its memory_lock and its inode on the vfio pseudo-fs
 * (one per device since b7c5e64fecfa, whose i_mapping every device file
 * shares). Returns the vfio device id.
 */
export function vfioPciRegisterDevice(k: Kernel, pdev: number, driver: 'vfio-pci' | 'variant' = 'vfio-pci'): number {
  const dev = k.get('pci', pdev);
  const id = k.allocId();
  const inode = newInode(k, 'vfio-device', id);
  const memory_lock = newLock(k, 'memory_lock', `vfio ${dev.bdf}`);
  const row: VfioPciCoreDevice = {
    id, pdev, inode, memory_lock,
    open_count: 0,
    bar_mmap_supported: probeMmaps(dev),
    // vfio_pci_core_enable() reads the MSI-X capability; until the first open there is none.
    msix_bar: 0xff, msix_offset: 0, msix_size: 0,
    barmap: [false, false, false, false, false, false],
    vconfig_command: 0,
    power_state: dev.power,
    pm_runtime_engaged: false,
    pm_usage: 0,
    rpm_suspended: false,
    reset_works: false,
    pci_saved_command: null,
    dmabufs: [],
    registration: 1,
    // vfio_pci.c's vfio_pci_dev_ops has .get_dmabuf_phys; variant drivers other than nvgrace-gpu set no pci_ops.
    get_dmabuf_phys: driver === 'vfio-pci',
    registered: true,
    comp: 0,
    group_container: 0,
    unbound: false,
  };
  k.set('vfio', id, row);
  return id;
}

/** The vfio device bound to a function with this bdf, or undefined (also once unbound: callers check). */
export function findVfioDevice(k: Kernel, bdf: string): VfioPciCoreDevice | undefined {
  for (const id of k.ids('vfio')) {
    const v = k.get('vfio', id);
    if (k.get('pci', v.pdev).bdf === bdf) return v;
  }
  return undefined;
}

/** models vfio_device_try_get_registration(): refcount_inc_not_zero(). */
export function vfioDeviceTryGetRegistration(k: Kernel, vdev: number): boolean {
  const n = k.get('vfio', vdev).registration;
  if (n <= 0) return false;
  k.mut('vfio', vdev).registration = n + 1;
  return true;
}

/**
 * models vfio_device_put_registration(): the last reference completes
 * device->comp, which wakes vfio_unregister_group_dev(). Returns the count left.
 */
export function vfioDevicePutRegistration(k: Kernel, vdev: number): number {
  const left = k.get('vfio', vdev).registration - 1; // read before mut: the row may be the draft's own
  k.mut('vfio', vdev).registration = left;
  const comp = k.get('vfio', vdev).comp;
  if (left === 0 && comp !== 0) complete(k, comp);
  return left;
}

/**
 * __vfio_pci_memory_enabled(): the function is above D3hot and either
 * ignores PCI_COMMAND_MEMORY (no_command_memory) or the *virtual* command
 * register has it set. Callers hold memory_lock.
 */
export function vfioPciMemoryEnabled(k: Kernel, vdev: number): boolean {
  const v = k.get('vfio', vdev);
  const dev = k.get('pci', v.pdev);
  return dev.power === 'D0' && (dev.noCommandMemory || (v.vconfig_command & PCI_COMMAND_MEMORY) !== 0);
}

/** The bdf of a vfio device's function, for traces. */
export function vdevName(k: Kernel, vdev: number): string {
  return k.get('pci', k.get('vfio', vdev).pdev).bdf;
}
