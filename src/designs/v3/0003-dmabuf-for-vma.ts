/**
 * v3 3/9, the helper that makes a DMABUF for a BAR VMA
 * (vfio_pci_core_mmap_prep_dmabuf): a single-range buffer covering exactly
 * the mmapped span, registered on vdev->dmabufs like an export, whose
 * `priv->vfile` keeps the vfio file reference the VMA had; it is put when
 * the buffer is released. The struct member and the release change are
 * dmabuf-vma step 1's (the same code in RFC v2); 4/9 calls the helper.
 */
import { addField, patch } from '../patch.js';
import { putVfile } from '../dmabuf-vma/step1-mmap-prepare.js';
import { v3Cite } from './cite.js';

export const dmabufForVma = patch(
  'vfio/pci: Add a helper to create a DMABUF for a BAR-map VMA',
  v3Cite(3),
  addField('vfio_dmabufs', 'vfile', 'the vfio device file a BAR-mmap dma-buf was made from; put on release', { holds: 'files' }),
  putVfile,
);
