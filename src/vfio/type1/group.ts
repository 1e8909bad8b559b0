/**
 * The legacy group path: /dev/vfio/$GROUP, VFIO_GROUP_SET_CONTAINER with a
 * /dev/vfio/vfio container, VFIO_GROUP_GET_DEVICE_FD (drivers/vfio/group.c
 * vfio_group_fops_open, vfio_group_fops_unl_ioctl,
 * vfio_group_ioctl_get_status/_set_container/_unset_container/_get_device_fd,
 * vfio_df_group_open, vfio_group_fops_release; drivers/vfio/container.c
 * vfio_container_attach_group, vfio_group_detach_container; v6.19).
 *
 * Every vfio device is alone in its IOMMU group and group N is the N-th
 * device of the world (in world order), so `/dev/vfio/0` is the first
 * device's group. The group is a view of the device row: its open file
 * (group->opened_file) is the file with the group fops on that device, its
 * container `group_container` on the device row. The device file the group
 * hands out is a vfio device file with df->group set (`df_group`), opened by
 * vfio_df_open() with access granted, so everything a cdev file can do but
 * the iommufd ioctls works on it. While the device is open through the group
 * it holds the group file (vfio_group_use_container's get_file, put by the
 * last close), so a group closed before its device fds stays set to its
 * container. The group and the cdev exclude each other
 * (vfio_device_block_group): a bound cdev file makes the group open -EBUSY,
 * an open group makes a cdev bind -EBUSY.
 *
 * Not modelled: an iommufd passed to VFIO_GROUP_SET_CONTAINER (iommufd's
 * compat IOAS; the model answers -EBADFD, as for any fd that is neither),
 * KVM, no-IOMMU groups, groups with several devices, the device's own
 * `match` op (names compare with the bdf).
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import type { Value } from '../../kernel/sched/types.js';
import { allocFile, getFile } from '../../fs/file-table.js';
import { fdInstall, fget } from '../../fs/fd.js';
import { newInode } from '../../fs/address-space.js';
import { EBADF, EBADFD, EBUSY, EFAULT, EINVAL, ENODEV, ENOENT, ENOTTY } from '../../uapi/errno.js';
import { O_CLOEXEC } from '../../uapi/fcntl.js';
import { decodeStruct, encodeStruct, leValue, u32 } from '../../uapi/codec.js';
import {
  VFIO_GROUP_FLAGS_CONTAINER_SET, VFIO_GROUP_FLAGS_VIABLE, VFIO_GROUP_GET_DEVICE_FD, VFIO_GROUP_GET_STATUS,
  VFIO_GROUP_SET_CONTAINER, VFIO_GROUP_UNSET_CONTAINER, vfio_group_status,
} from '../../uapi/vfio.js';
import { copyToUser } from '../pci/uaccess.js';
import { vdevName, vfioDevicePutRegistration, vfioDeviceTryGetRegistration } from '../pci/device.js';
import { VFIO_DEVICE_FOPS } from '../pci/open.js';
import { VFIO_FOPS } from './container.js';

/** The file_operations table of a group file. */
export const VFIO_GROUP_FOPS = 'vfio_group_fops';

/** The vfio device of group `n` (the n-th device, in id order), if any. */
export function groupDevice(k: Kernel, n: number): number | undefined {
  return k.ids('vfio').sort((a, b) => a - b)[n];
}

/** group->opened_file: the open group file of a device, or 0. */
export function groupFile(k: Kernel, vdev: number): number {
  for (const id of k.ids('files')) {
    const f = k.get('files', id);
    if (f.f_op === VFIO_GROUP_FOPS && f.private_data === vdev) return id;
  }
  return 0;
}

/** group->cdev_device_open_cnt: cdev files of the device that are bound (hold the group blocked). */
export function cdevBoundFiles(k: Kernel, vdev: number): number {
  return k.ids('files').filter((id) => {
    const f = k.get('files', id);
    return f.f_op === VFIO_DEVICE_FOPS && f.private_data === vdev && !f.df_group && f.access_granted !== false;
  }).length;
}

/** group->container_users - 1: the device files the group handed out. */
function groupDeviceFiles(k: Kernel, vdev: number): number {
  return k.ids('files').filter((id) => {
    const f = k.get('files', id);
    return f.f_op === VFIO_DEVICE_FOPS && f.private_data === vdev && (f.df_group ?? 0) !== 0;
  }).length;
}

/**
 * vfio_group_detach_container(): the group leaves its container; the last
 * group out unsets the IOMMU (vfio_iommu_type1_release: every vfio_dma
 * unmapped), and a container whose file is already closed goes with it.
 */
