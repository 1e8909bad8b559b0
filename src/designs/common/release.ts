/**
 * The last close of a vfio device file with RFC1 2/7 "vfio/pci: Clean up
 * DMABUFs before disabling function" (Fixes 5d74781ebc86; B17b): in
 * vfio_pci_core_close_device() vfio_pci_dma_buf_cleanup() runs before
 * vfio_pci_core_disable(), so no dma-buf is live (importer-mapped or, with
 * mmap of dma-bufs, CPU-mapped) while the function stops decoding.
 * Otherwise as v6.19 (src/vfio/pci/release.ts).
 */
import { path } from '../../kernel/sched/path.js';
import { ModelError } from '../../kernel/kernel.js';
import { vdevName } from '../../vfio/pci/device.js';

type ReleaseLocals = { file: number; vdev: number; r: number };

/** models vfio_device_fops_release() → vfio_pci_core_close_device() with 2/7 applied. */
export const vfioDeviceFopsReleaseCleanupFirst = path<ReleaseLocals>('vfio_device_fops_release', 'entry', {
  entry: (cx) => {
    // vfio_df_unbind_iommufd() first, when the file was bound, as src/vfio/pci/release.ts; it re-enters here.
    if (cx.k.design.paths.has('vfio_df_unbind_iommufd') && Object.values(cx.k.state.idevs).some((d) => d.file === cx.l.file)) {
      return cx.call('vfio_df_unbind_iommufd', { file: cx.l.file }, 'r', 'entry');
    }
    const f = cx.k.get('files', cx.l.file);
    const v = cx.k.get('vfio', f.private_data);
    if (v.open_count <= 0) throw new ModelError(`release of ${f.name} with open_count ${v.open_count}`);
    cx.l.vdev = v.id;
    cx.k.mut('vfio', v.id).open_count = v.open_count - 1;
    cx.emit('device', 'vfio_df_close', { dev: vdevName(cx.k, v.id), open_count: v.open_count - 1 });
    if (v.open_count === 1) cx.call('vfio_pci_dma_buf_cleanup', { vdev: v.id }, 'r', 'disable');
    else cx.goto('done');
  },
  disable: (cx) => cx.call('vfio_pci_core_disable', { vdev: cx.l.vdev, reset: false }, 'r', 'task_work'),
  task_work: (cx) => cx.call('task_work_run', {}, 'r', 'done'),
  done: (cx) => cx.ret(0),
});
