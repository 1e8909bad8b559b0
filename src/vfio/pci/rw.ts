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
 * Not modelled: the shadow ROM (pdev->rom without a ROM BAR), VGA
 * (-EINVAL: no has_vga).
 */
import { path } from '../../kernel/sched/path.js';
import type { Cx } from '../../kernel/sched/path.js';
import { pmRuntimeGet, pmRuntimePutRet } from './runtime-pm.js';
import { hex } from '../../kernel/events.js';
import type { Value } from '../../kernel/sched/types.js';
import { EINVAL, EIO, ENOMEM } from '../../uapi/errno.js';
import { leBytes, leValue } from '../../uapi/codec.js';
import {
  VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_NUM_REGIONS, VFIO_PCI_OFFSET_TO_INDEX,
  VFIO_PCI_ROM_REGION_INDEX, vfioPciOffsetInRegion,
} from '../../uapi/vfio.js';
import { physAccess } from '../../pci/memory.js';
import { ioportAccess } from '../../pci/ioport.js';
import { pciMapRom, pciUnmapRom, romRead } from '../../pci/rom.js';
import { PCI_ROM_RESOURCE, pciResourceIsMem, pciResourceLen, pciResourceStart } from '../../pci/device.js';
import { vdevName, vfioPciMemoryEnabled } from './device.js';
import { vfioPciSetupBarmap } from './mmap.js';
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
      cx.l.args = { vdev, index, pos, count, data, write, done: 0, out: [], r: 0, x: 0, x_start: 0, x_end: 0, max_width: 4 };
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
  /** vfio_pci_core_do_io_rw()'s excluded range [x_start, x_end) (the MSI-X table, or a ROM past its image). */
  x_start: number;
  x_end: number;
  /** Widest access in bytes: 4 (qwords are done as two dwords; the ROM allows no more). */
  max_width: number;
};

/** Bytes of an excluded range one model step fills or drops. */
const EXCLUDED_FILL_STEP = 4096;

/** Width of the next chunk: the largest of 4/2/1 that is aligned and fits. */
export function chunkWidth(pos: number, left: number): number {
  if (left >= 4 && pos % 4 === 0) return 4;
  if (left >= 2 && pos % 2 === 0) return 2;
  return 1;
}

/**
 * models vfio_pci_bar_rw() + vfio_pci_core_do_io_rw(). A memory BAR's
 * chunks test memory (memory_lock read, -EIO when disabled); an I/O BAR's
 * do not (test_mem is res->flags & IORESOURCE_MEM), so they reach the ports
 * whatever PCI_COMMAND_IO says. The ROM is read through pci_map_rom(), which
 * sets the ROM BAR's enable bit until pci_unmap_rom() in `finish`: -ENOMEM
 * when it finds no valid image, reads past the image fill 0xFF, chunks are
 * at most 4 bytes. The MSI-X table of the MSI-X BAR is excluded: reads of
 * it fill 0xFF and writes are dropped, without touching the device.
 */
