/**
 * `rfc`: Matt Evans' "[RFC PATCH 0/7] vfio/pci: Add mmap() for DMABUFs"
 * (<20260226202211.929005-1-mattev@meta.com>, 26 Feb 2026, on v6.19): the
 * stack of its patches 1/7 to 6/7 over `legacy`, one file per patch.
 * BAR mmaps of the vfio file are unchanged (legacy vm_ops, device inode,
 * vfio_pci_zap_bars): two VMA flows, two address spaces. Not modelled: 7/7
 * (a selftest). The type1-compat look-up of the dma-buf behind a VMA
 * (compat-map-dmabuf.ts) is stacked on too, as every dma-buf design here.
 */
import type { Design } from '../types.js';
import { stack } from '../patch.js';
import { legacy } from '../legacy.js';
import { compatMapDmaBuf } from '../common/compat-map-dmabuf.js';
import { ensureBarmap } from './0001-ensure-barmap.js';
import { cleanupBeforeDisable } from './0002-cleanup-before-disable.js';
import { mmapDmaBuf } from './0003-mmap-dmabuf.js';
import { revokeIoctl } from './0004-revoke-ioctl.js';
import { permanentRevoke } from './0005-permanent-revoke.js';
import { mmapAttributes } from './0006-mmap-attributes.js';

export { ensureBarmap, cleanupBeforeDisable, mmapDmaBuf, revokeIoctl, permanentRevoke, mmapAttributes };
export { VFIO_PCI_DMA_BUF_MMAP_OPS } from './0003-mmap-dmabuf.js';
export { DMA_BUF_IOCTL_REVOKE } from './0004-revoke-ioctl.js';
export {
  VFIO_DMABUF_FL_MMAP_ATTR_MASK, VFIO_DMABUF_FL_MMAP_ATTR_SHIFT, VFIO_DMABUF_MMAP_ATTR_UC, VFIO_DMABUF_MMAP_ATTR_WC,
} from './0006-mmap-attributes.js';

export const rfc: Design = stack(legacy, {
  name: 'rfc',
  description: 'RFC v1 (Feb 2026): mmap of the VFIO dma-buf fd with its own fault path and address_space, ' +
    'revoke ioctl, permanent revoke, UC/WC attribute',
  patches: [ensureBarmap, cleanupBeforeDisable, mmapDmaBuf, revokeIoctl, permanentRevoke, mmapAttributes, compatMapDmaBuf],
});
