/**
 * Helpers for the design tests: a vfio + dma-buf world under a chosen
 * design, user actions run one model step at a time with the whole
 * invariant catalogue checked after every step, and mmap of a dma-buf fd.
 */
import { Kernel } from '../../src/kernel/kernel.js';
import type { Design } from '../../src/designs/types.js';
import type { UserAction } from '../../src/kernel/syscalls.js';
import { startAction, step } from '../../src/check/exec.js';
import { INVARIANTS } from '../../src/check/invariants/index.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/uapi/mman.js';
import type { World } from '../vfio/world.js';
import { dmaBufWorld } from '../dma-buf/helpers.js';

export const PAGE = 4096;

/** A world under `design` with the device open and the three importers. */
export function designWorld(design: Design, o: Parameters<typeof dmaBufWorld>[0] = {}) {
  return dmaBufWorld({ ...o, design });
}

/** Invariants broken after some step, by name, with the first message of each. */
export type Broken = Map<string, string>;

/** Check the catalogue on the world's state now; add what breaks to `into`. */
export function checkNow(w: World, into: Broken = new Map()): Broken {
  const k = new Kernel(w.state, w.design);
  for (const inv of INVARIANTS) {
    const v = inv.check({ state: w.state, events: [], k });
    if (v !== null && !into.has(v.invariant)) into.set(v.invariant, v.message);
  }
  return into;
}

/**
 * Run a user action on thread `t` to completion, checking every invariant
 * after each model step (as `barmap run` does); returns the result and
 * adds what broke to `broken`.
 */
export function checkedAct(w: World, action: UserAction, broken: Broken, t = 0): number {
  const tid = w.tids[t]!;
  const started = startAction(w.state, w.design, tid, action);
  w.state = started.state;
  const events = [...started.events];
  for (let n = 0; n < 100_000; n++) {
    const task = w.state.tasks[tid]!;
    if (task.frames.length === 0) break;
    const r = step(w.state, w.design, tid);
    if (r.outcome === 'blocked') throw new Error(`${action.op} blocked`);
    w.state = r.state;
    events.push(...r.events);
    const k = new Kernel(w.state, w.design);
    for (const inv of INVARIANTS) {
      const v = inv.check({ state: w.state, events: r.events, k });
      if (v !== null && !broken.has(v.invariant)) broken.set(v.invariant, v.message);
    }
  }
  w.events = events;
  const ret = w.state.tasks[tid]!.lastRet;
  return typeof ret === 'number' ? ret : 0;
}

/** mmap(addr, length, RW, MAP_SHARED, fd, offset) of a dma-buf fd (offset in bytes of the buffer). */
export function mmapFdAction(fd: number, length: number, offset = 0, o: { addr?: number; flags?: number } = {}): UserAction {
  return { op: 'mmap', addr: o.addr ?? 0, length, prot: PROT_READ | PROT_WRITE, flags: o.flags ?? MAP_SHARED, fd, offset };
}

/** The vm_file, vm_pgoff and vm_ops of the VMA containing `addr`. */
export function vmaAt(w: World, addr: number) {
  const mm = w.state.mms[w.state.processes[w.pid]!.mm]!;
  const v = mm.vmas.find((x) => x.vm_start <= addr && addr < x.vm_end);
  if (v === undefined) throw new Error(`no vma at ${addr.toString(16)}`);
  return v;
}
