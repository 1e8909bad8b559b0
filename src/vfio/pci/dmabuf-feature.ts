/**
 * VFIO_DEVICE_FEATURE_DMA_BUF: exporting BAR ranges of a vfio-pci device as
 * a dma-buf (vfio_pci_core_feature_dma_buf; drivers/vfio/pci/vfio_pci_dmabuf.c,
 * v6.19, merged by 5d74781ebc86).
 *
 * The request is checked in the kernel's order, the buffer is made
 * (dmabuf-create.ts), then registered under memory_lock (write) and its
 * resv, revoked iff memory decoding is off; dma_buf_fd() comes last.
 *
 * RFC1 1/7 (request the BAR first) and 6/7 (mmap attribute in `flags`)
 * patch the entry step: src/designs/rfc/.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import type { Cx } from '../../kernel/sched/path.js';
import type { Value } from '../../kernel/sched/types.js';
import { EFAULT, EINVAL, ENODEV, ENOMEM, EOVERFLOW } from '../../uapi/errno.js';
import { decodeStruct, u32 } from '../../uapi/codec.js';
import {
  VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_PROBE, VFIO_DEVICE_FEATURE_SET, VFIO_PCI_ROM_REGION_INDEX,
  vfio_device_feature_dma_buf, vfio_region_dma_range,
} from '../../uapi/vfio.js';
import { dmaBufFd } from '../../dma-buf/export.js';
import { fputDeferred } from '../../dma-buf/task-work.js';
import type { PhysVec } from '../../dma-buf/types.js';
import { vdevName, vfioDevicePutRegistration } from './device.js';
import { createVfioDmaBuf, registerVfioDmaBufLocked } from './dmabuf-create.js';
import { downWriteMemoryLock } from './memory-lock.js';

/** KMALLOC_MAX_SIZE on x86_64/arm64 4K (MAX_PAGE_ORDER 10): memdup_user beyond it fails -ENOMEM. */
export const KMALLOC_MAX_SIZE = 4 * 2 ** 20;

const PAGE_SIZE = 4096n;
const U64 = 2n ** 64n;
/** DMA_IOVA_USE_SWIOTLB: bit 63 of a dma_iova_state size. */
const DMA_IOVA_USE_SWIOTLB = 2n ** 63n;

/** vfio_check_feature(flags, argsz, supported_ops, minsz): 1 proceed, 0 probe done, or -EINVAL. */
export function vfioCheckFeature(flags: number, argsz: number, supported: number, minsz: number): number {
  if ((flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)) & ~supported) return -EINVAL;
  if (flags & VFIO_DEVICE_FEATURE_PROBE) return 0;
  if (!(flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET))) return -EINVAL;
  if (argsz < minsz) return -EINVAL;
  return 1;
}

/** The checked request, or an errno, from the feature's argument bytes (v6.19 order, up to fill_phys_vec). */
export function parseDmaBufRequest(
  k: Kernel, vdev: number, arg: readonly number[], argFault: boolean,
): { region_index: number; open_flags: number; size: number; phys_vec: PhysVec[] } | number {
  const hdr = vfio_device_feature_dma_buf.size;
  if (argFault || arg.length < hdr) return -EFAULT;
  const req = decodeStruct(vfio_device_feature_dma_buf, arg);
  const nr = u32(req, 'nr_ranges');
  if (nr === 0 || u32(req, 'flags') !== 0) return -EINVAL;
  const index = u32(req, 'region_index');
  if (index >= VFIO_PCI_ROM_REGION_INDEX) return -ENODEV;
  // memdup_array_user(): nr × 16 cannot overflow size_t for a u32 count.
  const bytes = nr * vfio_region_dma_range.size;
  if (bytes > KMALLOC_MAX_SIZE) return -ENOMEM;
  if (arg.length < hdr + bytes) return -EFAULT;
  const ranges: { offset: bigint; length: bigint }[] = [];
  for (let i = 0; i < nr; i++) {
    const r = decodeStruct(vfio_region_dma_range, arg.slice(hdr + i * 16, hdr + (i + 1) * 16));
    ranges.push({ offset: r.offset as bigint, length: r.length as bigint });
  }
  // validate_dmabuf_input()
  let length = 0n;
  for (const r of ranges) {
    if (r.length === 0n || r.offset % PAGE_SIZE !== 0n || r.length % PAGE_SIZE !== 0n) return -EINVAL;
    length += r.length;
    if (length >= U64) return -EINVAL;
  }
  if (length & DMA_IOVA_USE_SWIOTLB) return -EINVAL;
  // vfio_pci_core_get_dmabuf_phys(): pcim_p2pdma_provider() is NULL for a BAR that is not memory.
  const dev = k.get('pci', k.get('vfio', vdev).pdev);
  const bar = dev.bars.find((b) => b.index === index);
  if (bar === undefined || bar.size === 0 || bar.io) return -EINVAL;
  // vfio_pci_core_fill_phys_vec()
  const start = BigInt(bar.base);
  const maxAddr = start + BigInt(bar.size);
  const phys_vec: PhysVec[] = [];
  for (const r of ranges) {
    const paddr = start + r.offset;
    if (paddr >= U64) return -EOVERFLOW;
    const end = paddr + r.length;
    if (end >= U64) return -EOVERFLOW;
    if (end > maxAddr) return -EINVAL;
    phys_vec.push({ paddr: Number(paddr), len: Number(r.length) });
  }
  return { region_index: index, open_flags: u32(req, 'open_flags'), size: Number(length), phys_vec };
}

