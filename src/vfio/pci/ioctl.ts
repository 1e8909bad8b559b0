/**
 * ioctls on a vfio device file (vfio_device_fops_unl_ioctl and
 * vfio_get_region_info in drivers/vfio/vfio_main.c; vfio_pci_core_ioctl,
 * vfio_pci_ioctl_get_info, vfio_pci_ioctl_get_region_info and
 * vfio_pci_ioctl_reset in drivers/vfio/pci/vfio_pci_core.c; v6.19).
 *
 * Region info gives I/O BARs without MMAP, the ROM through pci_map_rom()
 * under memory_lock, and the MSI-X BAR's VFIO_REGION_INFO_CAP_MSIX_MAPPABLE
 * capability with vfio_get_region_info()'s argsz and cap_offset handling.
 *
 * The argument is the user buffer's bytes (sys_ioctl's `arg`); a
 * copy_from_user of more bytes than the buffer holds, or of a buffer marked
 * `argFault`, fails with -EFAULT, as a buffer ending at an unmapped page.
 *
 * Not modelled (they answer -ENOTTY): GET_IRQ_INFO, SET_IRQS, IOEVENTFD,
 * GET_PCI_HOT_RESET_INFO, PCI_HOT_RESET, and the device features other than
 * LOW_POWER_* (src/vfio/pci/runtime-pm.ts) and DMA_BUF (which runs the
 * design's `vfio_pci_core_feature_dma_buf` path when it has one).
 */
import { path } from '../../kernel/sched/path.js';
import type { Cx } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { EFAULT, EINVAL, ENOTTY, EOPNOTSUPP } from '../../uapi/errno.js';
import { decodeStruct, encodeStruct, u32 } from '../../uapi/codec.js';
import {
  VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_DETACH_IOMMUFD_PT,
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
  VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, VFIO_DEVICE_FEATURE_MASK,
  VFIO_DEVICE_FEATURE_MINSZ, VFIO_DEVICE_FEATURE_PROBE, VFIO_DEVICE_FEATURE_SET, VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET, VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO, VFIO_DEVICE_INFO_MINSZ,
  VFIO_DEVICE_RESET, VFIO_PCI_BAR5_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INDEX_TO_OFFSET,
  VFIO_PCI_NUM_IRQS, VFIO_PCI_NUM_REGIONS, VFIO_PCI_ROM_REGION_INDEX, VFIO_PCI_VGA_REGION_INDEX,
  VFIO_REGION_INFO_FLAG_MMAP, VFIO_REGION_INFO_FLAG_READ, VFIO_REGION_INFO_FLAG_WRITE,
  VFIO_REGION_INFO_MINSZ, vfio_device_feature, vfio_device_info, vfio_region_info, vfioIoctlName,
  VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, VFIO_REGION_INFO_FLAG_CAPS, vfio_info_cap_header,
} from '../../uapi/vfio.js';
import {
  PCI_ROM_RESOURCE, pciResourceLen, pciResourceStart, pciSetPowerState, pciWriteCommand,
} from '../../pci/device.js';
import { pciMapRom, pciUnmapRom } from '../../pci/rom.js';
import type { PciDev } from '../../pci/types.js';
import { PCI_COMMAND_MEMORY } from '../../uapi/pci_regs.js';
import type { VfioPciCoreDevice } from './types.js';
import { CFG_SIZE } from '../../pci/config.js';
import type { Value } from '../../kernel/sched/types.js';
import { vdevName, vfioPciMemoryEnabled } from './device.js';
import { copyToUser } from './uaccess.js';
import { unrevokeDmaBufsIfEnabled, upWriteMemoryLock } from './memory-lock.js';
import { pmRuntimeGet, pmRuntimePutRet } from './runtime-pm.js';

/** Number of device-specific regions (vdev->num_regions): none in the model. */
export const NUM_DEV_REGIONS = 0;

type IoctlLocals = {
  file: number;
  cmd: number;
  arg: readonly number[];
  argFault: boolean;
  vdev: number;
  r: number;
  x: number;
};

/** copy_from_user of `len` bytes of the ioctl argument succeeds. */
function canCopyFrom(arg: readonly number[], argFault: boolean, len: number): boolean {
  return !argFault && arg.length >= len;
}

