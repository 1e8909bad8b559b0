import type { PathName } from '../../src/kernel/sched/registry.js';
import type { Path } from '../../src/kernel/sched/path.js';
/**
 * A small world for the vfio-pci tests: one process with threads, one PCI
 * function bound to vfio-pci, and helpers that run user actions and read
 * back what copy_to_user wrote.
 */
import { Kernel } from '../../src/kernel/kernel.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import type { KernelState } from '../../src/kernel/state.js';
import type { TraceEvent } from '../../src/kernel/events.js';
import type { Design } from '../../src/designs/types.js';
import { legacy } from '../../src/designs/legacy.js';
import { createProcess } from '../../src/kernel/sched/process.js';
import { createPciDev } from '../../src/pci/device.js';
import type { Bar, PciMsix, PciRom } from '../../src/pci/types.js';
import { vfioPciRegisterDevice } from '../../src/vfio/pci/device.js';
import { runAction, runTask } from '../../src/check/exec.js';
import type { UserAction } from '../../src/kernel/syscalls.js';
import { enterKernel } from '../../src/kernel/sched/step.js';
import type { Locals } from '../../src/kernel/sched/types.js';
import { hexBytes } from '../../src/uapi/codec.js';
import { walk } from '../../src/mm/pgtable.js';
import { archProfile } from '../../src/arch/profiles.js';
import { O_CLOEXEC, O_RDWR } from '../../src/uapi/fcntl.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import { VFIO_PCI_INDEX_TO_OFFSET } from '../../src/uapi/vfio.js';

export const BDF = '0000:01:00.0';
export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

export interface WorldOptions {
  readonly arch?: string;
  readonly bars?: readonly Bar[];
  readonly structPages?: boolean;
  readonly noCommandMemory?: boolean;
  readonly flr?: boolean;
  readonly rom?: PciRom;
  readonly msix?: PciMsix;
  readonly nonMappableBars?: boolean;
  readonly threads?: readonly string[];
  readonly design?: Design;
}

export interface World {
  state: KernelState;
  readonly design: Design;
  readonly pid: number;
  readonly tids: readonly number[];
  readonly pdev: number;
  readonly vdev: number;
  /** Events of the last action. */
  events: readonly TraceEvent[];
}

/** BAR0: 1 GiB at a 1 GiB-aligned base; BAR2: 2 MiB at a 2 MiB (not 1 GiB) aligned base; BAR4: 256 bytes. */
export const DEFAULT_BARS: readonly Bar[] = [
  { index: 0, size: GiB, base: 64 * GiB, is64: true, prefetchable: true },
  { index: 2, size: 2 * MiB, base: 65 * GiB + 2 * MiB, is64: true, prefetchable: false },
  { index: 4, size: 256, base: 65 * GiB + 64 * MiB + 0x100, is64: false, prefetchable: false },
];

export function buildWorld(opts: WorldOptions = {}): World {
  const design = opts.design ?? legacy;
  const k = new Kernel(emptyKernelState(opts.arch ?? 'x86_64', design.name), design);
  const { pid, tids } = createProcess(k, 'P', opts.threads ?? ['A']);
  const pdev = createPciDev(k, {
    bdf: BDF, vendor: 0x10de, device: 0x2330, bars: opts.bars ?? DEFAULT_BARS,
    structPages: opts.structPages ?? false, noCommandMemory: opts.noCommandMemory ?? false, flr: opts.flr ?? true,
    ...(opts.rom ? { rom: opts.rom } : {}), ...(opts.msix ? { msix: opts.msix } : {}),
    nonMappableBars: opts.nonMappableBars ?? false,
  });
  const vdev = vfioPciRegisterDevice(k, pdev);
  return { state: k.finish(), design, pid, tids, pdev, vdev, events: [] };
}

/** Run a user action to completion on thread `t` (index into tids); returns the syscall result. */
export function act(w: World, action: UserAction, t = 0): number {
  const r = runAction(w.state, w.design, w.tids[t]!, action);
  if (r.stop !== 'done') throw new Error(`action ${action.op} stopped: ${r.stop}`);
  w.state = r.state;
  w.events = r.events;
  return r.ret;
}

/** Run a kernel path directly on thread `t` (for paths no syscall enters alone). */
export function runPath(w: World, fn: PathName | Path, locals: Locals, t = 0): number {
  const k = new Kernel(w.state, w.design);
  enterKernel(k, w.tids[t]!, fn, locals);
  const r = runTask(k.finish(), w.design, w.tids[t]!);
  if (r.stop !== 'done') throw new Error(`${fn} stopped: ${r.stop}`);
  w.state = r.state;
  w.events = [...k.events, ...r.events];
  const ret = w.state.tasks[w.tids[t]!]!.lastRet;
  return typeof ret === 'number' ? ret : 0;
}

/** The bytes the last action's copy_to_user wrote, or null. */
export function copiedOut(w: World): number[] | null {
  const e = [...w.events].reverse().find((x) => x.kind === 'return' && x.fn === 'copy_to_user');
  return e ? hexBytes(String(e.args['bytes'])) : null;
}

export function openDevice(w: World, t = 0): number {
  return act(w, { op: 'open', device: BDF, flags: O_RDWR | O_CLOEXEC }, t);
}

export function ioctl(w: World, fd: number, cmd: number, arg: readonly number[], argFault = false, t = 0): number {
  return act(w, { op: 'ioctl', fd, cmd, arg, argFault }, t);
}

/** mmap(addr, length, PROT_READ|PROT_WRITE, MAP_SHARED[|extra], fd, INDEX_TO_OFFSET(index) + off). */
export function mmapBar(
  w: World, fd: number, index: number, length: number,
  o: { addr?: number; flags?: number; prot?: number; off?: number } = {}, t = 0,
): number {
  return act(w, {
    op: 'mmap', addr: o.addr ?? 0, length, prot: o.prot ?? (PROT_READ | PROT_WRITE),
    flags: o.flags ?? MAP_SHARED, fd, offset: VFIO_PCI_INDEX_TO_OFFSET(index) + (o.off ?? 0),
  }, t);
}

/** Events of a kind from the last action. */
export function eventsOf(w: World, kind: TraceEvent['kind'], fn?: string): TraceEvent[] {
  return w.events.filter((e) => e.kind === kind && (fn === undefined || e.fn === fn));
}

/** The leaf mapping `va` in the process's page tables, or null. */
export function leafAt(w: World, va: number): { level: string; pfn: number; base: number } | null {
  const mm = w.state.mms[w.state.processes[w.pid]!.mm]!;
  const r = walk(archProfile(w.state.arch), mm.pgd, va);
  return r.kind === 'leaf' ? { level: r.leaf.level, pfn: r.leaf.pfn, base: r.base } : null;
}

/** A CPU load of 4 bytes at a user address. */
export function load(w: World, addr: number, t = 0): number {
  return act(w, { op: 'load', addr, size: 4 }, t);
}

/** A CPU store of 4 bytes at a user address. */
export function store(w: World, addr: number, value: number, t = 0): number {
  return act(w, { op: 'store', addr, size: 4, value }, t);
}

/** Signals pending on thread `t`. */
export function pending(w: World, t = 0): readonly string[] {
  return w.state.tasks[w.tids[t]!]!.pending;
}
