/**
 * `v3`: Matt Evans' "[PATCH v3 0/9] vfio/pci: Add mmap() for DMABUFs"
 * (<20260610154327.37758-1-matt@ozlabs.org>, 10 Jun 2026) on top of the
 * v7.1 revoke series (`revoke@v7.1`), one file per patch: Jason
 * Gunthorpe's steps done in f_op->mmap (every BAR mmap is a mapping of its
 * own single-range dma-buf, faulted by one multi-range handler that checks
 * the revoke state), CPU mappings zapped by each buffer's revoke after the
 * importers have unmapped (bar_needs_zap off for vfio-pci core), mmap of
 * the dma-buf fd, permanent revoke through VFIO_DEVICE_FEATURE_DMA_BUF and
 * VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR. The type1-compat look-up
 * (compat-map-dmabuf.ts) is stacked on as on every dma-buf design here.
 */
import type { Design } from '../types.js';
import { stack } from '../patch.js';
import { revokeV71 } from '../revoke-v7.1/index.js';
import { compatMapDmaBuf } from '../common/compat-map-dmabuf.js';
import { p2pdmaCore } from './0001-p2pdma-core.js';
import { pfnHelper } from './0002-pfn-helper.js';
import { dmabufForVma } from './0003-dmabuf-for-vma.js';
import { convertBarMmap } from './0004-convert-bar-mmap.js';
import { vmaName } from './0005-vma-name.js';
import { barZap } from './0006-bar-zap.js';
import { mmapDmaBuf } from './0007-mmap-dmabuf.js';
import { permanentRevoke } from './0008-permanent-revoke.js';
import { memattr } from './0009-memattr.js';

export const V3_PATCHES = [
  p2pdmaCore, pfnHelper, dmabufForVma, convertBarMmap, vmaName, barZap, mmapDmaBuf, permanentRevoke, memattr,
] as const;

export { p2pdmaCore, pfnHelper, dmabufForVma, convertBarMmap, vmaName, barZap, mmapDmaBuf, permanentRevoke, memattr };
export { VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, VFIO_DMABUF_MEMATTR_UC, VFIO_DMABUF_MEMATTR_WC } from './0009-memattr.js';

export const v3: Design = stack(revokeV71, {
  name: 'v3',
  description: "Matt Evans' v3 on the v7.1 revoke series: a dma-buf under every BAR mmap made in f_op->mmap, " +
    'zap by revoke after the importers unmap, dma-buf fd mmap, permanent revoke through the feature, memattr',
  patches: [compatMapDmaBuf, ...V3_PATCHES],
});
