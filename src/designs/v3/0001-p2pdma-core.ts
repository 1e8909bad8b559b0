/**
 * v3 1/9 "PCI/P2PDMA: Add CONFIG_PCI_P2PDMA_CORE": a Kconfig split so
 * vfio-pci can build the P2P provider without the whole P2PDMA. The model
 * has no Kconfig: no change, kept for the numbering.
 */
import { patch } from '../patch.js';
import { v3Cite } from './cite.js';

export const p2pdmaCore = patch('PCI/P2PDMA: Add CONFIG_PCI_P2PDMA_CORE', v3Cite(1));