export const vfio_pci_bar_rw = path<RegionRwLocals>()('vfio_pci_bar_rw', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const dev = cx.k.get('pci', v.pdev);
    const bar = cx.l.index;
    // no shadow ROM (pdev->rom) in the model: an unimplemented BAR or ROM is -EINVAL
    if (bar > PCI_ROM_RESOURCE || !pciResourceStart(dev, bar)) return cx.ret(-EINVAL);
    const end = pciResourceLen(dev, bar);
    if (cx.l.pos >= end) return cx.ret(-EINVAL);
    cx.l.count = Math.min(cx.l.count, end - cx.l.pos);
    if (bar === PCI_ROM_RESOURCE) {
      const image = pciMapRom(cx.k, v.pdev);
      cx.emit('device', 'pci_map_rom', {
        dev: dev.bdf, image: image === null ? 'invalid' : hex(image), size: hex(end), rom_enable: cx.k.get('pci', v.pdev).romEnable,
      });
      if (image === null) return cx.ret(-ENOMEM);
      // the excluded range starts at the end of the image: a large ROM BAR fills fast
      cx.l.x_start = image;
      cx.l.x_end = end;
      cx.l.max_width = 4; // no qword ROM access (Intel X710)
    } else {
      vfioPciSetupBarmap(cx.k, v.id, bar);
    }
    if (bar === v.msix_bar) {
      cx.l.x_start = v.msix_offset;
      cx.l.x_end = v.msix_offset + v.msix_size;
    }
    cx.goto('chunk');
  },
  /** One pass of vfio_pci_core_do_io_rw()'s loop: an excluded stretch, or one vfio_pci_core_ioread/iowrite. */
  chunk: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const dev = cx.k.get('pci', v.pdev);
    const off = cx.l.pos + cx.l.done;
    const left = cx.l.count - cx.l.done;
    const fillable = off < cx.l.x_start ? Math.min(left, cx.l.x_start - off) : off >= cx.l.x_end ? left : 0;
    if (fillable === 0) {
      // at most a page of fill per model step, so a large ROM BAR stays many small steps
      const filled = Math.min(left, cx.l.x_end - off, EXCLUDED_FILL_STEP);
      cx.emit('device', 'vfio_pci_core_do_io_rw', {
        index: cx.l.index, pos: hex(off), len: filled, excluded: cx.l.write ? 'write dropped' : 'read 0xff',
      });
      if (!cx.l.write) cx.l.out = [...cx.l.out, ...new Array<number>(filled).fill(0xff)];
      cx.l.done += filled;
      return cx.goto(cx.l.done < cx.l.count ? 'chunk' : 'finish');
    }
    const testMem = pciResourceIsMem(dev, cx.l.index);
    if (testMem) {
      if (!cx.lock(v.memory_lock, 'read')) return;
      if (!vfioPciMemoryEnabled(cx.k, v.id)) {
        cx.unlock(v.memory_lock);
        cx.emit('device', 'vfio_pci_bar_rw', { index: cx.l.index, pos: hex(off), ret: -EIO, why: 'memory disabled' });
        if (cx.l.index !== PCI_ROM_RESOURCE) return cx.ret(-EIO);
        cx.l.r = -EIO; // the ROM is still unmapped after an error
        return cx.goto('finish');
      }
    }
    const width = Math.min(chunkWidth(off, fillable), cx.l.max_width);
    const start = pciResourceStart(dev, cx.l.index);
    const value = cx.l.write ? leValue(cx.l.data.slice(cx.l.done, cx.l.done + width)) : 0;
    const isIo = !testMem;
    const res = cx.l.index === PCI_ROM_RESOURCE ? romRead(dev, off, width)
      : isIo ? ioportAccess(cx.k, start + off, width, cx.l.write, value)
        : physAccess(cx.k, start + off, width, cx.l.write, value);
    cx.emit('access', cx.l.write ? 'vfio_pci_core_iowrite' : 'vfio_pci_core_ioread', {
      [isIo ? 'port' : 'phys']: hex(start + off), size: width, value: hex(res.value), outcome: res.outcome,
    });
    if (!cx.l.write) cx.l.out = [...cx.l.out, ...leBytes(res.value, width)];
    cx.l.done += width;
    if (testMem) cx.unlock(v.memory_lock);
    cx.goto(cx.l.done < cx.l.count ? 'chunk' : 'finish');
  },
  /** pci_unmap_rom() for the ROM (also after an error), then the bytes to user space. */
  finish: (cx) => {
    if (cx.l.index === PCI_ROM_RESOURCE) {
      const pdev = cx.k.get('vfio', cx.l.vdev).pdev;
      pciUnmapRom(cx.k, pdev);
      cx.emit('device', 'pci_unmap_rom', { dev: vdevName(cx.k, cx.l.vdev), rom_enable: cx.k.get('pci', pdev).romEnable });
    }
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    if (!cx.l.write) copyToUser(cx, 'ksys_pread64', 'buf', 0, cx.l.out, 'bar data');
    cx.ret(cx.l.done);
  },
});
