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
import { vdevName } from './device.js';

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
  done: (cx) => cx.ret(0),
});

type DisableLocals = { vdev: number; reset: boolean };

/**
 * models vfio_pci_core_disable(): back to D0, stop DMA, release the BAR
 * regions, then write PCI_COMMAND_INTX_DISABLE (memory decode off), reset
 * the function if reset_works, and restore the state saved at enable (whose
 * command has memory decode on again), then pci_disable_device() (bus
 * mastering off).
 */
export const vfio_pci_core_disable = path<DisableLocals>()('vfio_pci_core_disable', 'entry', {
  entry: (cx) => {
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
  },
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
    cx.emit('device', 'pci_restore_state', {
      dev: vdevName(cx.k, v.id), command: hex(cx.k.get('pci', v.pdev).command),
    });
    cx.ret(0);
  },
});