export function groupDetachContainer(k: Kernel, vdev: number): void {
  const container = k.get('vfio', vdev).group_container;
  k.mut('vfio', vdev).group_container = 0;
  const c = k.find('vfio_containers', container);
  if (c === undefined) return;
  const m = k.mut('vfio_containers', container);
  m.groups = c.groups.filter((g) => g !== vdev);
  m.devices = c.devices.filter((d) => d !== vdev);
  if (m.groups.length > 0) return;
  m.iommu_type = 0;
  m.dmas = [];
  m.entries = [];
  if (c.file === 0) k.remove('vfio_containers', container);
}

type OpenLocals = { readonly [key: string]: Value; group: number; flags: number };

/** models vfio_group_fops_open() behind openat("/dev/vfio/$GROUP"). */
export const vfio_group_fops_open = path<OpenLocals>()('vfio_group_fops_open', 'entry', {
  entry: (cx) => {
    const vdev = groupDevice(cx.k, cx.l.group);
    // no such group node (the group goes with its last device's remove)
    if (vdev === undefined || cx.k.get('vfio', vdev).unbound) return cx.ret(-ENOENT);
    // refcount_read(&group->drivers) == 0: the device is being removed
    if (!cx.k.get('vfio', vdev).registered) return cx.ret(-ENODEV);
    if (cdevBoundFiles(cx.k, vdev) > 0) return cx.ret(-EBUSY);
    if (groupFile(cx.k, vdev) !== 0) return cx.ret(-EBUSY); // one open of a group at a time
    const inode = newInode(cx.k, 'anon', vdev);
    const file = allocFile(cx.k, {
      f_op: VFIO_GROUP_FOPS, f_inode: inode, f_mapping: inode, private_data: vdev,
      f_flags: cx.l.flags & ~O_CLOEXEC, name: `vfio-group:${cx.l.group}`,
    });
    const fd = fdInstall(cx.k, cx.pid, file, (cx.l.flags & O_CLOEXEC) !== 0);
    if (fd < 0) {
      cx.k.remove('files', file);
      return cx.ret(fd);
    }
    cx.emit('file', 'vfio_group_fops_open', { group: cx.l.group, dev: vdevName(cx.k, vdev), fd, file });
    cx.ret(fd);
  },
});

type IoctlLocals = {
  readonly [key: string]: Value;
  file: number;
  cmd: number;
  arg: readonly number[];
  argFault: boolean;
  vdev: number;
  r: number;
};

