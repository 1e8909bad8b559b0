/**
 * VFIO_IOMMU_MAP_DMA / UNMAP_DMA of the real type1 backend
 * (drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_map_dma,
 * vfio_dma_do_map, vfio_pin_map_dma, vaddr_get_pfns, follow_fault_pfn,
 * vfio_iommu_type1_unmap_dma, vfio_dma_do_unmap; v6.19).
 *
 * A VFIO BAR mmap is VM_IO|VM_PFNMAP: pin_user_pages_remote() refuses it,
 * so vaddr_get_pfns() falls back to follow_pfnmap_start() on the VMA and,
 * when nothing is mapped yet, fixup_user_fault() (handle_mm_fault, i.e. the
 * vfio-pci fault handler) and a second look. The PFN has no struct page
 * (is_invalid_reserved_pfn), so nothing is pinned or counted, and nothing
 * ties the IOMMU entry to the BAR's lifetime: zapping the VMA on a memory
 * disable does not touch it. That is the gap the dma-buf designs close.
 *
 * Path `vfio_iommu_type1_map_dma` {container, arg, argFault}: checks in the
 * kernel's order (copy → -EFAULT; argsz, unknown flags → -EINVAL; size 0 →
 * -EINVAL; iova/vaddr + size wrap → -EOVERFLOW; neither READ nor WRITE nor
 * VADDR, or VADDR with either → -EINVAL; VADDR alone: no such vfio_dma →
 * -ENOENT, else -EINVAL (vaddr invalidation is not modelled); size, iova,
 * vaddr not page aligned → -EINVAL; overlap with an existing vfio_dma →
 * -EEXIST), then chunk by chunk (vfio_pin_map_dma): each look-up under
 * mmap_lock (read) takes the whole leaf at the address (vaddr_get_pfns()
 * returns the pages to the leaf's end: 8 look-ups for 16 MiB of PMD leaves),
 * look-ups extend the chunk while the pfns are contiguous
 * (vfio_pin_pages_remote()), and the chunk is mapped in one vfio_iommu_map().
 * A failure unmaps what this call mapped (vfio_remove_dma).
 * iommu->lock is not modelled (each look-up and map are separate steps).
 */
import { path } from '../../kernel/sched/path.js';
import type { Value } from '../../kernel/sched/types.js';
import { hex } from '../../kernel/events.js';
import { EEXIST, EFAULT, EINVAL, ENOENT, EOVERFLOW } from '../../uapi/errno.js';
import { decodeStruct, encodeStruct, u32 } from '../../uapi/codec.js';
import {
  VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_VADDR, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_MAP_MINSZ,
  VFIO_DMA_UNMAP_FLAG_ALL, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, VFIO_DMA_UNMAP_FLAG_VADDR, VFIO_DMA_UNMAP_MINSZ,
  vfio_iommu_type1_dma_map, vfio_iommu_type1_dma_unmap,
} from '../../uapi/vfio-iommu.js';
import { VM_FAULT_ERROR } from '../../mm/fault-codes.js';
import { VM_PFNMAP, vmFlagsHas } from '../../mm/types.js';
import { vmaLookup } from '../../mm/mm.js';
import { levelSize, walk } from '../../mm/pgtable.js';
import { copyToUser } from '../pci/uaccess.js';
import type { VfioDma } from './types.js';

const PAGE_SIZE = 4096;
const U64_MAX = 2n ** 64n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface MapLocals {
  readonly [key: string]: Value;
  container: number;
  arg: readonly number[];
  argFault: boolean;
  iova: number;
  vaddr: number;
  size: number;
  read: boolean;
  write: boolean;
  mm: number;
  /** Pages mapped so far (dma->size in pages). */
  i: number;
  /** The chunk being gathered: its first pfn and its pages (vfio_pin_pages_remote()'s pfn_base, pinned). */
  pfn_base: number;
  pinned: number;
  /** The last look-up: the pfn at the address and the pages to the end of its leaf. */
  pfn: number;
  npage: number;
  vma: number;
  r: number;
}