/** Region info as vfio_pci_ioctl_get_region_info() fills it, with the capabilities it adds. */
export interface RegionInfo {
  readonly flags: number;
  readonly size: number;
  readonly offset: number;
  /** The capability chain's bytes as vfio_info_cap_add() built them (next offsets from the chain's start). */
  readonly caps: readonly number[];
}

/** msix_mmappable_cap(): a VFIO_REGION_INFO_CAP_MSIX_MAPPABLE header, version 1, nothing after it. */
export function msixMappableCap(): number[] {
  return encodeStruct(vfio_info_cap_header, { id: VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, version: 1, next: 0 });
}

/**
 * Region info as vfio_pci_ioctl_get_region_info() fills it, or an errno.
 * The ROM of a device with a ROM BAR needs the device (pci_map_rom) and
 * memory_lock: `get_region_info:rom_info` answers it, not this function.
 */
export function regionInfo(
  dev: PciDev,
  v: Pick<VfioPciCoreDevice, 'bar_mmap_supported' | 'msix_bar'>,
  index: number,
): RegionInfo | number {
  const offset = VFIO_PCI_INDEX_TO_OFFSET(index);
  if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
    return { offset, size: CFG_SIZE, flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, caps: [] };
  }
  if (index <= VFIO_PCI_BAR5_REGION_INDEX) {
    // an I/O BAR has a size and READ|WRITE, but never MMAP (bar_mmap_supported is false)
    const size = pciResourceLen(dev, index);
    if (size === 0) return { offset, size: 0, flags: 0, caps: [] };
    let flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
    let caps: number[] = [];
    if (v.bar_mmap_supported[index]) {
      flags |= VFIO_REGION_INFO_FLAG_MMAP;
      // the whole MSI-X BAR may be mmapped, the table included (no sparse mmap cap since v4.16)
      if (index === v.msix_bar) caps = msixMappableCap();
    }
    return { offset, size, flags, caps };
  }
  if (index === VFIO_PCI_ROM_REGION_INDEX) {
    // No ROM BAR (and no shadow ROM, which the model lacks): flags 0, size 0.
    return { offset, size: 0, flags: 0, caps: [] };
  }
  if (index === VFIO_PCI_VGA_REGION_INDEX) return -EINVAL; // !vdev->has_vga
  if (index >= VFIO_PCI_NUM_REGIONS + NUM_DEV_REGIONS) return -EINVAL;
  return -EINVAL;
}

/**
 * The dispatch of vfio_device_fops_unl_ioctl() once access is granted and
 * the device is awake (vfio_device_pm_runtime_get): the cdev's iommufd
 * ioctls, FEATURE, GET_REGION_INFO, then vfio_pci_core_ioctl().
 */
function dispatch(cx: Cx<IoctlLocals>): void {
  switch (cx.l.cmd) {
    case VFIO_DEVICE_FEATURE: return cx.goto('device_feature');
    case VFIO_DEVICE_GET_REGION_INFO: return cx.goto('get_region_info');
    case VFIO_DEVICE_GET_INFO: return cx.goto('get_info');
    case VFIO_DEVICE_RESET: return cx.call('vfio_pci_ioctl_reset', { vdev: cx.l.vdev, r: 0, x: 0 }, 'r', 'done');
    // vfio_device_fops_unl_ioctl(): the cdev's iommufd ioctls (src/iommufd/device.ts), when the design has them.
    case VFIO_DEVICE_ATTACH_IOMMUFD_PT: case VFIO_DEVICE_DETACH_IOMMUFD_PT: {
      // cdev-only ioctls: a group file's go to vfio_pci_core_ioctl(), which does not know them
      if ((cx.k.get('files', cx.l.file).df_group ?? 0) !== 0) return pmRuntimePutRet(cx, -ENOTTY);
      const fn = cx.l.cmd === VFIO_DEVICE_ATTACH_IOMMUFD_PT ? 'vfio_df_ioctl_attach_pt' : 'vfio_df_ioctl_detach_pt';
      if (!cx.k.design.paths.has(fn)) return pmRuntimePutRet(cx, -ENOTTY);
      return cx.call(fn, { file: cx.l.file, arg: cx.l.arg, argFault: cx.l.argFault }, 'r', 'done');
    }
    default: return pmRuntimePutRet(cx, -ENOTTY);
  }
}

