/**
 * Helpers for the dma-buf tests: the VFIO_DEVICE_FEATURE_DMA_BUF argument
 * bytes, importers in a vfio test world, and the importer actions.
 */
import { Kernel } from '../../src/kernel/kernel.js';
import { act, buildWorld, openDevice } from '../vfio/world.js';
import type { World, WorldOptions } from '../vfio/world.js';
import { encodeStruct } from '../../src/uapi/codec.js';
import {
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_FEATURE_GET, vfio_device_feature,
  vfio_device_feature_dma_buf, vfio_region_dma_range,
} from '../../src/uapi/vfio.js';
import { O_CLOEXEC, O_RDWR } from '../../src/uapi/fcntl.js';
import { newImporter } from '../../src/dma-buf/importer-ops.js';
import type { ImporterKind } from '../../src/dma-buf/types.js';

export interface Range {
  readonly offset: number | bigint;
  readonly length: number | bigint;
}

export interface ExportOpts {
  readonly region?: number;
  readonly openFlags?: number;
  readonly flags?: number;
  /** nr_ranges as written (default: ranges.length). */
  readonly nr?: number;
  /** VFIO_DEVICE_FEATURE flags (default GET | DMA_BUF). */
  readonly featureFlags?: number;
  /** argsz (default: the whole buffer). */
  readonly argsz?: number;
}

/** The bytes of struct vfio_device_feature + vfio_device_feature_dma_buf + dma_ranges[]. */
export function dmaBufFeatureArg(ranges: readonly Range[], o: ExportOpts = {}): number[] {
  const body = [
    ...encodeStruct(vfio_device_feature_dma_buf, {
      region_index: o.region ?? 0, open_flags: o.openFlags ?? (O_RDWR | O_CLOEXEC), flags: o.flags ?? 0,
      nr_ranges: o.nr ?? ranges.length,
    }),
    ...ranges.flatMap((r) => encodeStruct(vfio_region_dma_range, { offset: r.offset, length: r.length })),
  ];
  const argsz = o.argsz ?? vfio_device_feature.size + body.length;
  const head = encodeStruct(vfio_device_feature, {
    argsz, flags: o.featureFlags ?? (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF),
  }).slice(0, 8);
  return [...head, ...body];
}

/** VFIO_DEVICE_FEATURE(DMA_BUF) on the device fd; returns the dma-buf fd or -errno. */
export function exportDmaBuf(w: World, devFd: number, ranges: readonly Range[], o: ExportOpts = {}, argFault = false): number {
  return act(w, { op: 'ioctl', fd: devFd, cmd: VFIO_DEVICE_FEATURE, arg: dmaBufFeatureArg(ranges, o), argFault });
}

/** A vfio world with the device open, and importers by kind. */
export function dmaBufWorld(o: WorldOptions & { importers?: readonly { name: string; kind: ImporterKind; p2p?: boolean }[] } = {}) {
  const w = buildWorld(o);
  const k = new Kernel(w.state, w.design);
  const importers: Record<string, number> = {};
  for (const i of o.importers ?? [
    { name: 'gpu', kind: 'dynamic' }, { name: 'nic', kind: 'pinned' }, { name: 'iommufd', kind: 'iommufd' },
  ]) {
    importers[i.name] = newImporter(k, i.name, i.kind, i.p2p ?? true);
  }
  w.state = k.finish();
  const devFd = openDevice(w);
  return { w, devFd, importers };
}

/** The file id installed at fd in the world's process. */
export function fileOfFd(w: World, fd: number): number {
  const t = w.state.processes[w.pid]!.fdtable;
  return w.state.fdtables[t]!.fds[fd]!.file;
}

/** The dma-buf id behind a dma-buf fd. */
export function dmabufOfFd(w: World, fd: number): number {
  return w.state.files[fileOfFd(w, fd)]!.private_data;
}

/** The vfio private object of a dma-buf. */
export function privOf(w: World, dmabuf: number) {
  return w.state.vfio_dmabufs[w.state.dmabufs[dmabuf]!.priv]!;
}

export function attach(w: World, importer: number, fd: number, t = 0): number {
  return act(w, { op: 'dmabuf_attach', importer, fd }, t);
}
export function map(w: World, attachment: number, t = 0): number {
  return act(w, { op: 'dmabuf_map', attachment }, t);
}
export function unmap(w: World, attachment: number, t = 0): number {
  return act(w, { op: 'dmabuf_unmap', attachment }, t);
}
export function detach(w: World, attachment: number, t = 0): number {
  return act(w, { op: 'dmabuf_detach', attachment }, t);
}
export function dma(w: World, attachment: number, offset: number, write = false, value = 0, t = 0): number {
  return act(w, { op: 'dma_access', attachment, offset, size: 4, write, value }, t);
}

/** The outcome of the last 'dma' access event. */
export function lastDmaOutcome(w: World): string | undefined {
  const e = [...w.events].reverse().find((x) => x.kind === 'access' && x.fn === 'dma');
  return e === undefined ? undefined : String(e.args['outcome']);
}
