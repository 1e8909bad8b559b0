/**
 * mmap(2): ksys_mmap_pgoff() → vm_mmap_pgoff() → do_mmap() → mmap_region()
 * (mm/mmap.c, mm/util.c, mm/vma.c, v6.19).
 *
 * ## Contract for a driver's f_op->mmap path (e.g. vfio_pci_core_mmap)
 *
 * `mmap_region` builds the VMA as a draft kept in its own frame (local `vma`,
 * a {@link VmaDraft}, not yet in mm.vmas nor in any i_mmap) and calls the
 * path named by `k.design.fileOps[file.f_op].mmap` with these locals:
 *
 *   { file, mm, vma,                        // file being mapped, mm id, the draft's VMA id
 *     vm_start, vm_end, vm_pgoff, vm_flags, // copies of the draft's fields at call time
 *     vm_page_prot, vm_file, vm_ops, vm_private_data }
 *
 * vm_file is already set and already holds its own reference (get_file done
 * by the core, as __mmap_new_file_vma() does before mmap_file()).
 * The path returns 0 or -errno (a number). To change the VMA it calls
 * `setMmapVma(cx, { vm_flags, vm_page_prot, vm_ops, vm_private_data, vm_pgoff, vm_file })`
 * (any subset; src/mm/mmap-vma.ts); `mmapVma(cx)` reads the draft as it stands.
 * Changes are visible to the core at once, also when the path then fails.
 * vm_flags is a number: combine with vmFlagsSet() (bits above 31 exist).
 * To swap the file the kernel's way call the path `vma_set_file` ({file}):
 * it takes a reference on the new file, stores it in the draft and fputs the
 * old one. On failure the core fputs whatever vm_file the draft then holds
 * (bug B5), zaps anything the driver inserted in [vm_start, vm_end), and
 * the VMA is never linked. On success the core links the VMA into mm.vmas
 * (step `link_mm`) and then into the i_mmap of file(vm_file).f_mapping under
 * i_mmap_rwsem write (step `link_file`): PTEs inserted inside ->mmap are
 * invisible to unmap_mapping_range() (UMR).
 *
 * ## Contract for f_op->mmap_prepare (v6.16+, vm_area_desc with file/vm_file as v6.18+)
 *
 * Called before any VMA exists with locals
 *   { mm, file, start, end, pgoff, vm_file, vm_flags, page_prot, vm_ops, private_data }
 * returns 0 or -errno; writes with `setMmapDesc(cx, { pgoff, vm_file, vm_flags, page_prot,
 * vm_ops, private_data })`. On success the core copies the desc into the VMA.
 * As v6.19 call_mmap_prepare(): when the hook replaced vm_file, the VMA takes
 * over the reference the hook holds on the new file (file_doesnt_need_get: no
 * get_file); otherwise the VMA takes a new reference on `file`. No ->mmap is
 * called then. On error nothing is undone (the hook must have no side effects).
 *
 * ## Address selection (get_unmapped_area)
 *
 * v6.19 vfio has no f_op->get_unmapped_area, so file mappings use the
 * generic top-down allocator with no huge alignment. The model has no ASLR:
 * mmap_base is fixed at MMAP_BASE (1 GiB aligned); without MAP_FIXED a free,
 * in-range hint is honoured (page-aligned down), otherwise the highest gap
 * below MMAP_BASE that fits gets the mapping at its top. So lengths that are
 * multiples of 2M/1G get 2M/1G-aligned addresses on an empty mm, and a
 * scenario can place a VMA exactly with MAP_FIXED or a hint.
 *
 * ## Simplifications
 *
 * MAP_FIXED unmaps the old range (do_vmi_munmap) before the new VMA is built,
 * instead of v6.19's gather / clean-up / complete-or-abort dance; a failing
 * ->mmap therefore leaves the old range unmapped (the kernel also leaves its
 * page tables cleared, but re-attaches the VMAs). No VMA merging, no
 * accounting, no memfd seals, no MAP_POPULATE, no pkeys, no READ_IMPLIES_EXEC.
 * MAP_ANONYMOUS creates a VMA without file; its faults are not modelled
 * (they fail with VM_FAULT_SIGBUS).
 */
