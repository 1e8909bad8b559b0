/**
 * Scenario ops for dma-bufs: exporting BAR ranges of a vfio device
 * (`dmabuf_export`, the VFIO_DEVICE_FEATURE ioctl with
 * VFIO_DEVICE_FEATURE_DMA_BUF) and what an importer driver does with the fd
 * (`dmabuf_attach`, `dmabuf_map`, `dmabuf_unmap`, `dmabuf_detach`, `dma`).
 *
 * An importer op runs on an ordinary scenario thread: the thread stands for
 * the importer driver's kernel context (the ioctl into the RDMA, GPU or
 * iommufd driver that was handed the fd), and `dma` for one access by the
 * importer's device. `importer:` names an entry of `world.importers`.
 */
import * as z from 'zod';
import { OPEN_FLAGS } from './flags.js';
import { boolean, flags, ident, msg, numExpr, strict, u64Value } from './values.js';
import type { NumExpr } from './expr.js';
import { parseExpr } from './expr.js';
import { region } from './region.js';
import { O_CLOEXEC, O_RDWR } from '../uapi/fcntl.js';

/** open_flags of an export when none are given: what C code usually passes. */
export const DEFAULT_EXPORT_OPEN_FLAGS = O_RDWR | O_CLOEXEC;

const lit = (n: number): NumExpr => parseExpr(n);

/** struct vfio_region_dma_range, by field. */
const range = strict({ offset: u64Value, length: u64Value }, 'range');

const accessSize = z
  .union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)], { error: msg('expected an access size of 1, 2, 4 or 8 bytes') });

const attachment = numExpr;

export const DMA_BUF_OPS = {
  /**
   * ioctl(fd, VFIO_DEVICE_FEATURE, {argsz, GET|DMA_BUF, {region_index,
   * open_flags, flags: 0, nr_ranges}, ranges[]}); returns the new dma-buf fd.
   * `probe`/`set` add VFIO_DEVICE_FEATURE_PROBE/SET, `get: false` drops GET;
   * `nr_ranges` and `argsz` override the values computed from `ranges`, and
   * `fault: true` passes a pointer copy_from_user cannot read.
   */
  dmabuf_export: strict(
    {
      fd: numExpr,
      region: region.default(0),
      ranges: z.array(range, { error: msg('expected a list of ranges: [{offset: 0, length: 2M}]') }),
      open_flags: flags(OPEN_FLAGS).optional(),
      /** Another name for open_flags. */
      flags: flags(OPEN_FLAGS).optional(),
      get: boolean.default(true),
      set: boolean.default(false),
      probe: boolean.default(false),
      nr_ranges: numExpr.optional(),
      argsz: numExpr.optional(),
      fault: boolean.default(false),
    },
    'dmabuf_export',
  ).transform((a, ctx) => {
    if (a.open_flags !== undefined && a.flags !== undefined) {
      ctx.issues.push({ code: 'custom', input: a, path: ['flags'], message: '`flags` is another name for `open_flags`; give one of them' });
      return z.NEVER;
    }
    const { flags: alias, open_flags, ...rest } = a;
    return { ...rest, open_flags: open_flags ?? alias ?? DEFAULT_EXPORT_OPEN_FLAGS };
  }),
  /**
   * The importer driver gets a dma-buf fd and attaches (dma_buf_get +
   * dma_buf_dynamic_attach); returns the attachment id. `importerId` is
   * filled in when the scenario loads (the importer's id in the world).
   */
  dmabuf_attach: strict({ importer: ident, fd: numExpr }, 'dmabuf_attach').transform((a) => ({ ...a, importerId: 0 })),
  /** Map the attachment for the importer's device (pinned importers pin first). */
  dmabuf_map: strict({ attachment }, 'dmabuf_map'),
  dmabuf_unmap: strict({ attachment }, 'dmabuf_unmap'),
  /** Unmap if mapped, detach, and drop the fd's reference. */
  dmabuf_detach: strict({ attachment }, 'dmabuf_detach'),
  /** One DMA by the importer's device at `offset` of the buffer, through its mapping. */
  dma: strict(
    { attachment, offset: numExpr.default(lit(0)), size: accessSize.default(4), write: boolean.default(false), value: numExpr.default(lit(0)) },
    'dma',
  ),
} as const;
