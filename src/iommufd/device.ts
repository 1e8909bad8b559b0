/**
 * Binding a vfio device file to an iommufd and attaching it to an IOAS
 * (drivers/vfio/device_cdev.c vfio_df_ioctl_bind_iommufd,
 * vfio_df_ioctl_attach_pt, vfio_df_ioctl_detach_pt, vfio_df_unbind_iommufd;
 * drivers/vfio/iommufd.c; drivers/iommu/iommufd/device.c
 * iommufd_device_bind/attach/detach, hw_pagetable.c; io_pagetable.c
 * iopt_table_add_domain; v6.19).
 *
 * The model's open of a device cdev already ran vfio_df_open (src/vfio/pci/
 * open.ts): BIND here records the binding: the iommufd_device with its
 * devid, and the reference on the iommufd file (iommufd_ctx_from_fd). A
 * file opened with `bind: false` (vfio_device_fops_cdev_open only) gets
 * vfio_df_open() here as in v6.19 (the first open enables the device) and
 * then access_granted. A second bind of the same file is -EINVAL ("one
 * device cannot be bound twice"); ATTACH/DETACH on an unbound file is
 * -EINVAL (access_granted).
 *
 * Attach to an IOAS uses the IOAS's automatic domain, allocating it on the
 * first attach (iommufd_device_auto_get_domain: every device of the model is
 * behind the same IOMMU, so later devices share it). A new domain is filled
 * with every area (iopt_table_add_domain → iopt_fill_domain): dma-buf
 * areas are tracked and mapped unless revoked; user and file pages must be
 * pinned and fail (pages.ts); areas not aligned to PAGE_SIZE are
 * -EADDRINUSE. The device's DMA then translates through the domain (dma.ts).
 * Not modelled: PASIDs (-EOPNOTSUPP as vfio-pci has no pasid_attach_ioas),
 * user-allocated HWPTs (IOMMU_HWPT_ALLOC), nesting, reserved regions, VF
 * tokens (a PF without SR-IOV refuses a token: -EINVAL).
 */
import type { Kernel } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { Cx } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { fget } from '../fs/fd.js';
import { E2BIG, EADDRINUSE, EBADF, EBADFD, EBUSY, EFAULT, EINVAL, EOPNOTSUPP } from '../uapi/errno.js';
import { decodeStruct, encodeStruct, leValue, u32 } from '../uapi/codec.js';
import {
  VFIO_DEVICE_ATTACH_MINSZ, VFIO_DEVICE_ATTACH_PASID, VFIO_DEVICE_BIND_FLAG_TOKEN, VFIO_DEVICE_BIND_MINSZ,
  VFIO_DEVICE_DETACH_MINSZ, VFIO_DEVICE_DETACH_PASID, vfio_device_attach_iommufd_pt, vfio_device_bind_iommufd,
  vfio_device_detach_iommufd_pt,
} from '../uapi/vfio-iommu.js';
import { copyToUser } from '../vfio/pci/uaccess.js';
import { groupFile } from '../vfio/type1/group.js';
import { vdevName } from '../vfio/pci/device.js';
import type { Hwpt, IommufdDevice } from './types.js';
import { PAGE_SIZE, fillDmabufArea, unfillArea } from './io-pagetable.js';
import { pinErrno } from './pages.js';
import { objAlloc, objGet, objRemove } from './objects.js';
import { IOMMUFD_FOPS } from './main.js';

/** The binding of a vfio device file, if any. */
export function idevOfFile(k: Kernel, file: number): IommufdDevice | undefined {
  for (const id of k.ids('idevs')) {
    const d = k.get('idevs', id);
    if (d.file === file) return d;
  }
  return undefined;
}

interface DfLocals {
  readonly [key: string]: Value;
  file: number;
  arg: readonly number[];
  argFault: boolean;
  r: number;
  x: number;
}

