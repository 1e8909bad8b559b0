/**
 * ioctl commands a scenario may name, and how their `arg` fields become the
 * bytes a C program would pass (the uapi struct layouts of src/uapi).
 */
import type { StructLayout } from '../uapi/codec.js';
import { encodeStruct, leBytes } from '../uapi/codec.js';
import * as vfio from '../uapi/vfio.js';
import * as dmabuf from '../uapi/dma-buf.js';
import type { FlagSet } from './flags.js';
import { DMA_BUF_SYNC_FLAGS } from './flags.js';
import { IOMMU_IOCTLS } from './iommu-ioctls.js';

export interface IoctlSpec {
  readonly name: string;
  readonly cmd: number;
  /** The struct `arg` points to, when fields may be given by name. */
  readonly struct?: StructLayout;
  /** Fields whose value may be flag names of this set (`flags: [DMA_BUF_SYNC_START, DMA_BUF_SYNC_READ]`). */
  readonly flagFields?: { readonly [field: string]: FlagSet };
  /**
   * The argument is a NUL-terminated string the ioctl copies with
   * strndup_user (DMA_BUF_SET_NAME): given as `{<stringArg>: "text"}`.
   */
  readonly stringArg?: string;
  /**
   * The struct's size field when it is not `argsz` (iommufd's `size`): filled with
   * sizeof(struct) unless given.
   */
  readonly sizeField?: string;
  /**
   * The argument is a value, not a pointer (VFIO_SET_IOMMU, VFIO_CHECK_EXTENSION): given as
   * `{value: NAME}` with a name of this set or a number, passed as 8 little-endian bytes.
   */
  readonly valueArg?: FlagSet;
  /**
   * The struct is followed by a capability chain (VFIO_DEVICE_GET_REGION_INFO):
   * the buffer is `argsz` bytes when argsz is larger than the struct, as user
   * space allocates it to receive the chain, and `out:` may name `cap.<field>`
   * of the first capability header, at sizeof(struct) where vfio puts it.
   */
  readonly capChain?: StructLayout;
}

/** Largest buffer a capability-chain ioctl's argsz makes (one page). */
const CAP_CHAIN_MAX = 4096;

const STRUCTS: { readonly [name: string]: StructLayout } = {
  VFIO_DEVICE_GET_INFO: vfio.vfio_device_info,
  VFIO_DEVICE_GET_REGION_INFO: vfio.vfio_region_info,
  VFIO_DEVICE_FEATURE: vfio.vfio_device_feature,
  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: vfio.vfio_pci_hot_reset_info,
  VFIO_GROUP_GET_STATUS: vfio.vfio_group_status,
  VFIO_GROUP_SET_CONTAINER: vfio.vfio_group_container_fd,
};

/** The ioctls of a dma-buf fd (include/uapi/linux/dma-buf.h). */
const DMA_BUF_IOCTLS: readonly IoctlSpec[] = [
  { name: 'DMA_BUF_IOCTL_SYNC', cmd: dmabuf.DMA_BUF_IOCTL_SYNC, struct: dmabuf.dma_buf_sync, flagFields: { flags: DMA_BUF_SYNC_FLAGS } },
  { name: 'DMA_BUF_SET_NAME', cmd: dmabuf.DMA_BUF_SET_NAME, stringArg: 'name' },
  { name: 'DMA_BUF_SET_NAME_A', cmd: dmabuf.DMA_BUF_SET_NAME_A, stringArg: 'name' },
  { name: 'DMA_BUF_IOCTL_EXPORT_SYNC_FILE', cmd: dmabuf.DMA_BUF_IOCTL_EXPORT_SYNC_FILE, struct: dmabuf.dma_buf_export_sync_file },
  { name: 'DMA_BUF_IOCTL_IMPORT_SYNC_FILE', cmd: dmabuf.DMA_BUF_IOCTL_IMPORT_SYNC_FILE, struct: dmabuf.dma_buf_import_sync_file },
];

/** Every vfio device ioctl, every dma-buf ioctl, and the iommufd and VFIO container ioctls by name. */
export const IOCTLS: { readonly [name: string]: IoctlSpec } = {
  ...Object.fromEntries(
    Object.entries(vfio.VFIO_IOCTL_NAMES).map(([cmd, name]) => {
      const struct = STRUCTS[name];
      // VFIO_GROUP_GET_DEVICE_FD takes the device's name, a string (strndup_user)
      if (name === 'VFIO_GROUP_GET_DEVICE_FD') return [name, { name, cmd: Number(cmd), stringArg: 'name' }];
      const capChain = name === 'VFIO_DEVICE_GET_REGION_INFO' ? { capChain: vfio.vfio_info_cap_header } : {};
      return [name, struct ? { name, cmd: Number(cmd), struct, ...capChain } : { name, cmd: Number(cmd) }];
    }),
  ),
  ...Object.fromEntries(DMA_BUF_IOCTLS.map((s) => [s.name, s])),
  ...Object.fromEntries(IOMMU_IOCTLS.map((s) => [s.name, s])),
};

/** The ioctl for a cmd number, if it has a name (DMA_BUF_SET_NAME for the 64-bit SET_NAME number). */
export function ioctlByCmd(cmd: number): IoctlSpec | undefined {
  return Object.values(IOCTLS).find((s) => s.cmd === cmd);
}

/** The bytes strndup_user reads for a string argument: its UTF-8 and the NUL. */
export function stringArgBytes(text: string): number[] {
  return [...new TextEncoder().encode(text), 0];
}

/** The field that holds the struct's size: the spec's `sizeField`, else `argsz` when the struct has one. */
export function sizeFieldOf(spec: IoctlSpec): string | undefined {
  if (spec.sizeField !== undefined) return spec.sizeField;
  return spec.struct?.fields.some((f) => f.name === 'argsz') ? 'argsz' : undefined;
}

/**
 * The bytes of `arg` for a struct given by fields. The size field (`argsz`,
 * or iommufd's `size`), when it is not given, is sizeof(struct), as C code
 * sets it.
 */
export function encodeIoctlArg(spec: IoctlSpec, fields: { readonly [name: string]: number | bigint }): number[] {
  if (!spec.struct) throw new Error(`${spec.name} takes no struct fields`);
  const values: Record<string, number | bigint> = { ...fields };
  const size = sizeFieldOf(spec);
  if (size !== undefined && values[size] === undefined) values[size] = spec.struct.size;
  const bytes = encodeStruct(spec.struct, values);
  const want = size !== undefined ? values[size] : undefined;
  if (spec.capChain && typeof want === 'number' && want > bytes.length) {
    while (bytes.length < Math.min(want, CAP_CHAIN_MAX)) bytes.push(0);
  }
  return bytes;
}

/** The bytes of a value argument (VFIO_SET_IOMMU): the unsigned long, little endian. */
export function valueArgBytes(value: number): number[] {
  return leBytes(value, 8);
}

/** Where a struct field lies, for reading it back after the call (`out:`). */
export function fieldPlace(spec: IoctlSpec, field: string): { offset: number; size: number } | undefined {
  if (spec.capChain && spec.struct && field.startsWith('cap.')) {
    const c = spec.capChain.fields.find((x) => x.name === field.slice(4));
    return c === undefined ? undefined : { offset: spec.struct.size + c.offset, size: FIELD_SIZE[c.type] };
  }
  const f = spec.struct?.fields.find((x) => x.name === field);
  return f === undefined ? undefined : { offset: f.offset, size: FIELD_SIZE[f.type] };
}

const FIELD_SIZE = { u8: 1, u16: 2, u32: 4, u64: 8 } as const;