function overlaps(dmas: readonly VfioDma[], iova: number, size: number): boolean {
  return dmas.some((d) => d.iova < iova + size && iova < d.iova + d.size);
}

export const vfio_iommu_type1_map_dma = path<MapLocals>()('vfio_iommu_type1_map_dma', 'entry', {
  entry: (cx) => {
    if (cx.l.argFault || cx.l.arg.length < VFIO_DMA_MAP_MINSZ) return cx.ret(-EFAULT);
    const map = decodeStruct(vfio_iommu_type1_dma_map, cx.l.arg);
    const flags = u32(map, 'flags');
    const mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;
    if (u32(map, 'argsz') < VFIO_DMA_MAP_MINSZ || (flags & ~mask) !== 0) return cx.ret(-EINVAL);
    // vfio_dma_do_map()
    const size = map['size'] as bigint;
    const iova = map['iova'] as bigint;
    const vaddr = map['vaddr'] as bigint;
    if (size === 0n) return cx.ret(-EINVAL);
    if (iova + size - 1n > U64_MAX || vaddr + size - 1n > U64_MAX) return cx.ret(-EOVERFLOW);
    const prot = flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
    const setVaddr = (flags & VFIO_DMA_MAP_FLAG_VADDR) !== 0;
    if ((prot !== 0 && setVaddr) || (prot === 0 && !setVaddr)) return cx.ret(-EINVAL);
    if ((size | iova | vaddr) % BigInt(PAGE_SIZE) !== 0n) return cx.ret(-EINVAL);
    if (iova + size > SAFE || vaddr + size > SAFE) return cx.ret(-EOVERFLOW);
    const c = cx.k.get('vfio_containers', cx.l.container);
    cx.l.iova = Number(iova);
    cx.l.vaddr = Number(vaddr);
    cx.l.size = Number(size);
    if (setVaddr) return cx.ret(overlaps(c.dmas, cx.l.iova, cx.l.size) ? -EINVAL : -ENOENT);
    if (overlaps(c.dmas, cx.l.iova, cx.l.size)) return cx.ret(-EEXIST);
    cx.l.read = (flags & VFIO_DMA_MAP_FLAG_READ) !== 0;
    cx.l.write = (flags & VFIO_DMA_MAP_FLAG_WRITE) !== 0;
    cx.l.mm = cx.k.get('processes', cx.pid).mm;
    // vfio_link_dma(): inserted zero-sized, grows as chunks are mapped.
    const dma: VfioDma = { iova: cx.l.iova, size: 0, vaddr: cx.l.vaddr, read: cx.l.read, write: cx.l.write, mm: cx.l.mm };
    cx.k.mut('vfio_containers', c.id).dmas = [...c.dmas, dma].sort((a, b) => a.iova - b.iova);
    cx.l.i = 0;
    cx.l.pinned = 0;
    cx.emit('syscall', 'vfio_dma_do_map', { vaddr: hex(cx.l.vaddr), iova: hex(cx.l.iova), size: hex(cx.l.size) });
    cx.goto('get_pfn');
  },
  /**
   * vfio_pin_pages_remote() → vaddr_get_pfns() under mmap_lock (read):
   * pin_user_pages_remote() fails, then follow_fault_pfn() takes the whole
   * leaf mapping the address, up to its end (addr_mask), in one call.
   */
  get_pfn: (cx) => {
    const done = cx.l.i + cx.l.pinned;
    if (done * PAGE_SIZE >= cx.l.size) return cx.l.pinned > 0 ? cx.goto('map') : cx.ret(0);
    const m = cx.k.get('mms', cx.l.mm);
    if (!cx.lock(m.mmap_lock, 'read')) return;
    const va = cx.l.vaddr + done * PAGE_SIZE;
    const v = vmaLookup(m, va);
    if (v === undefined || !vmFlagsHas(v.vm_flags, VM_PFNMAP)) {
      // A VMA GUP can pin is ordinary memory, which the model does not have.
      cx.unlock(m.mmap_lock);
      cx.emit('gup', 'pin_user_pages_remote', { addr: hex(va), result: '-EFAULT', why: v === undefined ? 'no vma' : 'ordinary memory is not modelled' });
      cx.l.r = -EFAULT;
      return cx.goto('remove_dma');
    }
    cx.l.vma = v.id;
    if (follow(cx, va)) return cx.goto('got_pfn');
    // fixup_user_fault(): fault the page in with the VMA's own handler, then look again.
    cx.call('handle_mm_fault', { mm: cx.l.mm, vma: v.id, address: va, write: cx.l.write }, 'r', 'fixed_up');
  },
  fixed_up: (cx) => {
    const va = cx.l.vaddr + (cx.l.i + cx.l.pinned) * PAGE_SIZE;
    if ((cx.l.r & VM_FAULT_ERROR) === 0 && follow(cx, va)) return cx.goto('got_pfn');
    cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
    cx.emit('iommu', 'follow_fault_pfn', { addr: hex(va), result: '-EFAULT' });
    cx.l.r = -EFAULT;
    cx.goto('remove_dma');
  },
  /**
   * vfio_pin_pages_remote()'s pfnmap case: the pages extend the chunk while
   * their pfns continue it; a discontiguous leaf ends the chunk, which is
   * mapped, and is looked up again for the next one.
   */
  got_pfn: (cx) => {
    cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
    if (cx.l.pinned > 0 && cx.l.pfn !== cx.l.pfn_base + cx.l.pinned) return cx.goto('map');
    if (cx.l.pinned === 0) cx.l.pfn_base = cx.l.pfn;
    cx.l.pinned += cx.l.npage;
    cx.goto('get_pfn');
  },
  /** vfio_iommu_map(): iommu_map() of the chunk; the vfio_dma grows. No pin, no refcount (reserved pfn). */
  map: (cx) => {
    const c = cx.k.get('vfio_containers', cx.l.container);
    const iova = cx.l.iova + cx.l.i * PAGE_SIZE;
    const len = cx.l.pinned * PAGE_SIZE;
    const entry = { iova, len, paddr: cx.l.pfn_base * PAGE_SIZE, read: cx.l.read, write: cx.l.write, area: cx.l.iova, dmabuf: 0 };
    const m = cx.k.mut('vfio_containers', c.id);
    m.entries = [...c.entries, entry].sort((a, b) => a.iova - b.iova);
    m.dmas = c.dmas.map((d) => (d.iova === cx.l.iova ? { ...d, size: d.size + len } : d));
    cx.emit('iommu', 'vfio_iommu_map', { container: c.id, iova: hex(iova), pfn: hex(cx.l.pfn_base), npage: cx.l.pinned, vma: cx.l.vma });
    cx.l.i += cx.l.pinned;
    cx.l.pinned = 0;
    cx.goto('get_pfn');
  },
  /** vfio_remove_dma(): unmap what was mapped and unlink. */
  remove_dma: (cx) => {
    const c = cx.k.get('vfio_containers', cx.l.container);
    const m = cx.k.mut('vfio_containers', c.id);
    m.entries = c.entries.filter((e) => e.area !== cx.l.iova);
    m.dmas = c.dmas.filter((d) => d.iova !== cx.l.iova);
    cx.ret(cx.l.r);
  },
});

