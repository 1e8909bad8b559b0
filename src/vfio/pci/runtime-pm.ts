/**
 * Runtime power management of a vfio-pci device and the LOW_POWER device
 * features (drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_pm_entry,
 * vfio_pci_core_pm_entry_with_wakeup, vfio_pci_core_pm_exit,
 * vfio_pci_runtime_pm_entry/_exit, vfio_pci_core_runtime_suspend/_resume;
 * drivers/vfio/vfio_main.c vfio_device_pm_runtime_get/put;
 * drivers/pci/pci-driver.c pci_pm_runtime_suspend/_resume; v6.19).
 *
 * `pm_usage` is the device's runtime-PM usage count while it is open: the
 * first open takes one (vfio_pci_core_enable's pm_runtime_resume_and_get),
 * every ioctl and read/write takes one for its duration, LOW_POWER_ENTRY
 * gives the open's back (pm_runtime_put_noidle) and the exit takes it again
 * (pm_runtime_get_noresume). When a put drops it to 0 the device suspends:
 * vfio_pci_core_runtime_suspend() (memory_lock write, vfio's D0), then the
 * PCI core saves state and puts the function in D3hot, where it decodes
 * nothing; the next get resumes it (D0, state restored), and
 * vfio_pci_core_runtime_resume() takes memory_lock. So a read, write or
 * ioctl in low power works (on a resumed device) while a fault on a BAR
 * mapping gets SIGBUS (pm_runtime_engaged), and the entry revokes the
 * dma-bufs, which only the exit un-revokes.
 *
 * The suspend runs in the task whose put dropped the count (the kernel
 * queues it, pm_runtime_put is asynchronous), and a device nobody has open
 * does not idle in D3hot (as with vfio-pci's disable_idle_d3=Y). There are
 * no eventfds in the model, so ENTRY_WITH_WAKEUP gets no further than the
 * eventfd look-up (-EBADF, or -EINVAL for a file that is not an eventfd).
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Cx } from '../../kernel/sched/path.js';
import { path } from '../../kernel/sched/path.js';
import type { Value } from '../../kernel/sched/types.js';
import { hex } from '../../kernel/events.js';
import { EBADF, EFAULT, EINVAL } from '../../uapi/errno.js';
import { leValue } from '../../uapi/codec.js';
import { VFIO_DEVICE_FEATURE_SET } from '../../uapi/vfio.js';
import { fdLookup } from '../../fs/fd.js';
import { pciSetPowerState } from '../../pci/device.js';
import { vdevName, vfioPciMemoryEnabled } from './device.js';
import { vfioCheckFeature } from './dmabuf-feature.js';
import { downWriteMemoryLock, revokeDmaBufs, unrevokeDmaBufsIfEnabled, upWriteMemoryLock } from './memory-lock.js';

/** sizeof(struct vfio_device_low_power_entry_with_wakeup): one __s32 wakeup_eventfd and its pad. */
export const LOW_POWER_ENTRY_WITH_WAKEUP_SIZE = 8;

/** Whether the device is runtime-suspended (the PCI core put it in D3hot). */
export function rpmSuspended(k: Kernel, vdev: number): boolean {
  return k.get('vfio', vdev).rpm_suspended;
}

/**
 * pm_runtime_resume_and_get() of vfio_device_pm_runtime_get() / vfio_pci_rw():
 * take a usage reference; answers whether the device must be resumed first
 * (the caller then calls `rpm_resume`).
 */
export function pmRuntimeGet(k: Kernel, vdev: number): boolean {
  const v = k.get('vfio', vdev);
  k.mut('vfio', vdev).pm_usage = v.pm_usage + 1;
  return v.rpm_suspended;
}

type RetLocals = { readonly [key: string]: Value; vdev: number; r: number; x: number };

/**
 * pm_runtime_put() at the end of an ioctl or read/write, then return `r`:
 * the put that drops the count to 0 suspends the device first (rpm_suspend
 * → vfio_pci_core_runtime_suspend). A step's last act.
 */
export function pmRuntimePutRet(cx: Cx<RetLocals>, r: number): void {
  cx.l.r = r;
  const v = cx.k.get('vfio', cx.l.vdev);
  cx.k.mut('vfio', v.id).pm_usage = v.pm_usage - 1;
  if (v.pm_usage === 1 && v.pm_runtime_engaged) return cx.call('rpm_suspend', { vdev: v.id, x: 0 }, 'x', 'pm_put_done');
  cx.ret(r);
}

type PmLocals = { vdev: number; x: number };

/**
 * models rpm_suspend() → pci_pm_runtime_suspend(): the driver's
 * vfio_pci_core_runtime_suspend() moves vfio's view to D0 under memory_lock,
 * then pci_save_state() and pci_finish_runtime_suspend() put the function in
 * D3hot. Nothing happens if the count went up again in between.
 */
export const rpm_suspend = path<PmLocals>()('rpm_suspend', 'down_write', {
  down_write: downWriteMemoryLock('runtime_suspend'),
  runtime_suspend: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    pciSetPowerState(cx.k, v.pdev, 'D0');
    cx.k.mut('vfio', v.id).power_state = 'D0';
    cx.unlock(v.memory_lock);
    cx.goto('finish');
  },
  finish: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (v.pm_usage !== 0 || v.rpm_suspended) return cx.ret(0);
    pciSetPowerState(cx.k, v.pdev, 'D3hot');
    cx.k.mut('vfio', v.id).rpm_suspended = true;
    cx.emit('device', 'pci_pm_runtime_suspend', {
      dev: vdevName(cx.k, v.id), power: 'D3hot', command: hex(cx.k.get('pci', v.pdev).command),
    });
    cx.ret(0);
  },
});