/**
 * models vfio_device_fops_unl_ioctl() and the vfio_pci_core_ioctl() switch.
 * BIND_IOMMUFD comes first; every other ioctl needs df->access_granted
 * (-EINVAL) and holds a runtime-PM usage reference for its duration,
 * resuming a runtime-suspended device first (src/vfio/pci/runtime-pm.ts).
 * Every return after the get goes through pmRuntimePutRet().
 */
export const vfio_device_fops_unl_ioctl = path<IoctlLocals>()('vfio_device_fops_unl_ioctl', 'entry', {
  entry: (cx) => {
    const f = cx.k.get('files', cx.l.file);
    cx.l.vdev = f.private_data;
    cx.emit('syscall', 'vfio_device_fops_unl_ioctl', { dev: vdevName(cx.k, f.private_data), cmd: vfioIoctlName(cx.l.cmd) });
    if (cx.l.cmd === VFIO_DEVICE_BIND_IOMMUFD) {
      if (!cx.k.design.paths.has('vfio_df_ioctl_bind_iommufd')) return cx.ret(-ENOTTY);
      return cx.call('vfio_df_ioctl_bind_iommufd', { file: cx.l.file, arg: cx.l.arg, argFault: cx.l.argFault }, 'x', 'bound');
    }
    // smp_load_acquire(&df->access_granted): a cdev file not bound yet
    if (f.access_granted === false) return cx.ret(-EINVAL);
    if (pmRuntimeGet(cx.k, cx.l.vdev)) return cx.call('rpm_resume', { vdev: cx.l.vdev, x: 0 }, 'x', 'dispatch');
    dispatch(cx);
  },
  dispatch,
  /** BIND_IOMMUFD returns without the runtime-PM get/put. */
  bound: (cx) => cx.ret(cx.l.x),
  /** The runtime-PM put suspended the device; return what the ioctl returned. */
  pm_put_done: (cx) => cx.ret(cx.l.r),
  /** models vfio_get_region_info() + vfio_pci_ioctl_get_region_info(). */
  get_region_info: (cx) => {
    const minsz = VFIO_REGION_INFO_MINSZ;
    if (!canCopyFrom(cx.l.arg, cx.l.argFault, minsz)) return pmRuntimePutRet(cx, -EFAULT);
    const info = decodeStruct(vfio_region_info, cx.l.arg, minsz);
    if (u32(info, 'argsz') < minsz) return pmRuntimePutRet(cx, -EINVAL);
    const v = cx.k.get('vfio', cx.l.vdev);
    const dev = cx.k.get('pci', v.pdev);
    const index = u32(info, 'index');
    if (index === VFIO_PCI_ROM_REGION_INDEX && pciResourceStart(dev, PCI_ROM_RESOURCE)) return cx.goto('rom_info');
    const got = regionInfo(dev, v, index);
    if (typeof got === 'number') return pmRuntimePutRet(cx, got);
    pmRuntimePutRet(cx, regionInfoReply(cx, got));
  },
  /**
   * The ROM case of vfio_pci_ioctl_get_region_info(): with memory_lock held
   * for write and memory decode forced on (vfio_pci_memory_lock_and_enable),
   * pci_map_rom() must find a valid image for the region to be READ with the
   * ROM BAR's size; then pci_unmap_rom() and the command register restored.
   */
  rom_info: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.lock(v.memory_lock, 'write')) return;
    const cmd = cx.k.get('pci', v.pdev).command;
    if (!(cmd & PCI_COMMAND_MEMORY)) pciWriteCommand(cx.k, v.pdev, cmd | PCI_COMMAND_MEMORY);
    const image = pciMapRom(cx.k, v.pdev);
    const len = pciResourceLen(cx.k.get('pci', v.pdev), PCI_ROM_RESOURCE);
    cx.emit('device', 'pci_map_rom', { dev: vdevName(cx.k, v.id), image: image === null ? 'invalid' : hex(image), size: hex(len) });
    if (image !== null) pciUnmapRom(cx.k, v.pdev);
    pciWriteCommand(cx.k, v.pdev, cmd);
    cx.unlock(v.memory_lock);
    const offset = VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_ROM_REGION_INDEX);
    pmRuntimePutRet(cx, regionInfoReply(cx, image === null
      ? { offset, size: 0, flags: 0, caps: [] }
      : { offset, size: len, flags: VFIO_REGION_INFO_FLAG_READ, caps: [] }));
  },
  /** models vfio_pci_ioctl_get_info(): no zPCI or AtomicOps capability, so no caps. */
  get_info: (cx) => {
    const minsz = VFIO_DEVICE_INFO_MINSZ;
    if (!canCopyFrom(cx.l.arg, cx.l.argFault, minsz)) return pmRuntimePutRet(cx, -EFAULT);
    const info = decodeStruct(vfio_device_info, cx.l.arg, minsz);
    const argsz = u32(info, 'argsz');
    if (argsz < minsz) return pmRuntimePutRet(cx, -EINVAL);
    const outsz = Math.min(argsz, vfio_device_info.size);
    const v = cx.k.get('vfio', cx.l.vdev);
    const flags = VFIO_DEVICE_FLAGS_PCI | (v.reset_works ? VFIO_DEVICE_FLAGS_RESET : 0);
    const out = encodeStruct(vfio_device_info, {
      argsz, flags, num_regions: VFIO_PCI_NUM_REGIONS + NUM_DEV_REGIONS, num_irqs: VFIO_PCI_NUM_IRQS,
    });
    if (cx.l.arg.length < outsz) return pmRuntimePutRet(cx, -EFAULT); // copy_to_user past the buffer
    copyToUser(cx, 'sys_ioctl', 'arg', 0, out.slice(0, outsz), 'vfio_device_info');
    pmRuntimePutRet(cx, 0);
  },
  /** models vfio_ioctl_device_feature(): header checks, then the feature switch. */
  device_feature: (cx) => {
    const minsz = VFIO_DEVICE_FEATURE_MINSZ;
    if (!canCopyFrom(cx.l.arg, cx.l.argFault, minsz)) return pmRuntimePutRet(cx, -EFAULT);
    const feature = decodeStruct(vfio_device_feature, cx.l.arg, minsz);
    const argsz = u32(feature, 'argsz');
    const flags = u32(feature, 'flags');
    if (argsz < minsz) return pmRuntimePutRet(cx, -EINVAL);
    const known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PROBE;
    if ((flags & ~known) !== 0) return pmRuntimePutRet(cx, -EINVAL);
    if (!(flags & VFIO_DEVICE_FEATURE_PROBE) && (flags & VFIO_DEVICE_FEATURE_SET) && (flags & VFIO_DEVICE_FEATURE_GET)) {
      return pmRuntimePutRet(cx, -EINVAL);
    }
    const which = flags & VFIO_DEVICE_FEATURE_MASK;
    if (which >= VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY && which <= VFIO_DEVICE_FEATURE_LOW_POWER_EXIT) {
      const args: { [key: string]: Value } = {
        vdev: cx.l.vdev, which, flags, argsz: argsz - minsz, arg: cx.l.arg.slice(minsz), argFault: cx.l.argFault, r: 0,
      };
      return cx.call('vfio_pci_core_pm_feature', args, 'r', 'done');
    }
    // vfio_pci_core_feature_dma_buf(): a driver without pci_ops->get_dmabuf_phys (most variant drivers) first.
    if (which === VFIO_DEVICE_FEATURE_DMA_BUF && !cx.k.get('vfio', cx.l.vdev).get_dmabuf_phys) {
      return pmRuntimePutRet(cx, -EOPNOTSUPP);
    }
    if (which === VFIO_DEVICE_FEATURE_DMA_BUF && cx.k.design.paths.has('vfio_pci_core_feature_dma_buf')) {
      const args: { [key: string]: Value } = {
        vdev: cx.l.vdev, flags, argsz: argsz - minsz, arg: cx.l.arg.slice(minsz), argFault: cx.l.argFault,
      };
      return cx.call('vfio_pci_core_feature_dma_buf', args, 'r', 'done');
    }
    pmRuntimePutRet(cx, -ENOTTY);
  },
  done: (cx) => pmRuntimePutRet(cx, cx.l.r),
});

