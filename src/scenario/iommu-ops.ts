/**
 * Scenario ops for IOMMU mappings: `open_dev` opens a misc device node
 * (`/dev/iommu` for an iommufd, `/dev/vfio/vfio` for a VFIO container with
 * the real type1 backend), and `iommu_dma` is one DMA by a world device at
 * an IOVA, translated by the IOMMU domain it is attached to. The iommufd and
 * type1 ioctls themselves are named ioctls (src/scenario/iommu-ioctls.ts).
 */
import * as z from 'zod';
import { OPEN_FLAGS } from './flags.js';
import { boolean, flags, ident, msg, numExpr, strict } from './values.js';
import { parseExpr } from './expr.js';
import { O_RDWR } from '../uapi/fcntl.js';

/** The misc device nodes the model opens (src/kernel/syscalls.ts `open_dev`), besides /dev/vfio/$GROUP. */
export const DEV_NODES = ['/dev/iommu', '/dev/vfio/vfio'] as const;

/** A VFIO group node: /dev/vfio/N, the group of the N-th world device. */
const GROUP_NODE = /^\/dev\/vfio\/[0-9]+$/;

const accessSize = z
  .union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)], { error: msg('expected an access size of 1, 2, 4 or 8 bytes') });

export const IOMMU_OPS = {
  /** openat() of /dev/iommu or /dev/vfio/vfio; returns the fd. */
  open_dev: strict(
    {
      node: z.string({ error: msg(`expected a device node: ${DEV_NODES.join(', ')} or /dev/vfio/N`) }).refine(
        (n) => (DEV_NODES as readonly string[]).includes(n) || GROUP_NODE.test(n),
        { error: `expected a device node: ${DEV_NODES.join(', ')} or /dev/vfio/N (the group of the N-th world device)` },
      ),
      flags: flags(OPEN_FLAGS).default(O_RDWR),
    },
    'open_dev',
  ),
  /**
   * One DMA of `size` bytes by the PCI function of world device `device` at
   * `iova`, through its IOMMU domain; returns the value read, 0, or -EIO.
   */
  iommu_dma: strict(
    {
      device: ident,
      iova: numExpr,
      size: accessSize.default(4),
      write: boolean.default(false),
      value: numExpr.default(parseExpr(0)),
    },
    'iommu_dma',
  ),
} as const;
