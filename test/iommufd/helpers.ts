/**
 * Helpers for the iommufd and type1 tests: the ioctl argument bytes of each
 * command, a world with the vfio device open and an iommufd, and the
 * invariant checks.
 */
import { Kernel } from '../../src/kernel/kernel.js';
import { act, BDF, ioctl } from '../vfio/world.js';
import type { World } from '../vfio/world.js';
import { dmaBufWorld } from '../dma-buf/helpers.js';
import type { WorldOptions } from '../vfio/world.js';
import { encodeStruct, leBytes } from '../../src/uapi/codec.js';
import {
  IOMMU_IOAS_ALLOC, IOMMU_IOAS_MAP, IOMMU_IOAS_MAP_FILE, IOMMU_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_WRITEABLE,
  IOMMU_IOAS_UNMAP, IOMMU_VFIO_IOAS, IOMMU_VFIO_IOAS_SET, iommu_ioas_alloc, iommu_ioas_map, iommu_ioas_map_file,
  iommu_ioas_unmap, iommu_vfio_ioas,
} from '../../src/uapi/iommufd.js';
import {
  VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA, vfio_device_attach_iommufd_pt, vfio_device_bind_iommufd,
  vfio_iommu_type1_dma_map, vfio_iommu_type1_dma_unmap,
} from '../../src/uapi/vfio-iommu.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD } from '../../src/uapi/vfio.js';
import { O_CLOEXEC, O_RDWR } from '../../src/uapi/fcntl.js';
import { INVARIANTS } from '../../src/check/invariants/index.js';
import { hexBytes, decodeStruct } from '../../src/uapi/codec.js';
import type { StructLayout } from '../../src/uapi/codec.js';

export const RW = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
export const PAGE = 4096;

export function openIommufd(w: World, node = '/dev/iommu'): number {
  return act(w, { op: 'open_dev', node, flags: O_RDWR | O_CLOEXEC });
}

export function ioasAllocArg(flags = 0): number[] {
  return encodeStruct(iommu_ioas_alloc, { size: iommu_ioas_alloc.size, flags });
}

export function mapArg(v: { flags?: number; ioas: number; va: number | bigint; length: number | bigint; iova?: number | bigint; reserved?: number }): number[] {
  return encodeStruct(iommu_ioas_map, {
    size: iommu_ioas_map.size, flags: v.flags ?? RW, ioas_id: v.ioas, __reserved: v.reserved ?? 0,
    user_va: v.va, length: v.length, iova: v.iova ?? 0,
  });
}

export function mapFileArg(v: { flags?: number; ioas: number; fd: number; start?: number | bigint; length: number | bigint; iova?: number | bigint }): number[] {
  return encodeStruct(iommu_ioas_map_file, {
    size: iommu_ioas_map_file.size, flags: v.flags ?? RW, ioas_id: v.ioas, fd: v.fd >>> 0, start: v.start ?? 0,
    length: v.length, iova: v.iova ?? 0,
  });
}

export function unmapArg(ioas: number, iova: number | bigint, length: number | bigint): number[] {
  return encodeStruct(iommu_ioas_unmap, { size: iommu_ioas_unmap.size, ioas_id: ioas, iova, length });
}

export function vfioIoasArg(op: number, ioas = 0, reserved = 0): number[] {
  return encodeStruct(iommu_vfio_ioas, { size: iommu_vfio_ioas.size, ioas_id: ioas, op, __reserved: reserved });
}

export function bindArg(iommufd: number, flags = 0): number[] {
  return encodeStruct(vfio_device_bind_iommufd, { argsz: vfio_device_bind_iommufd.size, flags, iommufd: iommufd >>> 0 });
}

export function attachArg(ptId: number, flags = 0): number[] {
  return encodeStruct(vfio_device_attach_iommufd_pt, { argsz: vfio_device_attach_iommufd_pt.size, flags, pt_id: ptId });
}

export function dmaMapArg(v: { vaddr: number; iova: number; size: number; flags?: number; argsz?: number }): number[] {
  return encodeStruct(vfio_iommu_type1_dma_map, {
    argsz: v.argsz ?? vfio_iommu_type1_dma_map.size, flags: v.flags ?? (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE),
    vaddr: v.vaddr, iova: v.iova, size: v.size,
  });
}

