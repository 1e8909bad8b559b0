/**
 * read(2)/write(2) of a vfio-pci device file (vfio_pci_core_read/write →
 * vfio_pci_rw → vfio_pci_config_rw / vfio_pci_bar_rw;
 * vfio_pci_core.c, vfio_pci_rdwr.c, v6.19). The f_op read/write point here
 * directly; the entry step first does what vfio_device_fops_read/write add,
 * -EINVAL on a cdev file without access_granted. vfio_pci_rw() holds a
 * runtime-PM usage reference around the access (resuming a suspended
 * device first, src/vfio/pci/runtime-pm.ts), so a read in low power works.
 *
 * BAR accesses go through vfio_pci_core_do_io_rw(): naturally aligned
 * chunks, each under memory_lock read with its own enabled check (-EIO when
 * memory is disabled). Qword chunks are done as two dwords, so values stay
 * exact as JS numbers.
 *
 * Not modelled: the ROM region (the model has no ROM: -EINVAL), VGA
 * (-EINVAL: no has_vga), MSI-X table exclusion.
 */
import { path } from '../../kernel/sched/path.js';
import type { Cx } from '../../kernel/sched/path.js';
import { pmRuntimeGet, pmRuntimePutRet } from './runtime-pm.js';
import { hex } from '../../kernel/events.js';
import type { Value } from '../../kernel/sched/types.js';
import { EINVAL, EIO } from '../../uapi/errno.js';
import { leBytes, leValue } from '../../uapi/codec.js';
import {
  VFIO_PCI_BAR5_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_NUM_REGIONS, VFIO_PCI_OFFSET_TO_INDEX,
  VFIO_PCI_ROM_REGION_INDEX, vfioPciOffsetInRegion,
} from '../../uapi/vfio.js';
import { physAccess } from '../../pci/memory.js';
import { pciResourceLen, pciResourceStart } from '../../pci/device.js';
import { vfioPciMemoryEnabled } from './device.js';
import { NUM_DEV_REGIONS } from './ioctl.js';
import { copyToUser } from './uaccess.js';

type RwLocals = {
  file: number;
  offset: number;
  count: number;
  data: readonly number[];
  vdev: number;
  args: { readonly [key: string]: Value };
  r: number;
  x: number;
};

/** The region switch of vfio_pci_rw(), the device awake and a usage reference held. */
function rwDispatch(cx: Cx<RwLocals>): void {
  const args = cx.l.args;
  const index = args['index'] as number;
  if (index === VFIO_PCI_CONFIG_REGION_INDEX) return cx.call('vfio_pci_config_rw', args, 'r', 'done');
  if (index === VFIO_PCI_ROM_REGION_INDEX && args['write'] === true) return pmRuntimePutRet(cx, -EINVAL);
  if (index <= VFIO_PCI_ROM_REGION_INDEX) return cx.call('vfio_pci_bar_rw', args, 'r', 'done');
  pmRuntimePutRet(cx, -EINVAL); // VGA without has_vga
}

function rwPath(name: string, write: boolean) {
  return path<RwLocals>()(name, 'entry', {
    /** models vfio_pci_core_read/write() + vfio_pci_rw(): dispatch by region index. */
    entry: (cx) => {
      const data = write ? (cx.l.data ?? []) : [];
      const count = write ? data.length : cx.l.count;
      const f = cx.k.get('files', cx.l.file);
      // vfio_device_fops_read/write(): smp_load_acquire(&df->access_granted)
      if (f.access_granted === false) return cx.ret(-EINVAL);
      if (count === 0) return cx.ret(0);
      const vdev = f.private_data;
      const index = VFIO_PCI_OFFSET_TO_INDEX(cx.l.offset);
      const pos = vfioPciOffsetInRegion(cx.l.offset);
      if (index >= VFIO_PCI_NUM_REGIONS + NUM_DEV_REGIONS) return cx.ret(-EINVAL);
      cx.l.vdev = vdev;
      cx.l.args = { vdev, index, pos, count, data, write, done: 0, out: [], r: 0, x: 0 };
      // pm_runtime_resume_and_get(): resume a runtime-suspended device for the access
      if (pmRuntimeGet(cx.k, vdev)) return cx.call('rpm_resume', { vdev, x: 0 }, 'x', 'dispatch');
      rwDispatch(cx);
    },
    dispatch: rwDispatch,
    done: (cx) => pmRuntimePutRet(cx, cx.l.r),
    pm_put_done: (cx) => cx.ret(cx.l.r),
  });
}

