/**
 * The syscall table: what a user thread can do, and the kernel path each
 * action enters with which locals.
 *
 * A scenario step becomes a {@link UserAction}; {@link actionEntry} names the
 * path and the frame's initial locals. Every path returns a number: the
 * syscall's return value or a negative errno (user accesses return the value
 * loaded, or 0 for a store; a signal is recorded on the task, not returned).
 * Addresses, lengths and offsets are plain numbers (all below 2^53; the uapi
 * layer refuses larger values with the kernel's errno before they get here).
 */
import type { PathName } from './sched/registry.js';
import type { Locals } from './sched/types.js';

export type UserAction =
  /**
   * openat() of a vfio device cdev (/dev/vfio/devices/vfioN), bound to
   * iommufd in the same step unless `bind` is false (then only
   * vfio_device_fops_cdev_open: no access until VFIO_DEVICE_BIND_IOMMUFD).
   */
  | { readonly op: 'open'; readonly device: string; readonly flags: number; readonly bind?: boolean }
  /** echo BDF > /sys/bus/pci/drivers/vfio-pci/unbind: the driver's remove, waiting for the users. */
  | { readonly op: 'unbind'; readonly device: string }
  | { readonly op: 'close'; readonly fd: number }
  | { readonly op: 'dup'; readonly fd: number }
  /**
   * ioctl(fd, cmd, arg): `arg` is the user buffer's bytes; `argFault` makes copy_from_user fail.
   * `out` names fields of the buffer that user space reads back into its variables when the
   * call returns (what copy_to_user left there, else what it passed): `{name, offset, size}`.
   */
  | {
      readonly op: 'ioctl';
      readonly fd: number;
      readonly cmd: number;
      readonly arg: readonly number[];
      readonly argFault: boolean;
      readonly out?: readonly IoctlOut[];
    }
  /** pread(fd, buf, count, offset); `out` names a variable that gets the bytes read (1, 2 or 4, little endian). */
  | { readonly op: 'pread'; readonly fd: number; readonly offset: number; readonly count: number; readonly out?: string }
  | { readonly op: 'pwrite'; readonly fd: number; readonly offset: number; readonly data: readonly number[] }
  | {
      readonly op: 'mmap';
      readonly addr: number;
      readonly length: number;
      readonly prot: number;
      readonly flags: number;
      readonly fd: number;
      readonly offset: number;
    }
  | { readonly op: 'munmap'; readonly addr: number; readonly length: number }
  /** fork(): the child's single thread gets the scenario name `child`. */
  | { readonly op: 'fork'; readonly child: string }
  | { readonly op: 'exit' }
  /** A CPU load or store of `size` bytes (1, 2, 4 or 8) at a user address. */
  | { readonly op: 'load'; readonly addr: number; readonly size: number }
  | { readonly op: 'store'; readonly addr: number; readonly size: number; readonly value: number }
  /**
   * In-kernel GUP on the calling task's mm, as a driver would call it:
   * `fast` picks get_user_pages_fast() (lockless walk, slow-path fallback)
   * over get_user_pages(); pages are released again at the end.
   */
  | { readonly op: 'gup'; readonly addr: number; readonly nrPages: number; readonly write: boolean; readonly fast: boolean }
  /**
   * read(2)/write(2) of an O_DIRECT file with the user buffer at `addr`: the
   * block layer pins the buffer with pin_user_pages_fast() (iov_iter_extract_pages).
   */
  | { readonly op: 'o_direct'; readonly rw: 'read' | 'write'; readonly addr: number; readonly length: number }
  /** lseek(fd, offset, whence). */
  | { readonly op: 'lseek'; readonly fd: number; readonly offset: number; readonly whence: number }
  /** mremap(addr, old_len, new_len, flags, new_addr). */
  | {
      readonly op: 'mremap';
      readonly addr: number;
      readonly old_len: number;
      readonly new_len: number;
      readonly flags: number;
      readonly new_addr: number;
    }
  /** madvise(addr, length, advice). */
  | { readonly op: 'madvise'; readonly addr: number; readonly length: number; readonly advice: number }
  /**
   * The kernel reading or writing a process's memory for the caller:
   * ptrace PEEKDATA/POKEDATA, /proc/PID/mem, process_vm_readv/writev (src/mm/remote.ts);
   * `pid` 0 is the caller's own process.
   */
  | {
      readonly op: 'remote_access';
      readonly via: string;
      readonly pid: number;
      readonly addr: number;
      readonly len: number;
      readonly value: number;
    }
  /**
   * Importer driver actions (src/dma-buf/importer.ts), run by a task that
   * stands for the importer's ioctl: `importer` is an importers table id,
   * `attachment` an attachments table id (the value dmabuf_attach returned).
   */
  | { readonly op: 'dmabuf_attach'; readonly importer: number; readonly fd: number }
  | { readonly op: 'dmabuf_map'; readonly attachment: number }
  | { readonly op: 'dmabuf_unmap'; readonly attachment: number }
  | { readonly op: 'dmabuf_detach'; readonly attachment: number }
  /** One DMA of `size` bytes by the importer's device at `offset` of the buffer. */
  /**
   * openat() of a misc device node: '/dev/iommu' (an iommufd) or
   * '/dev/vfio/vfio' (a VFIO container with the real type1 backend).
   */
  | { readonly op: 'open_dev'; readonly node: string; readonly flags: number }
  /**
   * One DMA of `size` bytes (1, 2, 4 or 8) by the PCI function behind vfio
   * device `device` (its bdf) at an IOVA, translated by the IOMMU domain
   * the device is attached to (iommufd) or its type1 container.
   */
  | {
      readonly op: 'iommu_dma';
      readonly device: string;
      readonly iova: number;
      readonly size: number;
      readonly write: boolean;
      readonly value: number;
    }
  | {
      readonly op: 'dma_access';
      readonly attachment: number;
      readonly offset: number;
      readonly size: number;
      readonly write: boolean;
      readonly value: number;
    };