/**
 * models rpm_resume() → pci_pm_runtime_resume(): the function back to D0
 * with its saved state (the command register is unchanged by the round
 * trip), then vfio_pci_core_runtime_resume() under memory_lock, which exits
 * low power only for a wakeup eventfd (none in the model).
 */
export const rpm_resume = path<PmLocals>()('rpm_resume', 'resume', {
  resume: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!v.rpm_suspended) return cx.ret(0);
    pciSetPowerState(cx.k, v.pdev, 'D0');
    cx.k.mut('vfio', v.id).rpm_suspended = false;
    cx.emit('device', 'pci_pm_runtime_resume', { dev: vdevName(cx.k, v.id), power: 'D0' });
    cx.goto('runtime_resume');
  },
  runtime_resume: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.lock(v.memory_lock, 'write')) return;
    cx.unlock(v.memory_lock);
    cx.ret(0);
  },
});

type EntryLocals = { vdev: number; r: number; x: number };

/**
 * models vfio_pci_runtime_pm_entry(): zap every BAR mapping and take
 * memory_lock for write, revoke the dma-bufs (even when already engaged),
 * then -EINVAL if low power is already engaged, else engage it and give the
 * open's usage reference back (pm_runtime_put_noidle). The device suspends
 * at the ioctl's own put.
 */
export const vfio_pci_runtime_pm_entry = path<EntryLocals>()('vfio_pci_runtime_pm_entry', 'entry', {
  entry: (cx) => cx.call('vfio_pci_zap_and_down_write_memory_lock', { vdev: cx.l.vdev, r: 0 }, 'x', 'revoke'),
  revoke: revokeDmaBufs('engage'),
  engage: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (v.pm_runtime_engaged) {
      cx.l.r = -EINVAL;
    } else {
      const m = cx.k.mut('vfio', v.id);
      m.pm_runtime_engaged = true;
      m.pm_usage = v.pm_usage - 1;
      cx.l.r = 0;
    }
    cx.emit('device', 'vfio_pci_runtime_pm_entry', { dev: vdevName(cx.k, v.id), ret: cx.l.r });
    cx.goto('up_write');
  },
  up_write: upWriteMemoryLock('done'),
  done: (cx) => cx.ret(cx.l.r),
});

/**
 * models vfio_pci_runtime_pm_exit(): under memory_lock (write),
 * __vfio_pci_runtime_pm_exit() disengages and takes the usage reference
 * back (pm_runtime_get_noresume), and the dma-bufs are un-revoked when the
 * device decodes memory. The device is awake already: the ioctl (or the
 * close) resumed it.
 */
export const vfio_pci_runtime_pm_exit = path<EntryLocals>()('vfio_pci_runtime_pm_exit', 'down_write', {
  down_write: downWriteMemoryLock('exit'),
  exit: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (v.pm_runtime_engaged) {
      const m = cx.k.mut('vfio', v.id);
      m.pm_runtime_engaged = false;
      m.pm_usage = v.pm_usage + 1;
    }
    cx.emit('device', 'vfio_pci_runtime_pm_exit', {
      dev: vdevName(cx.k, v.id), was_engaged: v.pm_runtime_engaged, memory_enabled: vfioPciMemoryEnabled(cx.k, v.id),
    });
    unrevokeDmaBufsIfEnabled(cx, 'up_write');
  },
  up_write: upWriteMemoryLock('done'),
  done: (cx) => cx.ret(0),
});

type FeatureLocals = {
  vdev: number;
  which: number;
  flags: number;
  argsz: number;
  arg: readonly number[];
  argFault: boolean;
  r: number;
};

/**
 * models vfio_pci_core_pm_entry(), vfio_pci_core_pm_entry_with_wakeup() and
 * vfio_pci_core_pm_exit() (feature `which`: 3, 4, 5): SET only
 * (vfio_check_feature), then the entry or the exit.
 */
export const vfio_pci_core_pm_feature = path<FeatureLocals>()('vfio_pci_core_pm_feature', 'entry', {
  entry: (cx) => {
    const wakeup = cx.l.which === 4;
    const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_SET, wakeup ? LOW_POWER_ENTRY_WITH_WAKEUP_SIZE : 0);
    if (chk !== 1) return cx.ret(chk);
    if (cx.l.which === 5) return cx.call('vfio_pci_runtime_pm_exit', { vdev: cx.l.vdev, r: 0, x: 0 }, 'r', 'done');
    if (!wakeup) return cx.call('vfio_pci_runtime_pm_entry', { vdev: cx.l.vdev, r: 0, x: 0 }, 'r', 'done');
    // vfio_pci_core_pm_entry_with_wakeup(): copy the struct, then eventfd_ctx_fdget().
    if (cx.l.argFault || cx.l.arg.length < LOW_POWER_ENTRY_WITH_WAKEUP_SIZE) return cx.ret(-EFAULT);
    const efd = leValue(cx.l.arg.slice(0, 4)) | 0;
    if (efd < 0) return cx.ret(-EINVAL);
    // No eventfd exists in the model: an fd that is not open is -EBADF, any other file -EINVAL.
    cx.ret(fdLookup(cx.k, cx.pid, efd) === 0 ? -EBADF : -EINVAL);
  },
  done: (cx) => cx.ret(cx.l.r),
});
