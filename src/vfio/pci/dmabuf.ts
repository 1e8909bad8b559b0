/**
 * VFIO_DEVICE_FEATURE_DMA_BUF: exporting BAR ranges of a vfio-pci device as
 * a dma-buf, and vfio-pci's dma_buf_ops (drivers/vfio/pci/vfio_pci_dmabuf.c,
 * v6.19; KERNEL.md §2.2, §3.3).
 *
 * The exported buffer is a list of physical ranges (phys_vec) inside one
 * BAR. It starts revoked when memory decoding is off, decided under
 * memory_lock (write) and the buffer's resv; every path that disables
 * decoding revokes it (vfio_pci_dma_buf_move, dmabuf-move.ts) and the last
 * close of the device revokes it for good (vfio_pci_dma_buf_cleanup). The
 * buffer holds a registration reference on the vfio device.
 *
 * v6.19 has no ops->mmap: mmap of the fd fails -EINVAL in the dma-buf core.
 * Not modelled: variant drivers (every device has get_dmabuf_phys, the
 * vfio-pci core one), the P2P provider's bus offset (bus address = physical
 * address) and the sg_table/IOVA allocation of dma_buf_phys_vec_to_sgt.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import { EFAULT, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP, EOVERFLOW } from '../../uapi/errno.js';
import { decodeStruct, u32 } from '../../uapi/codec.js';
import {
  VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_PROBE, VFIO_DEVICE_FEATURE_SET, VFIO_PCI_ROM_REGION_INDEX,
  vfio_device_feature_dma_buf, vfio_region_dma_range,
} from '../../uapi/vfio.js';
import type { DmaBufOps } from '../../designs/types.js';
import { dmaBufExport, dmaBufFd } from '../../dma-buf/export.js';
import { fputDeferred } from '../../dma-buf/task-work.js';
import type { PhysVec } from '../../dma-buf/types.js';
import { vdevName, vfioPciMemoryEnabled } from './device.js';
import type { VfioPciDmaBuf } from './dmabuf-types.js';

/** The name of vfio-pci's dma_buf_ops table (vfio_pci_dmabuf_ops). */
export const VFIO_PCI_DMABUF_OPS = 'vfio_pci_dmabuf_ops';

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
  if (bar === undefined || bar.size === 0) return -EINVAL;
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

type FeatureLocals = {
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
export const vfio_pci_core_feature_dma_buf = path<FeatureLocals>('vfio_pci_core_feature_dma_buf', 'entry', {
  entry: (cx) => {
    const chk = vfioCheckFeature(cx.l.flags, cx.l.argsz, VFIO_DEVICE_FEATURE_GET, vfio_device_feature_dma_buf.size);
    if (chk !== 1) return cx.ret(chk);
    const req = parseDmaBufRequest(cx.k, cx.l.vdev, cx.l.arg, cx.l.argFault);
    if (typeof req === 'number') return cx.ret(req);
    const v = cx.k.get('vfio', cx.l.vdev);
    // vfio_device_try_get_registration()
    if (v.registration <= 0) return cx.ret(-ENODEV);
    cx.k.mut('vfio', v.id).registration = v.registration + 1;
    const priv = cx.k.add('vfio_dmabufs', (id): VfioPciDmaBuf => ({
      id, dmabuf: 0, vdev: v.id, listed: false, size: req.size, region_index: req.region_index,
      phys_vec: req.phys_vec, nr_ranges: req.phys_vec.length, revoked: false,
    }));
    const dmabuf = dmaBufExport(cx.k, {
      ops: VFIO_PCI_DMABUF_OPS, size: req.size, flags: req.open_flags, priv, exp_name: 'vfio_pci',
    }, cx.tid);
    if (dmabuf < 0) {
      cx.k.mut('vfio', v.id).registration = cx.k.get('vfio', v.id).registration - 1;
      cx.k.remove('vfio_dmabufs', priv);
      return cx.ret(dmabuf);
    }
    cx.k.mut('vfio_dmabufs', priv).dmabuf = dmabuf;
    cx.l.priv = priv;
    cx.l.dmabuf = dmabuf;
    cx.l.open_flags = req.open_flags;
    cx.emit('dmabuf', 'vfio_pci_core_feature_dma_buf', {
      dev: vdevName(cx.k, v.id), dmabuf, bar: req.region_index, size: hex(req.size),
      ranges: req.phys_vec.map((p) => `${hex(p.paddr)}+${hex(p.len)}`).join(','),
    });
    cx.goto('down_write');
  },
  down_write: (cx) => {
    if (!cx.lock(cx.k.get('vfio', cx.l.vdev).memory_lock, 'write')) return;
    cx.goto('resv_lock');
  },
  /** Revoked iff memory is disabled now, decided under memory_lock (write) and the resv. */
  resv_lock: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    const v = cx.k.get('vfio', cx.l.vdev);
    const revoked = !vfioPciMemoryEnabled(cx.k, v.id);
    const p = cx.k.mut('vfio_dmabufs', cx.l.priv);
    p.revoked = revoked;
    p.listed = true;
    cx.k.mut('vfio', v.id).dmabufs = [...v.dmabufs, cx.l.priv];
    cx.emit('dmabuf', 'vfio_pci_dma_buf_register', { dev: vdevName(cx.k, v.id), dmabuf: d.id, revoked });
    cx.unlock(d.resv);
    cx.unlock(v.memory_lock);
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
    cx.k.mut('vfio', v.id).registration = v.registration - 1;
    cx.k.remove('vfio_dmabufs', cx.l.priv);
    cx.emit('dmabuf', 'vfio_pci_core_feature_dma_buf', { dev: vdevName(cx.k, v.id), dmabuf: d.id, ret: fd, freed_priv: true });
    cx.call('task_work_run', {}, 'x', 'out');
  },
  out: (cx) => cx.ret(cx.l.r),
});

