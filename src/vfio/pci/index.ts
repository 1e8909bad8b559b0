/**
 * vfio-pci core device (drivers/vfio/pci/vfio_pci_core.c, v6.19).
 *
 * Not modelled: (filled in by the vfio work)
 */
import type { Path } from '../../kernel/sched/path.js';
import type { FileOperations, VmOperations } from '../../designs/types.js';

export const VFIO_PCI_PATHS: readonly Path[] = [];
export const VFIO_PCI_FILE_OPS: readonly FileOperations[] = [];
export const VFIO_PCI_VM_OPS: readonly VmOperations[] = [];
