/**
 * Unbinding vfio-pci from a function while user space may still hold it
 * (echo BDF > /sys/bus/pci/drivers/vfio-pci/unbind → device_release_driver
 * → pci_device_remove → vfio_pci_remove → vfio_pci_core_unregister_device
 * → vfio_unregister_group_dev; drivers/pci/pci-driver.c,
 * drivers/vfio/pci/vfio_pci.c, vfio_pci_core.c, drivers/vfio/vfio_main.c,
 * v6.19).
 *
 * The device disappears for new opens first (vfio_device_group_unregister,
 * vfio_device_del: the cdev goes, so a lookup is -ENOENT), then the
 * driver's own registration reference is put and the remove waits on
 * device->comp until every other reference is gone: one per open device
 * file and one per exported dma-buf not yet cleaned up. Meanwhile it asks
 * user space to let go through the driver's request op
 * (vfio_pci_core_request: the req eventfd, or with none a warning that the
 * task is blocked until the user releases the device) and keeps waiting.
 * Nothing is zapped or revoked by the unbind itself: BAR mappings keep
 * working until munmap (they hold the file) and the dma-bufs are revoked by
 * the last close's vfio_pci_dma_buf_cleanup(), which drops their
 * references. A dma-buf fd may outlive the unbind: it stays revoked.
 *
 * The wait is a completion row (src/kernel/locking/completion.ts), so the
 * checker does not count a remove waiting on a user that never closes as a
 * deadlock. Not modelled: the 10 s timeout loop (one request is made),
 * signals interrupting the wait, SR-IOV and VGA teardown, the PCI core's
 * own device lock.
 */
import { path } from '../../kernel/sched/path.js';
import { ENODEV } from '../../uapi/errno.js';
import { completionDone, initCompletion } from '../../kernel/locking/completion.js';
import { findVfioDevice, vdevName, vfioDevicePutRegistration } from './device.js';

type RemoveLocals = { device: string; vdev: number };

/** models sysfs unbind → pci_device_remove() → vfio_pci_remove(). Returns 0 once unbound. */
export const vfio_pci_remove = path<RemoveLocals>()('vfio_pci_remove', 'entry', {
  /** vfio_device_group_unregister() + vfio_device_del(), then the driver's vfio_device_put_registration(). */
  entry: (cx) => {
    const v = findVfioDevice(cx.k, cx.l.device);
    // unbind_store(): the device is not bound to this driver
    if (v === undefined || !v.registered) return cx.ret(-ENODEV);
    cx.l.vdev = v.id;
    const comp = initCompletion(cx.k, `vfio ${vdevName(cx.k, v.id)} comp`);
    const m = cx.k.mut('vfio', v.id);
    m.registered = false;
    m.comp = comp;
    const left = vfioDevicePutRegistration(cx.k, v.id);
    cx.emit('device', 'vfio_unregister_group_dev', { dev: vdevName(cx.k, v.id), registration: left });
    cx.goto('request');
  },
  /** try_wait_for_completion() failed: the driver's request op asks user space to release the device. */
  request: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (completionDone(cx.k, v.comp)) return cx.goto('remove_group');
    // vfio_pci_core_request(): no req_trigger eventfd in the model, so the count-0 warning
    cx.emit('device', 'vfio_pci_core_request', {
      dev: vdevName(cx.k, v.id), count: 0, report: 'No device request channel registered, blocked until released by user',
    });
    cx.goto('wait');
  },
  /** wait_for_completion_interruptible_timeout(&device->comp): sleeps until the last reference goes. */
  wait: (cx) => {
    const comp = cx.k.get('vfio', cx.l.vdev).comp;
    if (!cx.lock(comp, 'read')) return;
    cx.unlock(comp);
    cx.goto('remove_group');
  },
  /**
   * vfio_device_remove_group(), then the rest of
   * vfio_pci_core_unregister_device() (pm_runtime_get_noresume,
   * pm_runtime_forbid): the function is no longer driven by vfio-pci.
   */
  remove_group: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    cx.k.mut('vfio', v.id).unbound = true;
    cx.k.remove('locks', v.comp);
    cx.k.mut('vfio', v.id).comp = 0;
    cx.emit('device', 'vfio_pci_core_unregister_device', { dev: vdevName(cx.k, v.id), unbound: true });
    cx.ret(0);
  },
});
