/**
 * RFC1 1/7 "vfio/pci: Ensure VFIO barmap is set up before creating a DMABUF"
 * (Matt Evans, <20260226202211.929005-1-mattev@meta.com>): the export
 * requests the BAR (vfio_pci_core_setup_barmap()) before it makes the
 * buffer, so vfio-pci owns the region the buffer points at (B17a).
 */
import { vdevName } from '../../vfio/pci/device.js';
import { vfioPciSetupBarmap } from '../../vfio/pci/mmap.js';
import {
  exportChecked, parseDmaBufRequest, vfio_pci_core_feature_dma_buf, vfioCheckFeature,
} from '../../vfio/pci/dmabuf-feature.js';
import { VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf } from '../../uapi/vfio.js';
import { patch, patchPath } from '../patch.js';

export const ensureBarmap = patch(
  'vfio/pci: Ensure VFIO barmap is set up before creating a DMABUF',
  'RFC1 1/7, <20260226202211.929005-1-mattev@meta.com>',
  patchPath(vfio_pci_core_feature_dma_buf).replace('entry', (cx) => {
    const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf.size);
    if (chk !== 1) return cx.ret(chk);
    const req = parseDmaBufRequest(cx.k, cx.l.vdev, cx.l.arg, cx.l.argFault);
    if (typeof req === 'number') return cx.ret(req);
    // vfio_pci_core_setup_barmap(vdev, region_index): request the BAR (never fails in the model)
    if (vfioPciSetupBarmap(cx.k, cx.l.vdev, req.region_index)) {
      cx.emit('device', 'vfio_pci_core_setup_barmap', { dev: vdevName(cx.k, cx.l.vdev), bar: req.region_index });
    }
    exportChecked(cx, req);
  }),
);
