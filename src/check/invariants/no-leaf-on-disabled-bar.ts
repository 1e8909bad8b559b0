/**
 * No page-table leaf maps a BAR of a function that does not decode memory:
 * the zap must come before the disable (vfio_basic_config_write() zaps, then
 * writes PCI_COMMAND; B3).
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';
import { allLeaves, barOverlapping } from './leaves.js';
import { pciMemoryDecodes } from '../../pci/memory.js';
import { hex } from '../../kernel/events.js';

export const noLeafOnDisabledBar: Invariant = {
  name: 'no-leaf-on-disabled-bar',
  rule: 'No page-table leaf maps a BAR while its function does not decode memory: every path that ' +
    'disables decoding (PCI_COMMAND write, D3hot, FLR, VFIO_DEVICE_RESET) zaps first, under memory_lock ' +
    'held for write, and faults SIGBUS until decoding is back (B3, abafbc551fdd).',
  reads: ['mms', 'pci'],
  check({ k }) {
    for (const l of allLeaves(k)) {
      const start = l.leaf.pfn * 4096;
      const hit = barOverlapping(k, start, start + l.size);
      if (hit && !pciMemoryDecodes(hit.dev)) {
        return violated(this, `mm ${l.mm} ${l.leaf.level} leaf va=${hex(l.va)} pfn=${hex(l.leaf.pfn)} maps BAR${hit.bar} ` +
          `of ${hit.dev.bdf}, which does not decode memory (command=${hex(hit.dev.command)} power=${hit.dev.power})`);
      }
    }
    return null;
  },
};
