/**
 * v7.1 revoke series 7/8, "vfio: Permit VFIO to work with pinned importers"
 * (<20260130-dmabuf-revoke-v6-7-06278f9b7bf0@nvidia.com>): vfio-pci drops
 * its pin/unpin ops (pin was -EOPNOTSUPP since 61ceaf236115), so
 * dma_buf_pin() succeeds, and instead vfio_pci_dma_buf_attach() refuses,
 * with -EOPNOTSUPP, an attachment that dma_buf_attach_revocable() says
 * cannot be revoked. A pinned importer that handles revoke (iommufd, 8/8)
 * is allowed; the RDMA pinned importer is refused at attach, not at pin.
 */
import { EOPNOTSUPP, ENODEV } from '../../uapi/errno.js';
import { vfio_pci_dma_buf_attach, vfioPciDmabufOps } from '../../vfio/pci/dmabuf.js';
import { patch, patchPath, setDmaBufOps } from '../patch.js';
import { dmaBufAttachRevocable } from './0006-attach-revocable.js';

export const permitPinnedImporters = patch(
  'vfio: Permit VFIO to work with pinned importers',
  'v7.1 revoke 7/8, <20260130-dmabuf-revoke-v6-7-06278f9b7bf0@nvidia.com>',
  setDmaBufOps(vfioPciDmabufOps, { pin: undefined, unpin: undefined }),
  patchPath(vfio_pci_dma_buf_attach).replace('entry', (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const d = cx.k.find('dmabufs', cx.l.dmabuf);
    const p = d === undefined ? undefined : cx.k.find('vfio_dmabufs', d.priv);
    let r = 0;
    if (!a.peer2peer) r = -EOPNOTSUPP;
    else if (p === undefined || p.revoked) r = -ENODEV;
    else if (!dmaBufAttachRevocable(cx.k, a.id)) r = -EOPNOTSUPP;
    cx.emit('dmabuf', 'vfio_pci_dma_buf_attach', {
      dmabuf: cx.l.dmabuf, attach: a.id, peer2peer: a.peer2peer, revocable: dmaBufAttachRevocable(cx.k, a.id), ret: r,
    });
    cx.ret(r);
  }),
);