/** The end of a bind: smp_store_release(&df->access_granted, true), out_devid (in `r`) copied out, 0. */
function bindGranted(cx: Cx<DfLocals>): void {
  if (cx.k.get('files', cx.l.file).access_granted === false) cx.k.mut('files', cx.l.file).access_granted = true;
  copyToUser(cx, 'sys_ioctl', 'arg', 12, encodeStruct(vfio_device_bind_iommufd, { out_devid: cx.l.r }).slice(12, 16), 'out_devid');
  cx.ret(0);
}

/** models vfio_df_ioctl_bind_iommufd(). Returns 0; out_devid is copied out. */
export const vfio_df_ioctl_bind_iommufd = path<DfLocals>()('vfio_df_ioctl_bind_iommufd', 'entry', {
  entry: (cx) => {
    if (cx.l.argFault || cx.l.arg.length < 4) return cx.ret(-EFAULT); // get_user(argsz)
    const size = leValue(cx.l.arg.slice(0, 4));
    if (size < VFIO_DEVICE_BIND_MINSZ) return cx.ret(-EINVAL);
    const ksize = vfio_device_bind_iommufd.size;
    if (size > ksize) {
      if (cx.l.arg.length < size) return cx.ret(-EFAULT);
      if (cx.l.arg.slice(ksize, size).some((b) => b !== 0)) return cx.ret(-E2BIG);
    }
    if (cx.l.arg.length < Math.min(size, ksize)) return cx.ret(-EFAULT);
    const bind = decodeStruct(vfio_device_bind_iommufd, cx.l.arg, Math.min(size, ksize));
    const fd = u32(bind, 'iommufd') | 0;
    if (fd < 0 || (u32(bind, 'flags') & ~VFIO_DEVICE_BIND_FLAG_TOKEN) !== 0) return cx.ret(-EINVAL);
    // BIND_IOMMUFD only allowed for cdev fds; then vfio_device_block_group() (-EBUSY while the group is open)
    if ((cx.k.get('files', cx.l.file).df_group ?? 0) !== 0) return cx.ret(-EINVAL);
    if (groupFile(cx.k, cx.k.get('files', cx.l.file).private_data) !== 0) return cx.ret(-EBUSY);
    if (idevOfFile(cx.k, cx.l.file) !== undefined) return cx.ret(-EINVAL); // bound twice
    // vfio_df_check_token(): vfio_pci_core_match_token_uuid() refuses a token on a PF without VFs.
    if (u32(bind, 'flags') & VFIO_DEVICE_BIND_FLAG_TOKEN) return cx.ret(-EINVAL);
    // iommufd_ctx_from_fd(): the fget reference becomes df->iommufd's.
    const ifile = fget(cx.k, cx.pid, fd, cx.tid);
    if (ifile === 0) return cx.ret(-EBADF);
    if (cx.k.get('files', ifile).f_op !== IOMMUFD_FOPS) {
      cx.l.r = -EBADFD;
      return cx.call('fput', { file: ifile }, 'x', 'out');
    }
    const ictx = cx.k.get('files', ifile).private_data;
    const vdev = cx.k.get('files', cx.l.file).private_data;
    const id = cx.k.allocId();
    const objId = objAlloc(cx.k, ictx, 'device', id);
    const row: IommufdDevice = { id, ictx, obj_id: objId, vdev, file: cx.l.file, hwpt: 0 };
    cx.k.set('idevs', id, row);
    cx.emit('iommu', 'iommufd_device_bind', { dev: vdevName(cx.k, vdev), ictx, devid: objId });
    cx.l.r = objId;
    if (cx.k.get('files', cx.l.file).access_granted !== false) return bindGranted(cx);
    // vfio_df_open(): the first open of the device runs vfio_pci_open_device()
    const count = cx.k.get('vfio', vdev).open_count;
    cx.k.mut('vfio', vdev).open_count = count + 1;
    cx.emit('device', 'vfio_df_open', { dev: vdevName(cx.k, vdev), open_count: count + 1 });
    if (count === 0) return cx.call('vfio_pci_core_enable', { vdev, r: 0 }, 'x', 'granted');
    cx.goto('granted');
  },
  granted: bindGranted,
  out: (cx) => cx.ret(cx.l.r),
});

