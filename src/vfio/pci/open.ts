/**
 * Opening a vfio device: the model's openat("/dev/vfio/devices/vfioN") of
 * a device cdev that is then bound to iommufd in the same step
 * (vfio_device_fops_cdev_open + VFIO_DEVICE_BIND_IOMMUFD → vfio_df_open;
 * drivers/vfio/device_cdev.c, vfio_main.c, v6.19), so the file has
 * access_granted and can use every ioctl. With `bind: false` the open is
 * vfio_device_fops_cdev_open() alone: a registration reference and a file
 * without access_granted, on which every ioctl but VFIO_DEVICE_BIND_IOMMUFD,
 * read, write and mmap are -EINVAL until the bind runs vfio_df_open()
 * (src/iommufd/device.ts). Every open file holds a registration reference
 * (vfio_device_try_get_registration: -ENODEV once unregistering), dropped
 * by vfio_device_fops_release(); once the driver is unbound
 * (vfio_device_del) the cdev is gone and the path lookup is -ENOENT.
 *
 * The first open of a device runs vfio_pci_open_device():
 * vfio_pci_core_enable() then vfio_pci_core_finish_enable().
 */
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { allocFile } from '../../fs/file-table.js';
import { fdInstall } from '../../fs/fd.js';
import { EBUSY, ENODEV, ENOENT } from '../../uapi/errno.js';
import { groupFile } from '../type1/group.js';
import { O_CLOEXEC } from '../../uapi/fcntl.js';
import {
  PCI_COMMAND_MEMORY, PCI_MSIX_ENTRY_SIZE, PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_QSIZE, PCI_MSIX_TABLE, PCI_MSIX_TABLE_BIR,
} from '../../uapi/pci_regs.js';
import { MSIX_CAP, pciReadConfig } from '../../pci/config.js';
import { pciClearMaster, pciEnableDevice, pciSetPowerState } from '../../pci/device.js';
import {
  findVfioDevice, probeMmaps, vdevName, vfioDevicePutRegistration, vfioDeviceTryGetRegistration,
} from './device.js';

/** The file_operations table of a vfio device file. */
export const VFIO_DEVICE_FOPS = 'vfio_device_fops';

type OpenLocals = {
  /** The device's bdf (the cdev's name stands for it). */
  device: string;
  flags: number;
  /** Run vfio_df_open() as the model's implicit bind (false: vfio_device_fops_cdev_open() only). */
  bind: boolean;
  vdev: number;
  r: number;
};

/** models do_sys_openat2() of a vfio device cdev, bound to iommufd at once. */
export const do_sys_openat2 = path<OpenLocals>()('do_sys_openat2', 'entry', {
  entry: (cx) => {
    // path lookup: no cdev for a function that vfio-pci does not drive
    const v = findVfioDevice(cx.k, cx.l.device);
    if (!v || !v.registered) {
      cx.ret(-ENOENT);
      return;
    }
    cx.l.vdev = v.id;
    // vfio_device_fops_cdev_open(): the file's registration reference, paired with the put in release
    if (!vfioDeviceTryGetRegistration(cx.k, v.id)) return cx.ret(-ENODEV);
    // the implicit bind's vfio_device_block_group(): the group is open (src/vfio/type1/group.ts)
    if (cx.l.bind !== false && cx.k.design.paths.has('vfio_group_fops_open') && groupFile(cx.k, v.id) !== 0) {
      vfioDevicePutRegistration(cx.k, v.id);
      return cx.ret(-EBUSY);
    }
    if (cx.l.bind === false) {
      cx.l.r = 0;
      return cx.goto('alloc_file');
    }
    // vfio_df_open(): dev_set->lock serialises opens (not modelled as a lock)
    const count = v.open_count;
    cx.k.mut('vfio', v.id).open_count = count + 1;
    cx.emit('device', 'vfio_df_open', { dev: vdevName(cx.k, v.id), open_count: count + 1 });
    if (count === 0) cx.call('vfio_pci_core_enable', { vdev: v.id, r: 0 }, 'r', 'alloc_file');
    else cx.goto('alloc_file');
  },
  alloc_file: (cx) => {
    if (cx.l.r < 0) {
      cx.k.mut('vfio', cx.l.vdev).open_count = cx.k.get('vfio', cx.l.vdev).open_count - 1;
      vfioDevicePutRegistration(cx.k, cx.l.vdev);
      cx.ret(cx.l.r);
      return;
    }
    const v = cx.k.get('vfio', cx.l.vdev);
    const name = `vfio-device:${vdevName(cx.k, v.id)}`;
    const file = allocFile(cx.k, {
      f_op: VFIO_DEVICE_FOPS, f_inode: v.inode, f_mapping: v.inode, private_data: v.id,
      f_flags: cx.l.flags & ~O_CLOEXEC, name, access_granted: cx.l.bind !== false,
    });
    const fd = fdInstall(cx.k, cx.pid, file, (cx.l.flags & O_CLOEXEC) !== 0);
    if (fd < 0) {
      // The kernel reserves the fd before opening; here the open is undone by the file's release.
      cx.l.r = fd;
      cx.call('fput', { file }, 'vdev', 'failed');
      return;
    }
    cx.emit('file', 'fd_install', { fd, file, name, f_count: 1 });
    cx.ret(fd);
  },
  failed: (cx) => cx.ret(cx.l.r),
});

