/**
 * Builds a small world for mm/fs tests: one process with threads, one file
 * of the test PFN-map driver on its own inode (installed as fd 0), and a
 * PCI function whose BAR 0 is the driver's physical range.
 */
import { Kernel } from '../../src/kernel/kernel.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import type { KernelState } from '../../src/kernel/state.js';
import type { Design } from '../../src/designs/types.js';
import { createProcess } from '../../src/kernel/sched/process.js';
import { allocFile } from '../../src/fs/file-table.js';
import { fdInstall } from '../../src/fs/fd.js';
import { newInode } from '../../src/fs/address-space.js';
import { O_RDWR } from '../../src/uapi/fcntl.js';
import { PCI_COMMAND_MEMORY } from '../../src/pci/types.js';
import { createPciDev } from '../../src/pci/device.js';
import type { UserAction } from '../../src/kernel/syscalls.js';
import { runAction } from '../../src/check/exec.js';
import { MAP_SHARED } from '../../src/uapi/mman.js';
import { PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { TEST_PHYS, TEST_SIZE, testDesign } from './pfnmap-driver.js';

export interface World {
  readonly state: KernelState;
  readonly design: Design;
  readonly pid: number;
  readonly tids: number[];
  /** fd of the driver file in the process. */
  readonly fd: number;
  readonly file: number;
  readonly inode: number;
  readonly pdev: number;
}

export interface WorldOptions {
  readonly arch?: string;
  readonly threads?: readonly string[];
  readonly structPages?: boolean;
  readonly fops?: string;
  readonly flags?: number;
}

export function buildWorld(o: WorldOptions = {}): World {
  const design = testDesign;
  const k = new Kernel(emptyKernelState(o.arch ?? 'x86_64', design.name), design);
  const { pid, tids } = createProcess(k, 'p', o.threads ?? ['A']);
  const pdev = createPciDev(k, {
    bdf: '0000:01:00.0', vendor: 0x10de, device: 0x1234,
    bars: [{ index: 0, size: TEST_SIZE, base: TEST_PHYS, is64: true, prefetchable: true }],
    structPages: o.structPages ?? false,
  });
  k.mut('pci', pdev).command = PCI_COMMAND_MEMORY; // decode on, as a driver's pci_enable_device leaves it
  const inode = newInode(k, 'anon', 0);
  const file = allocFile(k, {
    f_op: o.fops ?? 'test_pfnmap_fops', f_inode: inode, f_mapping: inode, private_data: 0,
    f_flags: o.flags ?? O_RDWR, name: 'test-pfnmap',
  });
  const fd = fdInstall(k, pid, file, false);
  return { state: k.finish(), design, pid, tids, fd, file, inode, pdev };
}

/** Run an action to completion on a task; throws if it did not finish. */
export function run(w: { state: KernelState; design: Design }, tid: number, action: UserAction) {
  const r = runAction(w.state, w.design, tid, action);
  if (r.stop !== 'done') throw new Error(`action ${action.op} stopped: ${r.stop}`);
  return r;
}

/** mmap(fd) MAP_SHARED RW of `length` bytes at file offset `offset`, at addr (hint or MAP_FIXED via flags). */
export function mmapAction(fd: number, length: number, opts: { addr?: number; offset?: number; flags?: number; prot?: number } = {}): UserAction {
  return {
    op: 'mmap', addr: opts.addr ?? 0, length, prot: opts.prot ?? (PROT_READ | PROT_WRITE),
    flags: opts.flags ?? MAP_SHARED, fd, offset: opts.offset ?? 0,
  };
}

/** A Kernel draft over a state, for direct reads in assertions. */
export function kernelOf(state: KernelState, design: Design = testDesign): Kernel {
  return new Kernel(state, design);
}