export {};
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { EBADF, EEXIST, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP, EOVERFLOW, EACCES } from '../uapi/errno.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_HUGETLB, MAP_PRIVATE, MAP_SHARED,
  MAP_SHARED_VALIDATE, MAP_TYPE, PROT_EXEC, PROT_READ, PROT_WRITE, MAP_POPULATE, MAP_NONBLOCK,
  MAP_STACK,
} from '../uapi/mman.js';
import { FMODE_READ, FMODE_WRITE, openFmode } from '../uapi/fcntl.js';
import { fget } from '../fs/fd.js';
import { getFile } from '../fs/file-table.js';
import { iMmapInsert, iMmapLock } from '../fs/address-space.js';
import type { MmStruct, PageProt } from './types.js';
import {
  VM_EXEC, VM_MAYEXEC, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_READ, VM_SHARED, VM_WRITE,
  vmFlagsSet,
} from './types.js';
import { setVmas, vmaIntersects } from './mm.js';
import { mmapCallLocals, mmapPrepareCallLocals, mmapVma, setMmapVma } from './mmap-vma.js';
import type { MmapDesc, VmaDraft } from './mmap-vma.js';
import { PAGE_SIZE, vmaMappingInode, vmaOf, vmaValue, zapRange } from './vma.js';
import { TASK_SIZE, pageAlign } from './munmap.js';

/** mm->mmap_base: fixed (no ASLR) and 1 GiB aligned. */
export const MMAP_BASE = 0x7f0000000000;
/** mmap_min_addr (the usual sysctl default). */
export const MMAP_MIN_ADDR = 0x10000;

/** Bits LEGACY_MAP_MASK (include/linux/mman.h) adds beyond uapi/mman.ts's names. */
const MAP_GROWSDOWN = 0x100;
const MAP_DENYWRITE = 0x800;
const MAP_EXECUTABLE = 0x1000;
const MAP_LOCKED = 0x2000;
const MAP_NORESERVE = 0x4000;
const MAP_32BIT = 0x40;
const MAP_ABOVE4G = 0x80;
const MAP_UNINITIALIZED = 0x4000000;
const MAP_HUGE_2MB = 21 << 26;
const MAP_HUGE_1GB = 30 << 26;

/** LEGACY_MAP_MASK: flags MAP_SHARED silently accepts and MAP_SHARED_VALIDATE allows. */
export const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE
  | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE
  | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | MAP_ABOVE4G | MAP_HUGE_2MB | MAP_HUGE_1GB;

/** vm_get_page_prot(): ordinary write-back memory; drivers make it UC/WC. */
export const DEFAULT_PAGE_PROT: PageProt = { cache: 'WB', decrypted: false };

/** calc_vm_prot_bits() without pkeys. */
export function calcVmProtBits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/**
 * get_unmapped_area() as the generic top-down allocator with no ASLR:
 * MAP_FIXED takes addr as is; a free hint is honoured; else the highest gap
 * below MMAP_BASE gets the mapping at its top. Returns the address or -errno.
 */
export function getUnmappedArea(mm: MmStruct, addr: number, len: number, flags: number): number {
  if (len > TASK_SIZE) return -ENOMEM;
  let out: number;
  if (flags & MAP_FIXED) out = addr;
  else {
    const hint = pageAlign(addr);
    if (hint !== 0 && TASK_SIZE - len >= hint && hint >= MMAP_MIN_ADDR && !vmaIntersects(mm, hint, hint + len)) {
      out = hint;
    } else {
      const found = topdownGap(mm, len);
      if (found < 0) return found;
      out = found;
    }
  }
  if (out > TASK_SIZE - len) return -ENOMEM;
  if (out % PAGE_SIZE !== 0) return -EINVAL;
  return out;
}

