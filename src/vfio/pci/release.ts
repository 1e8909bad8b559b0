/**
 * The last close of a vfio device file (vfio_device_fops_release →
 * vfio_df_close → vfio_pci_core_close_device → vfio_pci_core_disable;
 * vfio_main.c, vfio_pci_core.c, v6.19).
 *
 * No BAR mapping can exist here: every VMA holds a reference on the file,
 * so release runs only after the last munmap. vfio_pci_core_disable() does
 * not zap and does not take memory_lock.
 *
 * The last close then runs vfio_pci_dma_buf_cleanup() after the disable,
 * as v6.19 does (RFC1 2/7 swaps them: src/designs/rfc/). Not modelled: irqs,
 * ioeventfds, the dev_set try-reset of other devices, runtime PM usage counts.
 */
import { path } from '../../kernel/sched/path.js';
import type { Cx } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { ModelError } from '../../kernel/kernel.js';
import { PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_MASTER } from '../../uapi/pci_regs.js';
import { pciClearMaster, pciFunctionReset, pciSetPowerState, pciWriteCommand } from '../../pci/device.js';
import { vdevName, vfioDevicePutRegistration } from './device.js';

export type ReleaseLocals = { file: number; vdev: number; r: number };

/**
 * vfio_df_close() of the entry step: unbind from iommufd first when bound
 * (it re-enters here), then drop open_count. Answers true on the last
 * close, whose caller goes on into vfio_pci_core_close_device(); otherwise
 * it has moved the frame on itself.
 */
export function vfioDfClose(cx: Cx<ReleaseLocals>): boolean {
  // vfio_df_unbind_iommufd() first, when the file was bound (src/iommufd/device.ts); it re-enters here.
  if (cx.k.design.paths.has('vfio_df_unbind_iommufd') && Object.values(cx.k.state.idevs).some((d) => d.file === cx.l.file)) {
    cx.call('vfio_df_unbind_iommufd', { file: cx.l.file }, 'r', 'entry');
    return false;
  }
  const f = cx.k.get('files', cx.l.file);
  const v = cx.k.get('vfio', f.private_data);
  cx.l.vdev = v.id;
  // A cdev file never bound (no access_granted) never ran vfio_df_open(): nothing to close.
  if (f.access_granted === false) {
    cx.goto('done');
    return false;
  }
  if (v.open_count <= 0) throw new ModelError(`release of ${f.name} with open_count ${v.open_count}`);
  cx.l.vdev = v.id;
  cx.k.mut('vfio', v.id).open_count = v.open_count - 1;
  cx.emit('device', 'vfio_df_close', { dev: vdevName(cx.k, v.id), open_count: v.open_count - 1 });
  if (v.open_count !== 1) {
    cx.goto('done');
    return false;
  }
  return true;
}

/**
 * models vfio_device_fops_release(): the file's last reference went. On the
 * last close, vfio_pci_core_close_device() disables the function first and
 * only then revokes the dma-bufs; in between importers can still DMA to a
 * function whose decoding is off (B17b, fixed by RFC1 2/7). Each step is
 * labelled after what runs in it.
 */
export const vfio_device_fops_release = path<ReleaseLocals>()('vfio_device_fops_release', 'entry', {
  entry: (cx) => {
    if (!vfioDfClose(cx)) return;
    cx.call('vfio_pci_core_disable', { vdev: cx.l.vdev, reset: false }, 'r', 'cleanup');
  },
  cleanup: (cx) => cx.call('vfio_pci_dma_buf_cleanup', { vdev: cx.l.vdev }, 'r', 'task_work'),
  task_work: (cx) => cx.call('task_work_run', {}, 'r', 'done'),
  /**
   * vfio_device_put_registration(): the file's reference; the last one wakes
   * a waiting unbind. The last close through the group path then drops the
   * group file.
   */
  done: (cx) => {
    const waited = cx.k.get('vfio', cx.l.vdev).comp !== 0;
    const left = vfioDevicePutRegistration(cx.k, cx.l.vdev);
    // Shown only while an unbind waits for it (src/vfio/pci/remove.ts), to keep ordinary traces short.
    if (waited) cx.emit('device', 'vfio_device_put_registration', { dev: vdevName(cx.k, cx.l.vdev), registration: left });
    // vfio_group_unuse_container() on the last close: the group file the open device held
    const group = cx.k.get('files', cx.l.file).df_group ?? 0;
    if (group !== 0 && cx.k.get('vfio', cx.l.vdev).open_count === 0) return cx.call('fput', { file: group }, 'r', 'group_put');
    cx.ret(0);
  },
  group_put: (cx) => cx.ret(0),
});