/**
 * The tail of vfio_get_region_info(): a capability chain sets
 * VFIO_REGION_INFO_FLAG_CAPS; if argsz leaves no room for it, argsz grows to
 * what it needs and cap_offset is 0, else the chain (next offsets shifted by
 * sizeof(info), vfio_info_cap_shift) is copied after the struct and
 * cap_offset points at it. Then minsz bytes of the struct. Returns 0 or -EFAULT.
 */
function regionInfoReply(cx: Cx<IoctlLocals>, got: RegionInfo): number {
  const minsz = VFIO_REGION_INFO_MINSZ;
  const info = decodeStruct(vfio_region_info, cx.l.arg, minsz);
  let argsz = u32(info, 'argsz');
  let flags = got.flags;
  let cap_offset = u32(info, 'cap_offset');
  if (got.caps.length > 0) {
    flags |= VFIO_REGION_INFO_FLAG_CAPS;
    if (argsz < vfio_region_info.size + got.caps.length) {
      argsz = vfio_region_info.size + got.caps.length;
      cap_offset = 0;
    } else {
      if (cx.l.arg.length < vfio_region_info.size + got.caps.length) return -EFAULT; // copy_to_user past the buffer
      copyToUser(cx, 'sys_ioctl', 'arg', vfio_region_info.size, vfioInfoCapShift(got.caps, vfio_region_info.size), 'vfio_info_cap');
      cap_offset = vfio_region_info.size;
    }
  }
  const out = encodeStruct(vfio_region_info, { ...info, argsz, flags, cap_offset, size: got.size, offset: got.offset });
  copyToUser(cx, 'sys_ioctl', 'arg', 0, out.slice(0, minsz), 'vfio_region_info');
  cx.emit('device', 'vfio_pci_ioctl_get_region_info', {
    index: u32(info, 'index'), flags: hex(flags), size: hex(got.size), offset: hex(got.offset),
    ...(got.caps.length > 0 ? { argsz, cap_offset } : {}),
  });
  return 0;
}