function topdownGap(mm: MmStruct, len: number): number {
  let top = MMAP_BASE;
  const byEnd = [...mm.vmas].sort((a, b) => b.vm_end - a.vm_end);
  for (const v of byEnd) {
    if (v.vm_start >= top) continue;
    if (v.vm_end <= top - len) break;
    top = v.vm_start;
  }
  return top - len >= MMAP_MIN_ADDR ? top - len : -ENOMEM;
}

interface MmapLocals {
  readonly [key: string]: Value;
  addr: number;
  length: number;
  prot: number;
  flags: number;
  fd: number;
  offset: number;
  file: number;
  mm: number;
  len: number;
  pgoff: number;
  vm_flags: number;
  r: number;
  x: number;
}

/**
 * mmap(addr, length, prot, flags, fd, offset): the x86 sys_mmap offset
 * check, ksys_mmap_pgoff (fget), vm_mmap_pgoff (mmap_lock write), do_mmap's
 * checks in the kernel's order, MAP_FIXED unmapping, mmap_region, fput.
 * Returns the address or -errno.
 */
export const ksysMmapPgoffPath = path<MmapLocals>()('ksys_mmap_pgoff', 'start', {
  start: (cx) => {
    if (cx.l.offset % PAGE_SIZE !== 0 || cx.l.offset < 0) return cx.ret(-EINVAL);
    cx.l.pgoff = cx.l.offset / PAGE_SIZE;
    cx.l.file = 0;
    cx.l.mm = cx.k.get('processes', cx.pid).mm;
    if (!(cx.l.flags & MAP_ANONYMOUS)) {
      const file = fget(cx.k, cx.pid, cx.l.fd, cx.tid);
      if (file === 0) return cx.ret(-EBADF);
      cx.l.file = file;
      if (cx.l.flags & MAP_HUGETLB) {
        cx.l.r = -EINVAL;
        return cx.goto('out');
      }
    } else if (cx.l.flags & MAP_HUGETLB) {
      return cx.ret(-EINVAL); // hugetlbfs is not modelled
    }
    cx.goto('lock');
  },
  lock: (cx) => {
    const m = cx.k.get('mms', cx.l.mm);
    if (!cx.lock(m.mmap_lock, 'write')) return;
    cx.l.r = doMmapChecks(cx);
    if (cx.l.r < 0) return cx.goto('unlock');
    if (cx.l.flags & MAP_FIXED) {
      return cx.call('do_vmi_munmap', { mm: cx.l.mm, start: cx.l.addr, end: cx.l.addr + cx.l.len }, 'r', 'region');
    }
    cx.goto('region');
  },
  region: (cx) => {
    if (cx.l.r < 0) return cx.goto('unlock');
    cx.call('mmap_region', {
      mm: cx.l.mm, file: cx.l.file, addr: cx.l.addr, len: cx.l.len, vm_flags: cx.l.vm_flags, pgoff: cx.l.pgoff,
    }, 'r', 'unlock');
  },
  unlock: (cx) => {
    cx.unlock(cx.k.get('mms', cx.l.mm).mmap_lock);
    cx.goto('out');
  },
  out: (cx) => {
    if (cx.l.file !== 0) return cx.call('fput', { file: cx.l.file }, 'x', 'done');
    cx.goto('done');
  },
  done: (cx) => cx.ret(cx.l.r),
});

/**
 * do_mmap()'s checks, in order, under mmap_lock (write). Sets len, addr,
 * vm_flags, pgoff in the locals; returns 0 or -errno.
 */