/** Whether every area of an IOAS is aligned to a new domain's page size (iopt_check_iova_alignment). */
function alignedFor(k: Kernel, ioas: number, align: number): boolean {
  return k.get('ioas', ioas).areas.every((a) => a.iova % align === 0 && a.length % align === 0 && a.start_byte % align === 0);
}

/**
 * iommufd_hwpt_paging_alloc() + iopt_table_add_domain() for an IOAS, in one
 * step (iova_rwsem and domains_rwsem held for write): the new domain and
 * its contents, or -errno with nothing changed.
 */
function addDomain(k: Kernel, ictx: number, ioas: number): number {
  if (!alignedFor(k, ioas, PAGE_SIZE)) return -EADDRINUSE;
  for (const a of k.get('ioas', ioas).areas) {
    if (a.pages === 0) continue;
    const p = k.get('iopt_pages', a.pages);
    if (p.type !== 'dmabuf') return pinErrno(p);
  }
  const id = k.allocId();
  const objId = objAlloc(k, ictx, 'hwpt_paging', id);
  const row: Hwpt = { id, ictx, obj_id: objId, ioas, devices: [], entries: [] };
  k.set('hwpts', id, row);
  const io = k.get('ioas', ioas);
  k.mut('ioas', ioas).hwpts = [...io.hwpts, id];
  k.mut('ioas', ioas).iova_alignment = PAGE_SIZE;
  // iopt_fill_domain(): only this new domain is filled (the others already hold the areas).
  const others = io.hwpts;
  k.mut('ioas', ioas).hwpts = [id];
  for (const a of k.get('ioas', ioas).areas) if (a.pages !== 0) fillDmabufArea(k, ioas, a, a.pages);
  k.mut('ioas', ioas).hwpts = [...others, id];
  return id;
}

/** iommufd_hw_pagetable_detach(): drop the device; the last user frees the automatic domain. */
function detachDevice(k: Kernel, idev: number): void {
  const d = k.get('idevs', idev);
  if (d.hwpt === 0) return;
  const h = k.get('hwpts', d.hwpt);
  k.mut('idevs', idev).hwpt = 0;
  const devices = h.devices.filter((x) => x !== idev);
  if (devices.length > 0) {
    k.mut('hwpts', h.id).devices = devices;
    return;
  }
  // iopt_table_remove_domain() → iopt_unfill_domain(): unmap every area from it, untrack it.
  const io = k.get('ioas', h.ioas);
  k.mut('ioas', io.id).hwpts = [h.id];
  for (const a of io.areas) unfillArea(k, io.id, a);
  const rest = io.hwpts.filter((x) => x !== h.id);
  k.mut('ioas', io.id).hwpts = rest;
  if (rest.length === 0) k.mut('ioas', io.id).iova_alignment = 1;
  objRemove(k, h.ictx, h.obj_id);
  k.remove('hwpts', h.id);
}