/**
 * vfio_info_cap_shift(): add `offset` to every non-zero next pointer of a
 * chain of vfio_info_cap_header structs laid out from its start.
 */
export function vfioInfoCapShift(caps: readonly number[], offset: number): number[] {
  const out = [...caps];
  let at = 0;
  for (;;) {
    const next = decodeStruct(vfio_info_cap_header, out.slice(at, at + vfio_info_cap_header.size), vfio_info_cap_header.size)['next'];
    if (typeof next !== 'number' || next === 0) return out;
    out.splice(at + 4, 4, ...encodeStruct(vfio_info_cap_header, { id: 0, version: 0, next: next + offset }).slice(4, 8));
    at = next;
  }
}

type ResetLocals = { vdev: number; r: number; x: number };

/**
 * models vfio_pci_ioctl_reset(): zap every BAR mapping and take memory_lock
 * for write, force D0, reset the function (pci_try_reset_function, which
 * saves, disables, resets and restores the command register), then
 * up_write; the dma-bufs are revoked after the power change and
 * un-revoked before up_write when memory decodes after the reset.
 */
export const vfio_pci_ioctl_reset = path<ResetLocals>()('vfio_pci_ioctl_reset', 'entry', {
  entry: (cx) => {
    if (!cx.k.get('vfio', cx.l.vdev).reset_works) return cx.ret(-EINVAL);
    cx.call('vfio_pci_zap_and_down_write_memory_lock', { vdev: cx.l.vdev, r: 0 }, 'x', 'set_power');
  },
  set_power: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    pciSetPowerState(cx.k, v.pdev, 'D0');
    cx.k.mut('vfio', v.id).power_state = 'D0';
    cx.emit('device', 'vfio_pci_set_power_state', { dev: vdevName(cx.k, v.id), power: 'D0' });
    cx.call('vfio_pci_dma_buf_move', { vdev: v.id, revoked: true }, 'x', 'reset');
  },
  reset: (cx) => {
    cx.call('pci_try_reset_function', { pdev: cx.k.get('vfio', cx.l.vdev).pdev, saved: 0 }, 'r', 'unrevoke');
  },
  unrevoke: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    cx.emit('device', 'vfio_pci_ioctl_reset', {
      dev: vdevName(cx.k, v.id), ret: cx.l.r, memory_enabled: vfioPciMemoryEnabled(cx.k, v.id),
    });
    unrevokeDmaBufsIfEnabled(cx, 'up_write');
  },
  up_write: upWriteMemoryLock('done'),
  done: (cx) => cx.ret(cx.l.r),
});
