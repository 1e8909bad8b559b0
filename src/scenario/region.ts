/**
 * vfio-pci region names a scenario may write (`region: bar0`, `region: config`)
 * and the schema that turns them into a region index.
 */
import * as z from 'zod';
import { orList } from './flags.js';
import { msg } from './values.js';

/** vfio-pci region names (VFIO_PCI_*_REGION_INDEX). */
export const REGION_INDEX: { readonly [name: string]: number } = {
  bar0: 0, bar1: 1, bar2: 2, bar3: 3, bar4: 4, bar5: 5, rom: 6, config: 7, vga: 8,
};

/** A region: a name of {@link REGION_INDEX} or an index. */
export const region = z
  .union([z.string(), z.number().int().min(0)], { error: msg(`expected a region: ${orList(Object.keys(REGION_INDEX))} or an index`) })
  .transform((v, ctx): number => {
    if (typeof v === 'number') return v;
    const i = REGION_INDEX[v];
    if (i === undefined) {
      ctx.issues.push({ code: 'custom', input: v, message: `unknown region '${v}'; expected ${orList(Object.keys(REGION_INDEX))} or an index` });
      return z.NEVER;
    }
    return i;
  });