/** A field of an ioctl's user buffer that user space reads into variable `name` after the call. */
export interface IoctlOut {
  readonly [key: string]: string | number;
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export type ActionName = UserAction['op'];

/** Kernel path each action enters. */
export const ACTION_PATHS: { readonly [A in ActionName]: PathName } = {
  open: 'do_sys_openat2',
  close: 'close_fd',
  dup: 'sys_dup',
  ioctl: 'sys_ioctl',
  pread: 'ksys_pread64',
  pwrite: 'ksys_pwrite64',
  mmap: 'ksys_mmap_pgoff',
  munmap: '__vm_munmap',
  fork: 'kernel_clone',
  exit: 'do_exit',
  load: 'user_access',
  store: 'user_access',
  gup: 'gup_action',
  o_direct: 'o_direct_rw',
  lseek: 'ksys_lseek',
  mremap: 'do_mremap',
  madvise: 'do_madvise',
  remote_access: 'remote_access',
  dmabuf_attach: 'dmabuf_importer_attach',
  dmabuf_map: 'dmabuf_importer_map',
  dmabuf_unmap: 'dmabuf_importer_unmap',
  dmabuf_detach: 'dmabuf_importer_detach',
  dma_access: 'importer_dma',
  open_dev: 'misc_open',
  iommu_dma: 'iommu_dma',
  unbind: 'vfio_pci_remove',
};

/** The path an action enters and its initial locals (the action's fields). */
export function actionEntry(action: UserAction): { readonly fn: PathName; readonly locals: Locals } {
  const { op, ...rest } = action;
  const locals: Record<string, Locals[string]> = { ...(rest as Locals) };
  if (op === 'load' || op === 'store') locals['write'] = op === 'store';
  return { fn: ACTION_PATHS[op], locals };
}
