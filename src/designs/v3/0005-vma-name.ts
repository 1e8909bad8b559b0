/**
 * v3 5/9, a user-facing name for BAR mappings ("dmabuf:" prefix in
 * /proc/<pid>/maps, after Alex Williamson's review of RFC v2,
 * <20260318140408.4677fff5@shazbot.org>). The model has no /proc: no change.
 */
import { patch } from '../patch.js';
import { v3Cite } from './cite.js';

export const vmaName = patch('vfio/pci: Provide a user-facing name for BAR mappings', v3Cite(5));