function doMmapChecks(cx: { readonly k: import('../kernel/kernel.js').Kernel; readonly l: MmapLocals }): number {
  const l = cx.l;
  const k = cx.k;
  if (l.length === 0) return -EINVAL;
  let flags = l.flags;
  if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
  const len = pageAlign(l.length);
  if (len === 0 || len < 0) return -ENOMEM;
  if (l.pgoff + len / PAGE_SIZE > 2 ** 52) return -EOVERFLOW; // pgoff + pages wraps (2^64 bytes / 4K)
  l.len = len;
  let vmFlags = vmFlagsSet(calcVmProtBits(l.prot), VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC);
  const m = k.get('mms', l.mm);
  const addr = getUnmappedArea(m, l.addr, len, flags);
  if (addr < 0) return addr;
  l.addr = addr;
  if ((flags & MAP_FIXED_NOREPLACE) && vmaIntersects(m, addr, addr + len)) return -EEXIST;
  if (l.file !== 0) {
    const f = k.get('files', l.file);
    const fmode = openFmode(f.f_flags);
    // file_mmap_ok(): MAX_LFS_FILESIZE for device files; unreachable with model numbers.
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE && type !== MAP_PRIVATE) return -EINVAL;
    if (type !== MAP_PRIVATE) {
      // MAP_SHARED drops unknown flags silently; MAP_SHARED_VALIDATE refuses them.
      if (type === MAP_SHARED) flags &= LEGACY_MAP_MASK;
      if (flags & ~LEGACY_MAP_MASK) return -EOPNOTSUPP;
      if ((l.prot & PROT_WRITE) && !(fmode & FMODE_WRITE)) return -EACCES;
      vmFlags = vmFlagsSet(vmFlags, VM_SHARED | VM_MAYSHARE);
      if (!(fmode & FMODE_WRITE)) vmFlags = clearBits(vmFlags, VM_MAYWRITE | VM_SHARED);
    }
    // the MAP_PRIVATE case, which the shared cases fall through to
    if (!(fmode & FMODE_READ)) return -EACCES;
    const ops = k.design.fileOps[f.f_op];
    if (!ops?.mmap && !ops?.mmap_prepare) return -ENODEV; // can_mmap_file()
  } else {
    switch (flags & MAP_TYPE) {
      case MAP_SHARED:
        l.pgoff = 0;
        vmFlags = vmFlagsSet(vmFlags, VM_SHARED | VM_MAYSHARE);
        break;
      case MAP_PRIVATE:
        l.pgoff = addr / PAGE_SIZE;
        break;
      default:
        return -EINVAL;
    }
  }
  l.flags = flags;
  l.vm_flags = vmFlags;
  return 0;
}

/** flags & ~bits for bits below 2^30. */
function clearBits(flags: number, bits: number): number {
  const low = flags % 2 ** 30;
  return flags - low + (low & ~bits);
}

interface RegionLocals {
  readonly [key: string]: Value;
  mm: number;
  file: number;
  addr: number;
  len: number;
  vm_flags: number;
  pgoff: number;
  /** The VMA under construction (a VmaDraft); see mmap-vma.ts. */
  vma: Value;
  /** The vm_area_desc while ->mmap_prepare runs (an MmapDesc). */
  desc: Value;
  r: number;
  x: number;
}

/**
 * mmap_region() → __mmap_region() → __mmap_new_vma() (mm/vma.c, v6.19), for
 * a checked range; mmap_lock held for write. See the contract at the top.
 */
