/**
 * The /dev/vfio/vfio container with the real type1 backend
 * (drivers/vfio/container.c vfio_fops_open, vfio_fops_unl_ioctl,
 * vfio_ioctl_set_iommu; drivers/vfio/vfio_iommu_type1.c; v6.19).
 *
 * Groups join with VFIO_GROUP_SET_CONTAINER (group.ts): VFIO_SET_IOMMU
 * needs at least one (-EINVAL without, as a second SET_IOMMU) and puts
 * every group of the container behind one IOMMU domain; an IOMMU type no
 * driver offers is -ENODEV; before SET_IOMMU every other ioctl is -EINVAL.
 * The container outlives its file while a group holds it
 * (vfio_container_put), and the last group out unsets the IOMMU.
 * VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU take a value: the ioctl's arg
 * bytes read as a little-endian number.
 */
import { path } from '../../kernel/sched/path.js';
import type { Value } from '../../kernel/sched/types.js';
import type { UnlockedIoctlLocals } from '../../fs/ioctl.js';
import { EINVAL, ENODEV, ENOTTY } from '../../uapi/errno.js';
import { leValue } from '../../uapi/codec.js';
import { VFIO_API_VERSION, VFIO_CHECK_EXTENSION, VFIO_GET_API_VERSION } from '../../uapi/vfio.js';
import {
  VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL,
  VFIO_UPDATE_VADDR,
} from '../../uapi/vfio-iommu.js';
import type { VfioContainer } from './types.js';
import { contextOpenPath } from '../../iommufd/open.js';

/** The file_operations table of a container file. */
export const VFIO_FOPS = 'vfio_fops';

/** models vfio_fops_open() behind openat("/dev/vfio/vfio"). */
export const vfio_fops_open = contextOpenPath('vfio_fops_open', VFIO_FOPS, 'vfio-container', (k, id, file) => {
  const row: VfioContainer = { id, file, iommu_type: 0, groups: [], devices: [], dmas: [], entries: [] };
  k.set('vfio_containers', id, row);
});

interface IoctlLocals extends UnlockedIoctlLocals {
  r: number;
}

/** models vfio_fops_unl_ioctl() and vfio_iommu_type1_ioctl(). */
export const vfio_fops_unl_ioctl = path<IoctlLocals>()('vfio_fops_unl_ioctl', 'entry', {
  entry: (cx) => {
    const container = cx.k.get('files', cx.l.file).private_data;
    const c = cx.k.get('vfio_containers', container);
    const value = cx.l.argFault ? 0 : leValue(cx.l.arg.slice(0, 6));
    switch (cx.l.cmd) {
      case VFIO_GET_API_VERSION:
        return cx.ret(VFIO_API_VERSION);
      case VFIO_CHECK_EXTENSION:
        return cx.ret([VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, VFIO_UPDATE_VADDR].includes(value) ? 1 : 0);
      case VFIO_SET_IOMMU: {
        // vfio_ioctl_set_iommu(): list_empty(&container->group_list) || container->iommu_driver
        const devices = c.groups;
        if (devices.length === 0 || c.iommu_type !== 0) return cx.ret(-EINVAL);
        if (value !== VFIO_TYPE1_IOMMU && value !== VFIO_TYPE1v2_IOMMU) return cx.ret(-ENODEV);
        const m = cx.k.mut('vfio_containers', container);
        m.iommu_type = value;
        m.devices = devices;
        cx.emit('iommu', 'vfio_ioctl_set_iommu', { container, type: value === VFIO_TYPE1v2_IOMMU ? 'TYPE1v2' : 'TYPE1', devices: devices.length });
        return cx.ret(0);
      }
      default:
        if (c.iommu_type === 0) return cx.ret(-EINVAL);
        if (cx.l.cmd === VFIO_IOMMU_MAP_DMA) {
          return cx.call('vfio_iommu_type1_map_dma', { container, arg: cx.l.arg, argFault: cx.l.argFault }, 'r', 'done');
        }
        if (cx.l.cmd === VFIO_IOMMU_UNMAP_DMA) {
          return cx.call('vfio_iommu_type1_unmap_dma', { container, arg: cx.l.arg, argFault: cx.l.argFault }, 'r', 'done');
        }
        return cx.ret(-ENOTTY);
    }
  },
  done: (cx) => cx.ret(cx.l.r),
});

type ReleaseLocals = { readonly [key: string]: Value; file: number };

/** models vfio_fops_release() → vfio_iommu_type1_release(): every vfio_dma is unmapped, the domain freed. */
export const vfio_fops_release = path<ReleaseLocals>()('vfio_fops_release', 'entry', {
  entry: (cx) => {
    const container = cx.k.get('files', cx.l.file).private_data;
    // vfio_container_put(): the groups still set to it keep the container (and its mappings)
    if (cx.k.get('vfio_containers', container).groups.length > 0) {
      cx.k.mut('vfio_containers', container).file = 0;
      return cx.ret(0);
    }
    cx.emit('iommu', 'vfio_iommu_type1_release', {
      container, dmas: cx.k.get('vfio_containers', container).dmas.length,
      entries: cx.k.get('vfio_containers', container).entries.length,
    });
    cx.k.remove('vfio_containers', container);
    cx.ret(0);
  },
});
