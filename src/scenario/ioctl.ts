/**
 * ioctl commands a scenario may name, and how their `arg` fields become the
 * bytes a C program would pass (the uapi struct layouts of src/uapi).
 */
import type { StructLayout } from '../uapi/codec.js';
import { encodeStruct } from '../uapi/codec.js';
import * as vfio from '../uapi/vfio.js';

export interface IoctlSpec {
  readonly name: string;
  readonly cmd: number;
  /** The struct `arg` points to, when fields may be given by name. */
  readonly struct?: StructLayout;
}

const STRUCTS: { readonly [name: string]: StructLayout } = {
  VFIO_DEVICE_GET_INFO: vfio.vfio_device_info,
  VFIO_DEVICE_GET_REGION_INFO: vfio.vfio_region_info,
  VFIO_DEVICE_FEATURE: vfio.vfio_device_feature,
  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: vfio.vfio_pci_hot_reset_info,
};

/** Every vfio device ioctl by name. */
export const IOCTLS: { readonly [name: string]: IoctlSpec } = Object.fromEntries(
  Object.entries(vfio.VFIO_IOCTL_NAMES).map(([cmd, name]) => {
    const struct = STRUCTS[name];
    return [name, struct ? { name, cmd: Number(cmd), struct } : { name, cmd: Number(cmd) }];
  }),
);

/** The ioctl for a cmd number, if it has a name. */
export function ioctlByCmd(cmd: number): IoctlSpec | undefined {
  return Object.values(IOCTLS).find((s) => s.cmd === cmd);
}

/**
 * The bytes of `arg` for a struct given by fields. `argsz`, when the struct
 * has it and it is not given, is sizeof(struct), as C code sets it.
 */
export function encodeIoctlArg(spec: IoctlSpec, fields: { readonly [name: string]: number }): number[] {
  if (!spec.struct) throw new Error(`${spec.name} takes no struct fields`);
  const values: Record<string, number> = { ...fields };
  if (spec.struct.fields.some((f) => f.name === 'argsz') && values['argsz'] === undefined) {
    values['argsz'] = spec.struct.size;
  }
  return encodeStruct(spec.struct, values);
}