export function dmaUnmapArg(v: { iova: number; size: number; flags?: number }): number[] {
  return encodeStruct(vfio_iommu_type1_dma_unmap, { argsz: vfio_iommu_type1_dma_unmap.size, flags: v.flags ?? 0, iova: v.iova, size: v.size });
}

/** The struct the last action's copy_to_user wrote at offset 0, decoded. */
export function copied(w: World, layout: StructLayout): Readonly<Record<string, number | bigint>> {
  const e = [...w.events].reverse().find((x) => x.kind === 'return' && x.fn === 'copy_to_user');
  if (e === undefined) throw new Error('nothing was copied out');
  return decodeStruct(layout, hexBytes(String(e.args['bytes'])));
}

export function ioasAlloc(w: World, ifd: number): number {
  const r = ioctl(w, ifd, IOMMU_IOAS_ALLOC, ioasAllocArg());
  if (r !== 0) throw new Error(`IOAS_ALLOC: ${r}`);
  return Number(copied(w, iommu_ioas_alloc)['out_ioas_id']);
}

/** A vfio world with the device open, an iommufd, an IOAS; `attach` binds and attaches the device. */
export function iommufdWorld(o: WorldOptions & { attach?: boolean } = {}) {
  const { w, devFd } = dmaBufWorld({ ...o, importers: [] });
  const ifd = openIommufd(w);
  const ioas = ioasAlloc(w, ifd);
  if (o.attach ?? true) {
    if (ioctl(w, devFd, VFIO_DEVICE_BIND_IOMMUFD, bindArg(ifd)) !== 0) throw new Error('bind');
    if (ioctl(w, devFd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, attachArg(ioas)) !== 0) throw new Error('attach');
  }
  return { w, devFd, ifd, ioas };
}

export function mapFile(w: World, ifd: number, v: Parameters<typeof mapFileArg>[0]): number {
  return ioctl(w, ifd, IOMMU_IOAS_MAP_FILE, mapFileArg(v));
}

export function mapUser(w: World, ifd: number, v: Parameters<typeof mapArg>[0]): number {
  return ioctl(w, ifd, IOMMU_IOAS_MAP, mapArg(v));
}

export function unmapIova(w: World, ifd: number, ioas: number, iova: number | bigint, length: number | bigint): number {
  return ioctl(w, ifd, IOMMU_IOAS_UNMAP, unmapArg(ioas, iova, length));
}

export function setCompatIoas(w: World, ifd: number, ioas: number): number {
  return ioctl(w, ifd, IOMMU_VFIO_IOAS, vfioIoasArg(IOMMU_VFIO_IOAS_SET, ioas));
}

export function mapDma(w: World, fd: number, v: Parameters<typeof dmaMapArg>[0]): number {
  return ioctl(w, fd, VFIO_IOMMU_MAP_DMA, dmaMapArg(v));
}

export function unmapDma(w: World, fd: number, v: Parameters<typeof dmaUnmapArg>[0]): number {
  return ioctl(w, fd, VFIO_IOMMU_UNMAP_DMA, dmaUnmapArg(v));
}

/** ioctl whose argument is a value (VFIO_SET_IOMMU, VFIO_CHECK_EXTENSION). */
export function ioctlValue(w: World, fd: number, cmd: number, value: number): number {
  return ioctl(w, fd, cmd, leBytes(value, 8));
}

/** One 4-byte DMA by the device at an IOVA; returns the result and the access outcome. */
export function deviceDma(w: World, iova: number, write = false, value = 0): { ret: number; outcome: string } {
  const ret = act(w, { op: 'iommu_dma', device: BDF, iova, size: 4, write, value });
  const e = [...w.events].reverse().find((x) => x.kind === 'access' && x.fn === 'iommu_dma');
  return { ret, outcome: String(e?.args['outcome']) };
}

/** All IOMMU entries of every iommufd domain. */
export function hwptEntries(w: World) {
  return Object.values(w.state.hwpts).flatMap((h) => h.entries);
}

/** The names of the invariants the world's state breaks now (with the last action's events). */
export function broken(w: World): string[] {
  const k = new Kernel(w.state, w.design);
  return INVARIANTS.filter((i) => i.check({ state: w.state, events: w.events, k }) !== null).map((i) => i.name);
}
