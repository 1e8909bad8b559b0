/**
 * Tables shared by several invariants' read declarations (see `reads` in
 * ./types.ts): what the designs' hooks read.
 */
import type { InvariantRead } from './types.js';
import type { Design } from '../../designs/types.js';

/**
 * What a VMA's object hooks read (vm_ops expectedPfn and zapMappings): the
 * file and its address_space, the dma-buf and vfio-pci's private object
 * behind it, the vfio device and its PCI function.
 */
export const VMA_OBJECT_READS: readonly InvariantRead[] = ['files', 'inodes', 'dmabufs', 'vfio_dmabufs', 'vfio', 'pci'];

/** What dmaBufRevokeComplete() reads: the dma-buf, its resv lock, and the exporter's revoked state. */
export const REVOKE_READS: readonly InvariantRead[] = ['dmabufs', 'locks', 'vfio_dmabufs'];

/** What iommufdFileRefs() reads: the iommufd devices and contexts, and the iopt_pages that hold files. */
export const IOMMUFD_FILE_REF_READS: readonly InvariantRead[] = ['idevs', 'iommufds', 'iopt_pages'];

/** The tables of the members a design declared as counts (addField `holds`): read by references-balance. */
export function countedFieldReads(design: Design): InvariantRead[] {
  return (design.fields ?? []).filter((f) => f.holds !== undefined).map((f) => f.table);
}