/**
 * follow_pfnmap_start() as follow_fault_pfn() uses it: the leaf mapping va,
 * with write permission if asked; sets l.pfn to va's pfn and l.npage to the
 * pages from va to the end of the leaf (addr_mask), at most what is left to
 * map, as vaddr_get_pfns() returns them.
 */
function follow(cx: { k: import('../../kernel/kernel.js').Kernel; l: MapLocals }, va: number): boolean {
  const w = walk(cx.k.arch, cx.k.get('mms', cx.l.mm).pgd, va);
  if (w.kind !== 'leaf' || (cx.l.write && !w.leaf.write)) return false;
  const off = Math.floor((va - w.base) / PAGE_SIZE);
  const left = cx.l.size / PAGE_SIZE - cx.l.i - cx.l.pinned;
  cx.l.pfn = w.leaf.pfn + off;
  cx.l.npage = Math.min(left, levelSize(cx.k.arch, w.leaf.level) / PAGE_SIZE - off);
  return true;
}

interface UnmapLocals {
  readonly [key: string]: Value;
  container: number;
  arg: readonly number[];
  argFault: boolean;
}

/**
 * models vfio_iommu_type1_unmap_dma() + vfio_dma_do_unmap() for TYPE1v2:
 * copy → -EFAULT; argsz, unknown flags → -EINVAL; dirty-bitmap and VADDR
 * unmaps are not modelled (-EINVAL); iova/size not page aligned → -EINVAL;
 * ALL with iova or size → -EINVAL; a vfio_dma straddling either end of the
 * range → -EINVAL (v2 cannot split); every vfio_dma inside is unmapped and
 * the size unmapped is copied back.
 */
