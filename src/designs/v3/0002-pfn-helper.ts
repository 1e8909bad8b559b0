/**
 * v3 2/9, the PFN look-up helper (vfio_pci_dma_buf_find_pfn: the 2^order
 * pages at a buffer offset must lie inside one range with the pfn aligned,
 * else -EAGAIN, which the fault turns into VM_FAULT_FALLBACK). The model's
 * findPfn() (src/designs/common/vfio-dmabuf.ts) is that helper; 4/9's
 * fault handlers use it. No path of its own.
 */
import { patch } from '../patch.js';
import { v3Cite } from './cite.js';

export const pfnHelper = patch('vfio/pci: Add a helper to look up PFNs for DMABUFs', v3Cite(2));
