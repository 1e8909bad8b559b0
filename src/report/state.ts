/**
 * A readable dump of the kernel state after a step: per process its
 * threads, VMAs, page-table leaves and fds; the open files; the devices'
 * command, memory-enable and power state; the locks held or waited for.
 *
 * Plain data (addresses as hex strings), so the text trace prints it and
 * the JSON trace emits it as it is.
 */
import type { KernelState } from '../kernel/state.js';
import { archProfile } from '../arch/profiles.js';
import { listLeaves } from '../mm/pgtable.js';
import { vmFlagsString } from '../mm/types.js';
import { hex } from '../kernel/events.js';
import { lockName } from '../kernel/locking/rwsem.js';
import { taskLabel } from '../kernel/sched/step.js';
import { PCI_COMMAND_MEMORY } from '../uapi/pci_regs.js';
import { errnoName } from '../uapi/errno.js';

export interface ThreadDump {
  readonly name: string;
  readonly tid: number;
  /** `user`, `exited`, or the label it will run next inside the kernel. */
  readonly at: string;
  readonly waits?: string;
  readonly pending: readonly string[];
  readonly lastRet: string;
}

export interface VmaDump {
  readonly start: string;
  readonly end: string;
  readonly pgoff: string;
  readonly flags: string;
  readonly file: string;
  readonly ops: string;
  /** The address_spaces whose i_mmap links this VMA (`inode3`), which is what a zap walks; `-` for none. */
  readonly i_mmap: string;
}

export interface LeafDump {
  readonly addr: string;
  readonly level: string;
  readonly pfn: string;
  readonly special: boolean;
  readonly write: boolean;
}

export interface ProcessDump {
  readonly name: string;
  readonly pid: number;
  readonly exited: boolean;
  readonly threads: readonly ThreadDump[];
  readonly vars: { readonly [name: string]: string };
  readonly vmas: readonly VmaDump[];
  readonly leaves: readonly LeafDump[];
  readonly fds: readonly { readonly fd: number; readonly file: string; readonly cloexec: boolean }[];
}

export interface DeviceDump {
  readonly bdf: string;
  readonly command: string;
  /** PCI_COMMAND_MEMORY in the physical command register. */
  readonly memory: boolean;
  readonly power: string;
  readonly resets: number;
  readonly vfio?: {
    readonly open_count: number;
    /** PCI_COMMAND_MEMORY in the virtual config space (what __vfio_pci_memory_enabled reads). */
    readonly vconfig_memory: boolean;
    readonly power_state: string;
    readonly pm_runtime_engaged: boolean;
  };
}

export interface LockDump {
  readonly lock: string;
  readonly holders: readonly string[];
  readonly waiters: readonly string[];
}

export interface StateDump {
  readonly processes: readonly ProcessDump[];
  readonly files: readonly { readonly id: number; readonly name: string; readonly f_count: number }[];
  readonly devices: readonly DeviceDump[];
  /** Locks someone holds or waits for. */
  readonly locks: readonly LockDump[];
  /** Struct-page references GUP holds on BAR memory, by pfn. */
  readonly pagerefs: { readonly [pfn: string]: number };
}

/** The inodes whose address_space has the VMA in its i_mmap (what unmap_mapping_range() walks): `inode3,inode7` or `-`. */
export function linkedInto(s: KernelState, mm: number, vma: number): string {
  const ids = Object.values(s.inodes).filter((i) => i.i_mapping.i_mmap.some((r) => r.mm === mm && r.vma === vma)).map((i) => `inode${i.id}`);
  return ids.join(',') || '-';
}

/** The dump of a state. */
export function dumpState(s: KernelState): StateDump {
  const arch = archProfile(s.arch);
  const taskName = (tid: number): string => `${s.tasks[tid]?.name ?? 'task'}-${tid}`;
  const fileName = (id: number): string => (id === 0 ? '-' : `file${id}(${s.files[id]?.name ?? 'freed'})`);

  const processes: ProcessDump[] = Object.values(s.processes).map((p) => {
    const mm = p.mm !== 0 ? s.mms[p.mm] : undefined;
    const fdt = p.fdtable !== 0 ? s.fdtables[p.fdtable] : undefined;
    const threads = Object.values(s.tasks).filter((t) => t.pid === p.pid).map((t): ThreadDump => {
      const base = {
        name: t.name, tid: t.tid,
        at: t.dead ? 'exited' : t.frames.length === 0 ? 'user' : taskLabel(t),
        pending: [...t.pending],
        lastRet: typeof t.lastRet === 'number' ? errnoName(t.lastRet) : String(t.lastRet),
      };
      if (t.blockedOn) {
        const l = s.locks[t.blockedOn.lock];
        return { ...base, waits: `${l ? lockName(l) : `lock${t.blockedOn.lock}`}(${t.blockedOn.mode})` };
      }
      return base;
    });
    return {
      name: p.name, pid: p.pid, exited: p.exited, threads,
      vars: Object.fromEntries(Object.entries(p.vars).filter(([k]) => !k.startsWith('@')).map(([k, v]) => [k, v >= 0x10000 ? hex(v) : String(v)])),
      vmas: (mm?.vmas ?? []).map((v): VmaDump => ({
        start: hex(v.vm_start), end: hex(v.vm_end), pgoff: hex(v.vm_pgoff), flags: vmFlagsString(v.vm_flags),
        file: fileName(v.vm_file), ops: v.vm_ops || '-', i_mmap: linkedInto(s, p.mm, v.id),
      })),
      leaves: mm ? listLeaves(arch, mm.pgd).map((l): LeafDump => ({
        addr: hex(l.va), level: l.leaf.level, pfn: hex(l.leaf.pfn), special: l.leaf.special, write: l.leaf.write,
      })) : [],
      fds: (fdt?.fds ?? []).flatMap((e, fd) => (e ? [{ fd, file: fileName(e.file), cloexec: e.cloexec }] : [])),
    };
  });

  const devices: DeviceDump[] = Object.values(s.pci).map((d) => {
    const v = Object.values(s.vfio).find((x) => x.pdev === d.id);
    const base = {
      bdf: d.bdf, command: hex(d.command), memory: (d.command & PCI_COMMAND_MEMORY) !== 0, power: d.power, resets: d.resets,
    };
    return v ? {
      ...base,
      vfio: {
        open_count: v.open_count, vconfig_memory: (v.vconfig_command & PCI_COMMAND_MEMORY) !== 0,
        power_state: v.power_state, pm_runtime_engaged: v.pm_runtime_engaged,
      },
    } : base;
  });

  const locks: LockDump[] = Object.values(s.locks).flatMap((l) => {
    const holders = (l.writer !== 0 ? [`${taskName(l.writer)}(write)`] : []).concat(l.readers.map((r) => `${taskName(r)}(read)`));
    const waiters = Object.values(s.tasks).filter((t) => t.blockedOn?.lock === l.id).map((t) => `${taskName(t.tid)}(${t.blockedOn!.mode})`);
    return holders.length || waiters.length ? [{ lock: lockName(l), holders, waiters }] : [];
  });

  return {
    processes,
    files: Object.values(s.files).map((f) => ({ id: f.id, name: f.name, f_count: f.f_count })),
    devices,
    locks,
    pagerefs: Object.fromEntries(Object.entries(s.pagerefs).map(([pfn, n]) => [hex(Number(pfn)), n])),
  };
}
