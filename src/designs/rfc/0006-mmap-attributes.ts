/**
 * RFC1 6/7 "vfio/pci: Add mmap() attributes to DMABUF feature": bits 28–31
 * of vfio_device_feature_dma_buf.flags choose the mmap attribute of the
 * buffer, 0 = uncached, 1 << 28 = write-combine (pgprot_writecombine);
 * other values, and any other bit of `flags`, are -EINVAL (the RFC's answer
 * to an unknown attribute is not recorded; v3 answers -ENOENT through a
 * separate feature). vfio_pci_dma_buf_mmap() maps a WC buffer write-combined.
 */
import { EINVAL } from '../../uapi/errno.js';
import { leBytes, leValue } from '../../uapi/codec.js';
import { VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf } from '../../uapi/vfio.js';
import { vdevName } from '../../vfio/pci/device.js';
import { vfioPciSetupBarmap } from '../../vfio/pci/mmap.js';
import {
  exportChecked, parseDmaBufRequest, vfio_pci_core_feature_dma_buf, vfioCheckFeature,
} from '../../vfio/pci/dmabuf-feature.js';
import { addField, patch, patchPath } from '../patch.js';
import type { DmaBufMemAttr } from '../common/vfio-dmabuf.js';
import { dmaBufMmapStep } from '../common/dmabuf-mmap.js';
import { vfio_pci_dma_buf_mmap, VFIO_PCI_DMA_BUF_MMAP_OPS } from './0003-mmap-dmabuf.js';

/** The mmap attribute field of vfio_device_feature_dma_buf.flags. */
export const VFIO_DMABUF_FL_MMAP_ATTR_SHIFT = 28;
export const VFIO_DMABUF_FL_MMAP_ATTR_MASK = 0xf * 2 ** VFIO_DMABUF_FL_MMAP_ATTR_SHIFT;
export const VFIO_DMABUF_MMAP_ATTR_UC = 0;
export const VFIO_DMABUF_MMAP_ATTR_WC = 1 * 2 ** VFIO_DMABUF_FL_MMAP_ATTR_SHIFT;

/** Byte offset of `flags` in struct vfio_device_feature_dma_buf. */
const FLAGS_AT = 8;

/** The attribute bits taken out of the request's flags: [arg with them cleared, attr] or -EINVAL. */
function takeMemAttr(arg: readonly number[]): [readonly number[], DmaBufMemAttr] | number {
  if (arg.length < vfio_device_feature_dma_buf.size) return [arg, 'UC'];
  const flags = leValue(arg.slice(FLAGS_AT, FLAGS_AT + 4));
  const attr = flags - (flags % 2 ** VFIO_DMABUF_FL_MMAP_ATTR_SHIFT);
  if (attr !== VFIO_DMABUF_MMAP_ATTR_UC && attr !== VFIO_DMABUF_MMAP_ATTR_WC) return -EINVAL;
  const rest = [...arg];
  rest.splice(FLAGS_AT, 4, ...leBytes(flags - attr, 4));
  return [rest, attr === VFIO_DMABUF_MMAP_ATTR_WC ? 'WC' : 'UC'];
}

export const mmapAttributes = patch(
  'vfio/pci: Add mmap() attributes to DMABUF feature',
  'RFC1 6/7, <20260226202211.929005-1-mattev@meta.com>',
  addField('vfio_dmabufs', 'memattr', "the buffer's mmap attribute: 'UC' or 'WC'"),
  patchPath(vfio_pci_core_feature_dma_buf).replace('entry', (cx) => {
    const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf.size);
    if (chk !== 1) return cx.ret(chk);
    let arg = cx.l.arg;
    let memattr: DmaBufMemAttr = 'UC';
    if (!cx.l.argFault) {
      const got = takeMemAttr(arg);
      if (typeof got === 'number') return cx.ret(got);
      [arg, memattr] = got;
    }
    const req = parseDmaBufRequest(cx.k, cx.l.vdev, arg, cx.l.argFault);
    if (typeof req === 'number') return cx.ret(req);
    // 1/7: vfio_pci_core_setup_barmap(vdev, region_index)
    if (vfioPciSetupBarmap(cx.k, cx.l.vdev, req.region_index)) {
      cx.emit('device', 'vfio_pci_core_setup_barmap', { dev: vdevName(cx.k, cx.l.vdev), bar: req.region_index });
    }
    exportChecked(cx, req, { memattr });
  }),
  patchPath(vfio_pci_dma_buf_mmap).replace('entry', dmaBufMmapStep({ vmOps: VFIO_PCI_DMA_BUF_MMAP_OPS, refuseRevoked: true, memattr: true })),
);