/** models vfio_group_fops_unl_ioctl() and the four group ioctls. */
export const vfio_group_fops_unl_ioctl = path<IoctlLocals>()('vfio_group_fops_unl_ioctl', 'entry', {
  entry: (cx) => {
    const vdev = cx.k.get('files', cx.l.file).private_data;
    cx.l.vdev = vdev;
    const v = cx.k.get('vfio', vdev);
    switch (cx.l.cmd) {
      case VFIO_GROUP_GET_STATUS: {
        const minsz = vfio_group_status.size;
        if (cx.l.argFault || cx.l.arg.length < minsz) return cx.ret(-EFAULT);
        if (u32(decodeStruct(vfio_group_status, cx.l.arg), 'argsz') < minsz) return cx.ret(-EINVAL);
        // vfio_group_has_iommu(): container set; else viable (no cdev owns the DMA, or the open was refused)
        const flags = v.group_container !== 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET | VFIO_GROUP_FLAGS_VIABLE : VFIO_GROUP_FLAGS_VIABLE;
        copyToUser(cx, 'sys_ioctl', 'arg', 4, encodeStruct(vfio_group_status, { flags }).slice(4, 8), 'vfio_group_status.flags');
        return cx.ret(0);
      }
      case VFIO_GROUP_SET_CONTAINER: {
        if (cx.l.argFault || cx.l.arg.length < 4) return cx.ret(-EFAULT); // get_user(fd, arg)
        const fd = leValue(cx.l.arg.slice(0, 4)) | 0;
        const f = fd < 0 ? 0 : fget(cx.k, cx.pid, fd, cx.tid);
        if (f === 0) return cx.ret(-EBADF);
        cx.l.r = setContainer(cx.k, vdev, f);
        if (cx.l.r === 0) {
          cx.emit('iommu', 'vfio_container_attach_group', {
            container: cx.k.get('files', f).private_data, dev: vdevName(cx.k, vdev),
          });
        }
        return cx.call('fput', { file: f }, 'x', 'done'); // the CLASS(fd) reference
      }
      case VFIO_GROUP_UNSET_CONTAINER: {
        if (v.group_container === 0) return cx.ret(-EINVAL);
        if (groupDeviceFiles(cx.k, vdev) > 0) return cx.ret(-EBUSY); // container_users != 1
        groupDetachContainer(cx.k, vdev);
        cx.emit('iommu', 'vfio_group_detach_container', { dev: vdevName(cx.k, vdev) });
        return cx.ret(0);
      }
      case VFIO_GROUP_GET_DEVICE_FD:
        return cx.goto('get_device_fd');
      default:
        return cx.ret(-ENOTTY);
    }
  },
  /**
   * vfio_group_ioctl_get_device_fd(): strndup_user of the name, the device
   * by name with a registration reference (-ENODEV), vfio_df_group_open()
   * (-EINVAL without a container; the first open enables the device), then
   * the file (f_mapping the device inode) on a new O_CLOEXEC fd.
   */
  get_device_fd: (cx) => {
    if (cx.l.argFault) return cx.ret(-EFAULT);
    const nul = cx.l.arg.indexOf(0);
    if (nul < 0) return cx.ret(cx.l.arg.length >= 4096 ? -EINVAL : -EFAULT);
    const name = String.fromCharCode(...cx.l.arg.slice(0, nul));
    const v = cx.k.get('vfio', cx.l.vdev);
    if (name !== vdevName(cx.k, v.id) || !vfioDeviceTryGetRegistration(cx.k, v.id)) return cx.ret(-ENODEV);
    if (v.group_container === 0) {
      vfioDevicePutRegistration(cx.k, v.id);
      return cx.ret(-EINVAL);
    }
    const count = v.open_count;
    if (count === 0) {
      // vfio_device_group_use_iommu() → vfio_group_use_container(): VFIO_SET_IOMMU not done yet
      if (cx.k.get('vfio_containers', v.group_container).iommu_type === 0) {
        vfioDevicePutRegistration(cx.k, v.id);
        return cx.ret(-EINVAL);
      }
      // get_file(group->opened_file): the open device holds its group file until the last close
      getFile(cx.k, cx.l.file, cx.tid);
    }
    cx.k.mut('vfio', v.id).open_count = count + 1;
    cx.emit('device', 'vfio_df_open', { dev: vdevName(cx.k, v.id), open_count: count + 1 });
    if (count === 0) return cx.call('vfio_pci_core_enable', { vdev: v.id, r: 0 }, 'x', 'install');
    cx.goto('install');
  },
  install: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const name = `vfio-device:${vdevName(cx.k, v.id)}`;
    const file = allocFile(cx.k, {
      f_op: VFIO_DEVICE_FOPS, f_inode: v.inode, f_mapping: v.inode, private_data: v.id,
      f_flags: 2 /* O_RDWR */, name, access_granted: true, df_group: cx.l.file,
    });
    const fd = fdInstall(cx.k, cx.pid, file, true);
    if (fd < 0) {
      cx.l.r = fd;
      return cx.call('fput', { file }, 'x', 'done');
    }
    cx.emit('file', 'fd_install', { fd, file, name, f_count: 1 });
    cx.ret(fd);
  },
  done: (cx) => cx.ret(cx.l.r),
});

/** vfio_group_ioctl_set_container() once the fd is looked up: 0 or -errno. */
function setContainer(k: Kernel, vdev: number, f: number): number {
  if (k.get('vfio', vdev).group_container !== 0) return -EINVAL; // vfio_group_has_iommu()
  const file = k.get('files', f);
  if (file.f_op !== VFIO_FOPS) return -EBADFD; // not a container (an iommufd is not modelled here)
  const container = file.private_data;
  const c = k.get('vfio_containers', container);
  const m = k.mut('vfio_containers', container);
  m.groups = [...c.groups, vdev];
  // driver->ops->attach_group(): with an IOMMU set, type1 puts the group behind its domain
  if (c.iommu_type !== 0) m.devices = [...c.devices, vdev];
  k.mut('vfio', vdev).group_container = container;
  return 0;
}

type ReleaseLocals = { readonly [key: string]: Value; file: number };

/** models vfio_group_fops_release(): the group leaves its container. */
export const vfio_group_fops_release = path<ReleaseLocals>()('vfio_group_fops_release', 'entry', {
  entry: (cx) => {
    const vdev = cx.k.get('files', cx.l.file).private_data;
    if (cx.k.get('vfio', vdev).group_container !== 0) groupDetachContainer(cx.k, vdev);
    cx.emit('file', 'vfio_group_fops_release', { dev: vdevName(cx.k, vdev) });
    cx.ret(0);
  },
});
