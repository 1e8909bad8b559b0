/**
 * The built-in designs, by name (docs/designs.md compares them).
 */
import type { Design } from './types.js';
import { legacy } from './legacy.js';
import { rfc } from './rfc/index.js';
import { DMABUF_VMA_STAGES } from './dmabuf-vma/index.js';
import { sharedBase } from './shared-base/index.js';
import { revokeV71 } from './revoke-v7.1/index.js';
import { v3 } from './v3/index.js';

export const DESIGNS: readonly Design[] = [legacy, rfc, ...DMABUF_VMA_STAGES, sharedBase, revokeV71, v3];
export const DEFAULT_DESIGN = 'legacy';

export function findDesign(name: string): Design | undefined {
  return DESIGNS.find((d) => d.name === name);
}

export type { Design, DmaBufOps, FileOperations, VmOperations } from './types.js';