export const vfio_iommu_type1_unmap_dma = path<UnmapLocals>()('vfio_iommu_type1_unmap_dma', 'entry', {
  entry: (cx) => {
    if (cx.l.argFault || cx.l.arg.length < VFIO_DMA_UNMAP_MINSZ) return cx.ret(-EFAULT);
    const u = decodeStruct(vfio_iommu_type1_dma_unmap, cx.l.arg);
    const flags = u32(u, 'flags');
    const mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL;
    if (u32(u, 'argsz') < VFIO_DMA_UNMAP_MINSZ || (flags & ~mask) !== 0) return cx.ret(-EINVAL);
    if (flags & (VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR)) return cx.ret(-EINVAL);
    const iova = u['iova'] as bigint;
    const size = u['size'] as bigint;
    if ((iova | size) % BigInt(PAGE_SIZE) !== 0n) return cx.ret(-EINVAL);
    const all = (flags & VFIO_DMA_UNMAP_FLAG_ALL) !== 0;
    if (all && (iova !== 0n || size !== 0n)) return cx.ret(-EINVAL);
    if (!all && iova + size - 1n > U64_MAX) return cx.ret(-EINVAL);
    const start = all ? 0 : Number(iova > SAFE ? SAFE : iova);
    const end = all ? Number.MAX_SAFE_INTEGER : Number(iova + size > SAFE ? SAFE : iova + size);
    const c = cx.k.get('vfio_containers', cx.l.container);
    if (c.dmas.some((d) => (d.iova < start && d.iova + d.size > start) || (d.iova < end && d.iova + d.size > end))) {
      return cx.ret(-EINVAL);
    }
    const gone = c.dmas.filter((d) => d.iova >= start && d.iova + d.size <= end);
    const unmapped = gone.reduce((n, d) => n + d.size, 0);
    const m = cx.k.mut('vfio_containers', c.id);
    m.dmas = c.dmas.filter((d) => !gone.includes(d));
    m.entries = c.entries.filter((e) => !gone.some((d) => d.iova === e.area));
    cx.emit('iommu', 'vfio_dma_do_unmap', { container: c.id, iova: hex(start), unmapped: hex(unmapped), dmas: gone.length });
    copyToUser(cx, 'sys_ioctl', 'arg', 0, encodeStruct(vfio_iommu_type1_dma_unmap, { ...u, size: unmapped }).slice(0, VFIO_DMA_UNMAP_MINSZ), 'vfio_iommu_type1_dma_unmap');
    cx.ret(0);
  },
});