type EnableLocals = { vdev: number; r: number };

/**
 * models vfio_pci_core_enable() + vfio_pci_core_finish_enable(): power the
 * function up, pci_enable_device (memory decode on), try a reset (its
 * success is reset_works), save state, build vconfig from the device, probe
 * which BARs can be mmapped, note where the MSI-X table lies. No mapping of the device exists yet (mappings
 * hold the file, the file holds the open), so memory_lock is not needed.
 */
export const vfio_pci_core_enable = path<EnableLocals>()('vfio_pci_core_enable', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    pciSetPowerState(cx.k, v.pdev, 'D0');
    pciClearMaster(cx.k, v.pdev);
    pciEnableDevice(cx.k, v.pdev);
    cx.k.mut('vfio', v.id).power_state = 'D0';
    cx.emit('device', 'pci_enable_device', {
      dev: vdevName(cx.k, v.id), command: hex(cx.k.get('pci', v.pdev).command), power: 'D0',
    });
    cx.call('pci_try_reset_function', { pdev: v.pdev, saved: 0 }, 'r', 'config_init');
  },
  config_init: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const dev = cx.k.get('pci', v.pdev);
    const m = cx.k.mut('vfio', v.id);
    m.pm_usage = v.pm_usage + 1; // pm_runtime_resume_and_get() at the start of vfio_pci_core_enable()
    m.reset_works = cx.l.r === 0;
    m.pci_saved_command = dev.command;
    // vfio_config_init(): vconfig starts as the device's header; a function
    // without a memory enable bit shows it set, for consistency with PFs.
    m.vconfig_command = dev.command | (dev.noCommandMemory ? PCI_COMMAND_MEMORY : 0);
    m.bar_mmap_supported = probeMmaps(dev);
    // the MSI-X table vfio_pci_bar_rw() excludes, read from the capability: Table BIR and
    // offset, (QSIZE + 1) * 16 bytes; msix_bar 0xFF without the capability
    if (dev.msix) {
      const flags = pciReadConfig(dev, MSIX_CAP + PCI_MSIX_FLAGS, 2);
      const table = pciReadConfig(dev, MSIX_CAP + PCI_MSIX_TABLE, 4);
      m.msix_bar = table & PCI_MSIX_TABLE_BIR;
      m.msix_offset = table - (table & PCI_MSIX_TABLE_BIR);
      m.msix_size = ((flags & PCI_MSIX_FLAGS_QSIZE) + 1) * PCI_MSIX_ENTRY_SIZE;
    } else {
      m.msix_bar = 0xff;
    }
    cx.emit('device', 'vfio_pci_core_enable', {
      dev: dev.bdf, reset_works: cx.l.r === 0, vconfig_command: hex(m.vconfig_command),
    });
    cx.ret(0);
  },
});
