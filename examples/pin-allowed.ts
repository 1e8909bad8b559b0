/**
 * One changed ops-table entry: vfio_pci_dmabuf_ops.pin accepts pins again,
 * as before 61ceaf236115 made it -EOPNOTSUPP, without the revoke support
 * the v7.1 series asks of pinned importers. An RDMA-like importer pins and
 * maps the buffer; clearing PCI_COMMAND_MEMORY revokes it, its move_notify
 * only warns, and its next DMA reaches the BAR after decoding is off.
 *
 *   barmap check scenarios/pin+cmd-disable.B16.yaml --no-defects --design ./examples/pin-allowed.ts
 *
 * breaks no-mapping-survives-revoke and no-access-to-disabled-bar; `legacy`
 * (--no-defects) holds on the same scenario.
 */
import { legacy, patch, path, setDmaBufOps, stack, vfioPciDmabufOps } from '../src/designs/api.js';

/** vfio_pci_dma_buf_pin() that lets any importer pin. */
const pinAnyway = path<{ attach: number }>()('example_vfio_pci_dma_buf_pin', 'entry', {
  entry: (cx) => cx.ret(0),
});

export default stack(legacy, {
  name: 'pin-allowed',
  description: 'legacy whose dma-bufs accept pinned importers that cannot handle revoke (an example user design)',
  patches: [patch('vfio/pci: allow dma_buf_pin()', 'example: reverts 61ceaf236115',
    setDmaBufOps(vfioPciDmabufOps, { pin: pinAnyway }))],
});
