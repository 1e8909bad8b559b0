/**
 * The built-in designs, by name.
 */
import type { Design } from './types.js';
import { legacy } from './legacy.js';

export const DESIGNS: readonly Design[] = [legacy];
export const DEFAULT_DESIGN = 'legacy';

export function findDesign(name: string): Design | undefined {
  return DESIGNS.find((d) => d.name === name);
}

export type { Design, FileOperations, VmOperations } from './types.js';
export { extendDesign } from './types.js';
