/**
 * Tables shared by several invariants' read declarations (see `reads` in
 * ./types.ts): what the designs' hooks read.
 */
import type { InvariantRead } from './types.js';
import { TABLE_NAMES } from '../../kernel/state.js';

/**
 * What a VMA's object hooks read (vm_ops expectedPfn and zapMappings): the
 * file and its address_space, the dma-buf and vfio-pci's private object
 * behind it, the vfio device and its PCI function.
 */
export const VMA_OBJECT_READS: readonly InvariantRead[] = ['files', 'inodes', 'dmabufs', 'vfio_dmabufs', 'vfio', 'pci'];

/** What dmaBufRevokeComplete() reads: the dma-buf, its resv lock, and the exporter's revoked state. */
export const REVOKE_READS: readonly InvariantRead[] = ['dmabufs', 'locks', 'vfio_dmabufs'];

/** Everything: every table and the events (for an invariant whose reads are not narrowed yet). */
export const ALL_READS: readonly InvariantRead[] = [...TABLE_NAMES, 'events'];