type DisableLocals = { vdev: number; reset: boolean; x: number };

/** The first step of vfio_pci_core_disable() proper: D0, bus mastering and decoding off. */
function disableFunction(cx: Cx<DisableLocals>): void {
  const v = cx.k.get('vfio', cx.l.vdev);
  pciSetPowerState(cx.k, v.pdev, 'D0');
  pciClearMaster(cx.k, v.pdev);
  const m = cx.k.mut('vfio', v.id);
  m.power_state = 'D0';
  m.barmap = [false, false, false, false, false, false];
  m.vconfig_command = 0; // vfio_config_free()
  pciWriteCommand(cx.k, v.pdev, PCI_COMMAND_INTX_DISABLE);
  cx.emit('device', 'vfio_pci_core_disable', {
    dev: vdevName(cx.k, v.id), command: hex(PCI_COMMAND_INTX_DISABLE), power: 'D0',
  });
  cx.goto('reset');
}

/**
 * models vfio_pci_core_disable(): back to D0, stop DMA, release the BAR
 * regions, then write PCI_COMMAND_INTX_DISABLE (memory decode off), reset
 * the function if reset_works, and restore the state saved at enable (whose
 * command has memory decode on again), then pci_disable_device() (bus
 * mastering off).
 */
export const vfio_pci_core_disable = path<DisableLocals>()('vfio_pci_core_disable', 'entry', {
  /**
   * vfio_pci_runtime_pm_exit() + pm_runtime_resume() first: a device left in
   * low power is disengaged and woken. Called only when engaged: otherwise
   * the exit changes nothing (the dma-bufs of a decoding device are not
   * revoked), so the model spares the memory_lock round trip and the step.
   */
  entry: (cx) => {
    if (!cx.k.get('vfio', cx.l.vdev).pm_runtime_engaged) return disableFunction(cx);
    cx.call('vfio_pci_runtime_pm_exit', { vdev: cx.l.vdev, r: 0, x: 0 }, 'x', 'pm_resume');
  },
  pm_resume: (cx) => cx.call('rpm_resume', { vdev: cx.l.vdev, x: 0 }, 'x', 'disable'),
  disable: disableFunction,
  reset: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (v.reset_works) {
      pciFunctionReset(cx.k, v.pdev);
      cx.emit('device', '__pci_reset_function_locked', {
        dev: vdevName(cx.k, v.id), resets: cx.k.get('pci', v.pdev).resets,
      });
    }
    cx.goto('restore');
  },
  restore: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const saved = v.pci_saved_command ?? 0;
    // pci_restore_state() then pci_disable_device() (clears bus mastering only)
    pciWriteCommand(cx.k, v.pdev, saved & ~PCI_COMMAND_MASTER);
    cx.k.mut('vfio', v.id).pci_saved_command = null;
    // pm_runtime_put() of the enable's reference (the idle D3 of a closed device is not modelled)
    cx.k.mut('vfio', v.id).pm_usage = v.pm_usage - 1;
    cx.emit('device', 'pci_restore_state', {
      dev: vdevName(cx.k, v.id), command: hex(cx.k.get('pci', v.pdev).command),
    });
    cx.ret(0);
  },
});