export const vfio_pci_core_read = rwPath('vfio_pci_core_read', false);
export const vfio_pci_core_write = rwPath('vfio_pci_core_write', true);

/** Locals of the region read/write helpers. */
export type RegionRwLocals = {
  vdev: number;
  index: number;
  pos: number;
  count: number;
  data: readonly number[];
  write: boolean;
  /** Bytes done so far. */
  done: number;
  /** Bytes read so far (for the copy to user space). */
  out: readonly number[];
  r: number;
  x: number;
};

/** Width of the next chunk: the largest of 4/2/1 that is aligned and fits. */
export function chunkWidth(pos: number, left: number): number {
  if (left >= 4 && pos % 4 === 0) return 4;
  if (left >= 2 && pos % 2 === 0) return 2;
  return 1;
}

/** models vfio_pci_bar_rw() + vfio_pci_core_do_io_rw() with test_mem. */
export const vfio_pci_bar_rw = path<RegionRwLocals>()('vfio_pci_bar_rw', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const dev = cx.k.get('pci', v.pdev);
    if (cx.l.index > VFIO_PCI_BAR5_REGION_INDEX || !pciResourceStart(dev, cx.l.index)) return cx.ret(-EINVAL);
    const end = pciResourceLen(dev, cx.l.index);
    if (cx.l.pos >= end) return cx.ret(-EINVAL);
    cx.l.count = Math.min(cx.l.count, end - cx.l.pos);
    if (!v.barmap[cx.l.index]) {
      const barmap = [...v.barmap];
      barmap[cx.l.index] = true;
      cx.k.mut('vfio', v.id).barmap = barmap;
    }
    cx.goto('chunk');
  },
  /** One vfio_pci_core_ioread/iowrite: down_read, enabled check, the access, up_read. */
  chunk: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.lock(v.memory_lock, 'read')) return;
    if (!vfioPciMemoryEnabled(cx.k, v.id)) {
      cx.unlock(v.memory_lock);
      cx.emit('device', 'vfio_pci_bar_rw', { index: cx.l.index, pos: hex(cx.l.pos + cx.l.done), ret: -EIO, why: 'memory disabled' });
      return cx.ret(-EIO);
    }
    const off = cx.l.pos + cx.l.done;
    const width = chunkWidth(off, cx.l.count - cx.l.done);
    const phys = pciResourceStart(cx.k.get('pci', v.pdev), cx.l.index) + off;
    const value = cx.l.write ? leValue(cx.l.data.slice(cx.l.done, cx.l.done + width)) : 0;
    const res = physAccess(cx.k, phys, width, cx.l.write, value);
    cx.emit('access', cx.l.write ? 'vfio_pci_core_iowrite' : 'vfio_pci_core_ioread', {
      phys: hex(phys), size: width, value: hex(res.value), outcome: res.outcome,
    });
    if (!cx.l.write) cx.l.out = [...cx.l.out, ...leBytes(res.value, width)];
    cx.l.done += width;
    cx.unlock(v.memory_lock);
    cx.goto(cx.l.done < cx.l.count ? 'chunk' : 'finish');
  },
  finish: (cx) => {
    if (!cx.l.write) copyToUser(cx, 'ksys_pread64', 'buf', 0, cx.l.out, 'bar data');
    cx.ret(cx.l.done);
  },
});
