/**
 * iommufd uapi (include/uapi/linux/iommufd.h, v6.19): the ioctl numbers and
 * the struct layouts of the commands the model runs, and the op table of
 * drivers/iommu/iommufd/main.c (struct size and min_size = offsetofend of
 * the last mandatory member) that iommufd_fops_ioctl() checks first.
 *
 * All iommufd ioctls are _IO(';', nr): the size lives in the struct's first
 * u32, not in the command number.
 */
import type { PathName } from '../kernel/sched/registry.js';
import { _IO } from './ioctl.js';
import { defineStruct, offsetofend } from './codec.js';
import type { StructLayout } from './codec.js';

export const IOMMUFD_TYPE = ';';
export const IOMMUFD_CMD_BASE = 0x80;

export const IOMMU_DESTROY = _IO(IOMMUFD_TYPE, 0x80);
export const IOMMU_IOAS_ALLOC = _IO(IOMMUFD_TYPE, 0x81);
export const IOMMU_IOAS_ALLOW_IOVAS = _IO(IOMMUFD_TYPE, 0x82);
export const IOMMU_IOAS_COPY = _IO(IOMMUFD_TYPE, 0x83);
export const IOMMU_IOAS_IOVA_RANGES = _IO(IOMMUFD_TYPE, 0x84);
export const IOMMU_IOAS_MAP = _IO(IOMMUFD_TYPE, 0x85);
export const IOMMU_IOAS_UNMAP = _IO(IOMMUFD_TYPE, 0x86);
export const IOMMU_OPTION = _IO(IOMMUFD_TYPE, 0x87);
export const IOMMU_VFIO_IOAS = _IO(IOMMUFD_TYPE, 0x88);
export const IOMMU_HWPT_ALLOC = _IO(IOMMUFD_TYPE, 0x89);
export const IOMMU_GET_HW_INFO = _IO(IOMMUFD_TYPE, 0x8a);
export const IOMMU_IOAS_MAP_FILE = _IO(IOMMUFD_TYPE, 0x8f);
/** The last command number of v6.19 (IOMMUFD_CMD_HW_QUEUE_ALLOC): the op table's size. */
export const IOMMUFD_CMD_LAST = 0x94;

/* enum iommufd_ioas_map_flags */
export const IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0;
export const IOMMU_IOAS_MAP_WRITEABLE = 1 << 1;
export const IOMMU_IOAS_MAP_READABLE = 1 << 2;

/* enum iommufd_vfio_ioas_op */
export const IOMMU_VFIO_IOAS_GET = 0;
export const IOMMU_VFIO_IOAS_SET = 1;
export const IOMMU_VFIO_IOAS_CLEAR = 2;

export const iommu_destroy = defineStruct('iommu_destroy', [
  { name: 'size', type: 'u32' }, { name: 'id', type: 'u32' },
]);

export const iommu_ioas_alloc = defineStruct('iommu_ioas_alloc', [
  { name: 'size', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'out_ioas_id', type: 'u32' },
]);

export const iommu_ioas_map = defineStruct('iommu_ioas_map', [
  { name: 'size', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'ioas_id', type: 'u32' },
  { name: '__reserved', type: 'u32' }, { name: 'user_va', type: 'u64' }, { name: 'length', type: 'u64' },
  { name: 'iova', type: 'u64' },
]);

export const iommu_ioas_map_file = defineStruct('iommu_ioas_map_file', [
  { name: 'size', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'ioas_id', type: 'u32' },
  { name: 'fd', type: 'u32' }, { name: 'start', type: 'u64' }, { name: 'length', type: 'u64' },
  { name: 'iova', type: 'u64' },
]);

export const iommu_ioas_unmap = defineStruct('iommu_ioas_unmap', [
  { name: 'size', type: 'u32' }, { name: 'ioas_id', type: 'u32' }, { name: 'iova', type: 'u64' },
  { name: 'length', type: 'u64' },
]);

export const iommu_vfio_ioas = defineStruct('iommu_vfio_ioas', [
  { name: 'size', type: 'u32' }, { name: 'ioas_id', type: 'u32' }, { name: 'op', type: 'u16' },
  { name: '__reserved', type: 'u16' },
]);

/** struct iommufd_ioctl_op: what iommufd_fops_ioctl() checks before the command runs. */
export interface IommufdIoctlOp {
  readonly cmd: number;
  readonly name: string;
  readonly layout: StructLayout;
  /** offsetofend(struct, last mandatory member). */
  readonly min_size: number;
  /** The model's path that executes it (null: the command is not modelled, -ENOTTY). */
  readonly execute: PathName | null;
}

function op(cmd: number, name: string, layout: StructLayout, last: string, execute: PathName | null): IommufdIoctlOp {
  return { cmd, name, layout, min_size: offsetofend(layout, last), execute };
}

/** iommufd_ioctl_ops[] entries the model executes, by command. */
export const IOMMUFD_IOCTL_OPS: readonly IommufdIoctlOp[] = [
  // IOMMU_DESTROY is not modelled (docs/model.md): the ioctl answers as an unknown command.
  op(IOMMU_DESTROY, 'IOMMU_DESTROY', iommu_destroy, 'id', null),
  op(IOMMU_IOAS_ALLOC, 'IOMMU_IOAS_ALLOC', iommu_ioas_alloc, 'out_ioas_id', 'iommufd_ioas_alloc_ioctl'),
  op(IOMMU_IOAS_MAP, 'IOMMU_IOAS_MAP', iommu_ioas_map, 'iova', 'iommufd_ioas_map'),
  op(IOMMU_IOAS_MAP_FILE, 'IOMMU_IOAS_MAP_FILE', iommu_ioas_map_file, 'iova', 'iommufd_ioas_map_file'),
  op(IOMMU_IOAS_UNMAP, 'IOMMU_IOAS_UNMAP', iommu_ioas_unmap, 'length', 'iommufd_ioas_unmap'),
  op(IOMMU_VFIO_IOAS, 'IOMMU_VFIO_IOAS', iommu_vfio_ioas, '__reserved', 'iommufd_vfio_ioas'),
];

export function iommufdIoctlName(cmd: number): string {
  return IOMMUFD_IOCTL_OPS.find((o) => o.cmd === cmd)?.name ?? `0x${cmd.toString(16)}`;
}