export const mmapRegionPath = path<RegionLocals>()('mmap_region', 'start', {
  start: (cx) => {
    const ops = cx.l.file !== 0 ? cx.k.design.fileOps[cx.k.get('files', cx.l.file).f_op] : undefined;
    cx.l.r = 0;
    if (ops?.mmap_prepare) {
      const desc: MmapDesc = {
        mm: cx.l.mm, file: cx.l.file, start: cx.l.addr, end: cx.l.addr + cx.l.len, pgoff: cx.l.pgoff,
        vm_file: cx.l.file, vm_flags: cx.l.vm_flags, page_prot: DEFAULT_PAGE_PROT, vm_ops: '', private_data: null,
      };
      cx.l.desc = desc as unknown as Value;
      return cx.call(ops.mmap_prepare, mmapPrepareCallLocals(desc), 'r', 'after_prepare');
    }
    const vma: VmaDraft = {
      id: cx.k.allocId(), vm_mm: cx.l.mm, vm_start: cx.l.addr, vm_end: cx.l.addr + cx.l.len,
      vm_pgoff: cx.l.pgoff, vm_flags: cx.l.vm_flags, vm_page_prot: DEFAULT_PAGE_PROT, vm_file: cx.l.file,
      vm_ops: '', vm_private_data: null,
    };
    cx.l.vma = vmaValue(vma);
    if (cx.l.file === 0) return cx.goto('link_mm');
    getFile(cx.k, cx.l.file, cx.tid);
    if (!ops?.mmap) return cx.goto('link_mm');
    cx.call(ops.mmap, mmapCallLocals(vma, cx.l.file), 'r', 'after_mmap');
  },
  after_prepare: (cx) => {
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const d = cx.l.desc as unknown as MmapDesc;
    const vma: VmaDraft = {
      id: cx.k.allocId(), vm_mm: cx.l.mm, vm_start: d.start, vm_end: d.end, vm_pgoff: d.pgoff,
      vm_flags: d.vm_flags, vm_page_prot: d.page_prot, vm_file: d.vm_file, vm_ops: d.vm_ops,
      vm_private_data: d.private_data,
    };
    // call_mmap_prepare(): a replaced vm_file comes with the hook's reference (file_doesnt_need_get).
    if (d.vm_file === cx.l.file) getFile(cx.k, d.vm_file, cx.tid);
    cx.l.vma = vmaValue(vma);
    cx.l.desc = null;
    cx.goto('link_mm');
  },
  after_mmap: (cx) => {
    if (cx.l.r >= 0) return cx.goto('link_mm');
    // __mmap_new_file_vma() error: fput(vma->vm_file), the file the VMA holds now (B5).
    const vma = vmaOf(cx.l.vma);
    if (vma.vm_file === 0) return cx.goto('error_unmap');
    cx.call('fput', { file: vma.vm_file }, 'x', 'error_unmap');
  },
  error_unmap: (cx) => {
    // unmap_region(): undo any partial mapping the driver made.
    const m = cx.k.get('mms', cx.l.mm);
    if (!cx.lock(m.page_table_lock, 'write')) return;
    const vma = vmaOf(cx.l.vma);
    const n = zapRange(cx.k, cx.l.mm, vma.vm_start, vma.vm_end, true);
    if (n > 0) cx.emit('zap', 'unmap_region', { mm: cx.l.mm, start: vma.vm_start, end: vma.vm_end, leaves: n });
    cx.unlock(m.page_table_lock);
    cx.ret(cx.l.r);
  },
  link_mm: (cx) => {
    // vma_iter_store_new(): the VMA is in the mm's tree; faults can find it.
    const vma = vmaOf(cx.l.vma);
    const m = cx.k.get('mms', cx.l.mm);
    setVmas(cx.k, cx.l.mm, [...m.vmas, vma]);
    cx.goto('link_file');
  },
  link_file: (cx) => {
    // vma_link_file(): i_mmap_lock_write, insert into the mapping's i_mmap.
    const vma = vmaOf(cx.l.vma);
    const inode = vmaMappingInode(cx.k, vma);
    if (inode !== 0) {
      const lock = iMmapLock(cx.k, inode);
      if (!cx.lock(lock, 'write')) return;
      iMmapInsert(cx.k, inode, { mm: cx.l.mm, vma: vma.id });
      cx.unlock(lock);
    }
    cx.l.vma = null;
    cx.ret(vma.vm_start);
  },
});

interface SetFileLocals {
  readonly [key: string]: Value;
  file: number;
  r: number;
}

/**
 * vma_set_file(vma, file) inside f_op->mmap: get_file(new), store it in
 * the VMA being built, fput(old). Locals {file}; returns 0.
 */
export const vmaSetFilePath = path<SetFileLocals>()('vma_set_file', 'start', {
  start: (cx) => {
    const old = mmapVma(cx).vm_file;
    getFile(cx.k, cx.l.file, cx.tid);
    setMmapVma(cx, { vm_file: cx.l.file });
    if (old === 0) return cx.ret(0);
    cx.call('fput', { file: old }, 'r', 'done');
  },
  done: (cx) => cx.ret(0),
});