/** The private object of a dma-buf, if it is still allocated. */
function privOf(k: Kernel, dmabuf: number): VfioPciDmaBuf | undefined {
  const d = k.find('dmabufs', dmabuf);
  return d === undefined ? undefined : k.find('vfio_dmabufs', d.priv);
}

type OpLocals = { dmabuf: number; attach: number; r: number };

/** models vfio_pci_dma_buf_attach(): peer2peer required (-EOPNOTSUPP), not revoked (-ENODEV). */
export const vfio_pci_dma_buf_attach = path<OpLocals>('vfio_pci_dma_buf_attach', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const p = privOf(cx.k, cx.l.dmabuf);
    let r = 0;
    if (!a.peer2peer) r = -EOPNOTSUPP;
    else if (p === undefined || p.revoked) r = -ENODEV;
    cx.emit('dmabuf', 'vfio_pci_dma_buf_attach', { dmabuf: cx.l.dmabuf, attach: a.id, peer2peer: a.peer2peer, ret: r });
    cx.ret(r);
  },
});

/** models vfio_pci_dma_buf_map(): resv held; -ENODEV if revoked; else the phys_vec ranges. */
export const vfio_pci_dma_buf_map = path<OpLocals>('vfio_pci_dma_buf_map', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const d = cx.k.get('dmabufs', a.dmabuf);
    if (!cx.holds(d.resv)) cx.emit('warn', 'vfio_pci_dma_buf_map', { report: 'dma_resv_assert_held: resv not held', dmabuf: d.id });
    const p = privOf(cx.k, d.id);
    if (p === undefined || p.revoked) return cx.ret(-ENODEV);
    cx.k.mut('attachments', a.id).mapped = p.phys_vec;
    cx.ret(0);
  },
});

/** models vfio_pci_dma_buf_unmap(): dma_buf_free_sgt. */
export const vfio_pci_dma_buf_unmap = path<OpLocals>('vfio_pci_dma_buf_unmap', 'entry', {
  entry: (cx) => {
    cx.k.mut('attachments', cx.l.attach).mapped = null;
    cx.ret(0);
  },
});

/**
 * models vfio_pci_dma_buf_pin(): always -EOPNOTSUPP (61ceaf236115, B16).
 * Defect B16-pinned-importer: the pin succeeds, as before that fix.
 */
export const vfio_pci_dma_buf_pin = path<OpLocals>('vfio_pci_dma_buf_pin', 'entry', {
  entry: (cx) => cx.ret(cx.k.defect('B16-pinned-importer') ? 0 : -EOPNOTSUPP),
});

/** models vfio_pci_dma_buf_unpin(): nothing to do. */
export const vfio_pci_dma_buf_unpin = path<OpLocals>('vfio_pci_dma_buf_unpin', 'entry', {
  entry: (cx) => cx.ret(0),
});

