/**
 * No CPU access, GUP transfer or importer DMA reaches a BAR while its
 * function does not decode memory (CVE-2020-12888, B3: docs/sources.md; the fix
 * zaps mappings and blocks access under memory_lock before decoding is
 * turned off, abafbc551fdd), and no importer DMA goes through a mapping of
 * a revoked dma-buf (the importer ignored move_notify: B16).
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { barOverlapping } from './leaves.js';
import { hex } from '../../kernel/events.js';
import { PCI_COMMAND_MEMORY } from '../../uapi/pci_regs.js';

/** The other side of the comparison: the state of the function the access hit. */
function deviceSide(k: Kernel, phys: unknown): string {
  const at = typeof phys === 'string' || typeof phys === 'number' ? Number(phys) : NaN;
  const hit = Number.isFinite(at) ? barOverlapping(k, at, at + 1) : null;
  if (!hit) return '';
  const mse = (hit.dev.command & PCI_COMMAND_MEMORY) !== 0 ? 'PCI_COMMAND_MEMORY set' : 'PCI_COMMAND_MEMORY clear';
  return ` (BAR${hit.bar} of ${hit.dev.bdf}: command=${hex(hit.dev.command)}, ${mse}, power ${hit.dev.power})`;
}

export const noAccessToDisabledBar: Invariant = {
  name: 'no-access-to-disabled-bar',
  rule: 'No CPU load/store, O_DIRECT transfer or importer DMA reaches a BAR while PCI_COMMAND_MEMORY is ' +
    'clear or the function is in D3hot — the access completes as an Unsupported Request, which can take ' +
    'the host down (CVE-2020-12888, B3; vfio_pci_zap_bars() before vfio_basic_config_write() clears the bit) — ' +
    'nor through a mapping of a dma-buf its exporter has revoked (vfio_pci_dma_buf_move(); B16 61ceaf236115).',
  reads: ['events', 'pci'],
  check({ events, k }) {
    for (const e of events) {
      if (e.kind !== 'access') continue;
      if (e.args['outcome'] === 'unsupported-request') {
        return violated(this, `${e.fn} at phys ${String(e.args['phys'])} hit a BAR that does not decode memory${deviceSide(k, e.args['phys'])}`);
      }
      if (e.args['outcome'] === 'revoked-mapping-used') {
        return violated(this, `${e.fn} at phys ${String(e.args['phys'])} went through a mapping of a revoked dma-buf`);
      }
    }
    return null;
  },
};