export type FeatureLocals = {
  vdev: number;
  flags: number;
  argsz: number;
  arg: readonly number[];
  argFault: boolean;
  priv: number;
  dmabuf: number;
  open_flags: number;
  r: number;
  x: number;
};

/** models vfio_pci_core_feature_dma_buf(). Returns the new fd or -errno. */
export const vfio_pci_core_feature_dma_buf = path<FeatureLocals>()('vfio_pci_core_feature_dma_buf', 'entry', {
  entry: (cx) => {
    const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf.size);
    if (chk !== 1) return cx.ret(chk);
    const req = parseDmaBufRequest(cx.k, cx.l.vdev, cx.l.arg, cx.l.argFault);
    if (typeof req === 'number') return cx.ret(req);
    exportChecked(cx, req);
  },
  down_write: downWriteMemoryLock('resv_lock'),
  /** Revoked iff memory is disabled now, decided under memory_lock (write) and the resv. */
  resv_lock: (cx) => {
    if (!registerVfioDmaBufLocked(cx)) return;
    cx.goto('fd');
  },
  /** dma_buf_fd(): the fd consumes the export's reference. */
  fd: (cx) => {
    const fd = dmaBufFd(cx.k, cx.pid, cx.l.dmabuf, cx.l.open_flags, cx.tid);
    if (fd >= 0) return cx.ret(fd);
    // err_dma_buf: dma_buf_put (its __fput waits for task_work), then err_dev_put and kfree(priv):
    // v6.19 frees priv and drops the registration here although the release will do both again,
    // and leaves priv on vdev->dmabufs.
    cx.l.r = fd;
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    fputDeferred(cx.k, d.file, cx.tid);
    const v = cx.k.get('vfio', cx.l.vdev);
    vfioDevicePutRegistration(cx.k, v.id);
    cx.k.remove('vfio_dmabufs', cx.l.priv);
    cx.emit('dmabuf', 'vfio_pci_core_feature_dma_buf', { dev: vdevName(cx.k, v.id), dmabuf: d.id, ret: fd, freed_priv: true });
    cx.call('task_work_run', {}, 'x', 'out');
  },
  out: (cx) => cx.ret(cx.l.r),
});

/**
 * The end of the entry step once the request is checked: make the buffer
 * (design fields set as `fields` gives them) and go on to register it.
 */
export function exportChecked(
  cx: Cx<FeatureLocals>, req: { region_index: number; open_flags: number; size: number; phys_vec: PhysVec[] },
  fields?: { readonly [field: string]: Value },
): void {
  const made = createVfioDmaBuf(cx.k, cx.tid, {
    vdev: cx.l.vdev, region_index: req.region_index, phys_vec: req.phys_vec, size: req.size,
    open_flags: req.open_flags, ...(fields ? { fields } : {}),
  }, 'vfio_pci_core_feature_dma_buf');
  if (typeof made === 'number') return cx.ret(made);
  cx.l.priv = made.priv;
  cx.l.dmabuf = made.dmabuf;
  cx.l.open_flags = req.open_flags;
  cx.goto('down_write');
}