type ReleaseLocals = { dmabuf: number; priv: number; vdev: number; r: number };

/**
 * models vfio_pci_dma_buf_release(): if priv->vdev is still set, unlink
 * from vdev->dmabufs under memory_lock (write) and drop the registration;
 * then free priv. A priv already freed (the feature ioctl's dma_buf_fd
 * error path) is reported as KASAN would and left alone.
 */
export const vfio_pci_dma_buf_release = path<ReleaseLocals>('vfio_pci_dma_buf_release', 'entry', {
  entry: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    const p = cx.k.find('vfio_dmabufs', d.priv);
    if (p === undefined) {
      cx.emit('warn', 'vfio_pci_dma_buf_release', { report: 'KASAN: use-after-free of struct vfio_pci_dma_buf', dmabuf: d.id });
      return cx.ret(0);
    }
    cx.l.priv = p.id;
    cx.l.vdev = p.vdev;
    if (p.vdev === 0) return cx.goto('free');
    cx.goto('down_write');
  },
  down_write: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    if (!cx.lock(v.memory_lock, 'write')) return;
    cx.k.mut('vfio', v.id).dmabufs = v.dmabufs.filter((x) => x !== cx.l.priv);
    cx.k.mut('vfio_dmabufs', cx.l.priv).listed = false;
    cx.unlock(v.memory_lock);
    cx.k.mut('vfio', v.id).registration = cx.k.get('vfio', v.id).registration - 1;
    cx.emit('device', 'vfio_device_put_registration', { dev: vdevName(cx.k, v.id), registration: cx.k.get('vfio', v.id).registration });
    cx.goto('free');
  },
  free: (cx) => {
    cx.emit('dmabuf', 'vfio_pci_dma_buf_release', { dmabuf: cx.l.dmabuf, vdev: cx.l.vdev === 0 ? 'NULL' : vdevName(cx.k, cx.l.vdev) });
    cx.k.remove('vfio_dmabufs', cx.l.priv);
    cx.ret(0);
  },
});

/**
 * models vfio_pci_dma_buf_iommufd_map(): iommufd's private interconnect,
 * resv held; not a vfio dma-buf → -EOPNOTSUPP, revoked → -ENODEV, more than
 * one range → -EOPNOTSUPP; else the one physical range becomes the
 * importer's mapping.
 */
export const vfio_pci_dma_buf_iommufd_map = path<OpLocals>('vfio_pci_dma_buf_iommufd_map', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const d = cx.k.get('dmabufs', a.dmabuf);
    if (!cx.holds(d.resv)) cx.emit('warn', 'vfio_pci_dma_buf_iommufd_map', { report: 'dma_resv_assert_held: resv not held', dmabuf: d.id });
    let r = 0;
    const p = privOf(cx.k, d.id);
    if (d.ops !== VFIO_PCI_DMABUF_OPS || p === undefined) r = -EOPNOTSUPP;
    else if (p.revoked) r = -ENODEV;
    else if (p.nr_ranges !== 1) r = -EOPNOTSUPP;
    if (r === 0 && p !== undefined) cx.k.mut('attachments', a.id).mapped = [p.phys_vec[0]!];
    cx.emit('dmabuf', 'vfio_pci_dma_buf_iommufd_map', { dmabuf: d.id, attach: a.id, ret: r });
    cx.ret(r);
  },
});

/** static const struct dma_buf_ops vfio_pci_dmabuf_ops (no mmap in v6.19). */
export const vfioPciDmabufOps: DmaBufOps = {
  name: VFIO_PCI_DMABUF_OPS,
  pin: 'vfio_pci_dma_buf_pin',
  unpin: 'vfio_pci_dma_buf_unpin',
  attach: 'vfio_pci_dma_buf_attach',
  map_dma_buf: 'vfio_pci_dma_buf_map',
  unmap_dma_buf: 'vfio_pci_dma_buf_unmap',
  release: 'vfio_pci_dma_buf_release',
  isRevoked: (k, dmabuf) => privOf(k, dmabuf)?.revoked ?? true,
};

/** The revoked flag of a vfio dma-buf, for tests and invariants (true once freed). */
export function vfioDmaBufRevoked(k: Kernel, dmabuf: number): boolean {
  return privOf(k, dmabuf)?.revoked ?? true;
}