/** models vfio_df_ioctl_attach_pt() → vfio_iommufd_physical_attach_ioas() → iommufd_device_attach/replace(). */
export const vfio_df_ioctl_attach_pt = path<DfLocals>()('vfio_df_ioctl_attach_pt', 'entry', {
  entry: (cx) => {
    const d = idevOfFile(cx.k, cx.l.file);
    if (d === undefined) return cx.ret(-EINVAL); // !access_granted for iommufd
    if (cx.l.argFault || cx.l.arg.length < VFIO_DEVICE_ATTACH_MINSZ) return cx.ret(-EFAULT);
    const at = decodeStruct(vfio_device_attach_iommufd_pt, cx.l.arg, VFIO_DEVICE_ATTACH_MINSZ);
    if (u32(at, 'argsz') < VFIO_DEVICE_ATTACH_MINSZ) return cx.ret(-EINVAL);
    if (u32(at, 'flags') & ~VFIO_DEVICE_ATTACH_PASID) return cx.ret(-EINVAL);
    if (u32(at, 'flags') & VFIO_DEVICE_ATTACH_PASID) return cx.ret(-EOPNOTSUPP);
    const obj = objGet(cx.k, d.ictx, u32(at, 'pt_id'), 'any');
    if (typeof obj === 'number') return cx.ret(obj);
    let hwpt: number;
    if (obj.type === 'ioas') {
      const io = cx.k.get('ioas', obj.id);
      hwpt = io.hwpts[0] ?? addDomain(cx.k, d.ictx, io.id);
    } else if (obj.type === 'hwpt_paging') hwpt = obj.id;
    else return cx.ret(-EINVAL);
    if (hwpt < 0) return cx.ret(hwpt);
    if (d.hwpt !== hwpt) {
      detachDevice(cx.k, d.id); // iommufd_device_replace()
      const h = cx.k.get('hwpts', hwpt);
      cx.k.mut('hwpts', hwpt).devices = [...h.devices, d.id];
      cx.k.mut('idevs', d.id).hwpt = hwpt;
    }
    const h = cx.k.get('hwpts', hwpt);
    cx.emit('iommu', 'iommufd_device_attach', {
      dev: vdevName(cx.k, d.vdev), devid: d.obj_id, pt_id: h.obj_id, ioas_id: cx.k.get('ioas', h.ioas).obj_id,
      entries: h.entries.length,
    });
    copyToUser(cx, 'sys_ioctl', 'arg', 8, encodeStruct(vfio_device_attach_iommufd_pt, { pt_id: h.obj_id }).slice(8, 12), 'pt_id');
    cx.ret(0);
  },
});

/** models vfio_df_ioctl_detach_pt() → iommufd_device_detach(). */
export const vfio_df_ioctl_detach_pt = path<DfLocals>()('vfio_df_ioctl_detach_pt', 'entry', {
  entry: (cx) => {
    const d = idevOfFile(cx.k, cx.l.file);
    if (d === undefined) return cx.ret(-EINVAL);
    if (cx.l.argFault || cx.l.arg.length < VFIO_DEVICE_DETACH_MINSZ) return cx.ret(-EFAULT);
    const de = decodeStruct(vfio_device_detach_iommufd_pt, cx.l.arg, VFIO_DEVICE_DETACH_MINSZ);
    if (u32(de, 'argsz') < VFIO_DEVICE_DETACH_MINSZ) return cx.ret(-EINVAL);
    if (u32(de, 'flags') & ~VFIO_DEVICE_DETACH_PASID) return cx.ret(-EINVAL);
    if (u32(de, 'flags') & VFIO_DEVICE_DETACH_PASID) return cx.ret(-EOPNOTSUPP);
    detachDevice(cx.k, d.id);
    cx.emit('iommu', 'iommufd_device_detach', { dev: vdevName(cx.k, d.vdev), devid: d.obj_id });
    cx.ret(0);
  },
});

type UnbindLocals = { readonly [key: string]: Value; file: number; x: number };

/**
 * models vfio_df_unbind_iommufd() on the release of a bound device file:
 * detach, iommufd_device_unbind(), iommufd_ctx_put() (fput of the iommufd file).
 */
export const vfio_df_unbind_iommufd = path<UnbindLocals>()('vfio_df_unbind_iommufd', 'entry', {
  entry: (cx) => {
    const d = idevOfFile(cx.k, cx.l.file);
    if (d === undefined) return cx.ret(0);
    detachDevice(cx.k, d.id);
    objRemove(cx.k, d.ictx, d.obj_id);
    cx.k.remove('idevs', d.id);
    cx.emit('iommu', 'iommufd_device_unbind', { dev: vdevName(cx.k, d.vdev), devid: d.obj_id });
    cx.call('fput', { file: cx.k.get('iommufds', d.ictx).file }, 'x', 'done');
  },
  done: (cx) => cx.ret(0),
});
