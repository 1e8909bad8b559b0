/**
 * Turning a scenario op into the {@link UserAction} the kernel model runs,
 * evaluating its expressions against the process's variables, plus the
 * decoded arguments the trace shows for the syscall.
 */
import type { UserAction } from '../kernel/syscalls.js';
import type { EventValue } from '../kernel/events.js';
import { prepareLowPower } from './device-ops.js';
import { hex } from '../kernel/events.js';
import { evalExpr } from './expr.js';
import type { NumExpr } from './expr.js';
import type { OpArgs } from './ops.js';
import { prepareIoctl } from './ioctl-action.js';
import { OPEN_FLAGS, MADV_ADVICE, MREMAP_FLAGS, SEEK_WHENCE, flagNames } from './flags.js';
import { evaluator, prepareAttach, prepareDma, prepareExport } from './dmabuf-action.js';
import { leBytes, bytesHex } from '../uapi/codec.js';
import { protName, mapFlagsName } from '../uapi/mman.js';
import { O_ACCMODE } from '../uapi/fcntl.js';
import { VFIO_PCI_INDEX_TO_OFFSET } from '../uapi/vfio.js';

/** A user action with the arguments to print for it. */
export interface PreparedAction {
  readonly action: UserAction;
  readonly args: { readonly [key: string]: EventValue };
}

type Vars = { readonly [name: string]: number };

/** Where an evaluation failed: the path below the op and the message. */
export class ActionError extends Error {
  override name = 'ActionError';
  constructor(readonly path: readonly (string | number)[], message: string) {
    super(message);
  }
}

function ev(e: NumExpr, vars: Vars, path: string): number {
  try {
    return evalExpr(e, vars);
  } catch (err) {
    throw new ActionError([path], err instanceof Error ? err.message : String(err));
  }
}

/** "O_RDWR|O_CLOEXEC". */
export function openFlagsName(flags: number): string {
  const acc = flags & O_ACCMODE;
  const parts = [['O_RDONLY', 'O_WRONLY', 'O_RDWR'][acc] ?? `O_ACCMODE(${acc})`];
  let rest = flags & ~O_ACCMODE;
  for (const [n, v] of Object.entries(OPEN_FLAGS.values)) {
    if (v !== 0 && (v & O_ACCMODE) === 0 && (rest & v) === v) {
      parts.push(n);
      rest &= ~v;
    }
  }
  if (rest) parts.push(hex(rest));
  return parts.join('|');
}

/** Evaluate an op against the variables of the thread's process. */
export function prepareAction(op: OpArgs, vars: Vars, devices: { readonly [name: string]: string }): PreparedAction {
  switch (op.op) {
    case 'open': {
      const a = op.args;
      const bdf = devices[a.device];
      if (bdf === undefined) throw new ActionError(['device'], `no device '${a.device}'`);
      if (!a.bind) {
        return { action: { op: 'open', device: bdf, flags: a.flags, bind: false }, args: { device: `${a.device}(${bdf})`, flags: openFlagsName(a.flags), bind: false } };
      }
      return { action: { op: 'open', device: bdf, flags: a.flags }, args: { device: `${a.device}(${bdf})`, flags: openFlagsName(a.flags) } };
    }
    case 'unbind': {
      const bdf = devices[op.args.device];
      if (bdf === undefined) throw new ActionError(['device'], `no device '${op.args.device}'`);
      return { action: { op: 'unbind', device: bdf }, args: { device: `${op.args.device}(${bdf})` } };
    }
    case 'low_power':
      return prepareLowPower(op.args, evaluator(vars, fail));
    case 'close':
    case 'dup': {
      const fd = ev(op.args.fd, vars, 'fd');
      return { action: { op: op.op, fd }, args: { fd } };
    }
    case 'ioctl':
      return prepareIoctl(op.args, evaluator(vars, fail), fail);
    case 'pread': {
      const a = op.args;
      const offset = regionOffset(a.region, ev(a.offset, vars, 'offset'));
      const count = ev(a.count, vars, 'count');
      const fd = ev(a.fd, vars, 'fd');
      if (a.out === undefined) return { action: { op: 'pread', fd, offset, count }, args: { fd, offset: hex(offset), count } };
      if (count !== 1 && count !== 2 && count !== 4) throw new ActionError(['out'], `out: binds the bytes of a 1-, 2- or 4-byte read; count is ${count}`);
      return { action: { op: 'pread', fd, offset, count, out: a.out }, args: { fd, offset: hex(offset), count, out: `$${a.out}` } };
    }
    case 'pwrite': {
      const a = op.args;
      const offset = regionOffset(a.region, ev(a.offset, vars, 'offset'));
      const fd = ev(a.fd, vars, 'fd');
      let data: number[];
      if (a.bytes !== undefined) data = [...a.bytes];
      else {
        const [key, size] = a.u8 ? ['u8', 1] as const : a.u16 ? ['u16', 2] as const : a.u32 ? ['u32', 4] as const : ['u64', 8] as const;
        const e = a[key];
        if (e === undefined) throw new ActionError([], 'give one of u8, u16, u32, u64 or bytes');
        data = leBytes(BigInt(ev(e, vars, key)), size);
      }
      return { action: { op: 'pwrite', fd, offset, data }, args: { fd, offset: hex(offset), data: bytesHex(data) } };
    }
    case 'mmap': {
      const a = op.args;
      const addr = ev(a.addr, vars, 'addr');
      const length = ev(a.length, vars, 'length');
      const fd = ev(a.fd, vars, 'fd');
      const offset = ev(a.offset, vars, 'offset');
      return {
        action: { op: 'mmap', addr, length, prot: a.prot, flags: a.flags, fd, offset },
        args: { addr: hex(addr), length: hex(length), prot: protName(a.prot), flags: mapFlagsName(a.flags), fd, offset: hex(offset) },
      };
    }
    case 'munmap': {
      const addr = ev(op.args.addr, vars, 'addr');
      const length = ev(op.args.length, vars, 'length');
      return { action: { op: 'munmap', addr, length }, args: { addr: hex(addr), length: hex(length) } };
    }
    case 'fork':
      return { action: { op: 'fork', child: op.args.child }, args: { child: op.args.child } };
    case 'exit':
      return { action: { op: 'exit' }, args: {} };
    case 'load': {
      const addr = ev(op.args.addr, vars, 'addr');
      return { action: { op: 'load', addr, size: op.args.size }, args: { addr: hex(addr), size: op.args.size } };
    }
    case 'store': {
      const addr = ev(op.args.addr, vars, 'addr');
      const value = ev(op.args.value, vars, 'value');
      return { action: { op: 'store', addr, size: op.args.size, value }, args: { addr: hex(addr), size: op.args.size, value: hex(value) } };
    }
    case 'gup': {
      const addr = ev(op.args.addr, vars, 'addr');
      const nrPages = ev(op.args.pages, vars, 'pages');
      const { write, fast } = op.args;
      return { action: { op: 'gup', addr, nrPages, write, fast }, args: { addr: hex(addr), pages: nrPages, write, fast } };
    }
    case 'o_direct': {
      const addr = ev(op.args.addr, vars, 'addr');
      const length = ev(op.args.length, vars, 'length');
      return { action: { op: 'o_direct', rw: op.args.rw, addr, length }, args: { rw: op.args.rw, addr: hex(addr), length: hex(length) } };
    }
    case 'lseek': {
      const fd = ev(op.args.fd, vars, 'fd');
      const offset = ev(op.args.offset, vars, 'offset');
      const whence = op.args.whence;
      return { action: { op: 'lseek', fd, offset, whence }, args: { fd, offset: hex(offset), whence: flagNames(SEEK_WHENCE, whence) } };
    }
    case 'mremap': {
      const a = op.args;
      const addr = ev(a.addr, vars, 'addr');
      const old_len = ev(a.old_length, vars, 'old_length');
      const new_len = ev(a.new_length, vars, 'new_length');
      const new_addr = ev(a.new_addr, vars, 'new_addr');
      return {
        action: { op: 'mremap', addr, old_len, new_len, flags: a.flags, new_addr },
        args: { addr: hex(addr), old_len: hex(old_len), new_len: hex(new_len), flags: flagNames(MREMAP_FLAGS, a.flags), new_addr: hex(new_addr) },
      };
    }
    case 'madvise': {
      const addr = ev(op.args.addr, vars, 'addr');
      const length = ev(op.args.length, vars, 'length');
      const advice = op.args.advice;
      return { action: { op: 'madvise', addr, length, advice }, args: { addr: hex(addr), length: hex(length), advice: flagNames(MADV_ADVICE, advice) } };
    }
    case 'remote_access': {
      const a = op.args;
      const pid = ev(a.pid, vars, 'pid');
      const addr = ev(a.addr, vars, 'addr');
      const len = ev(a.length, vars, 'length');
      const value = ev(a.value, vars, 'value');
      return { action: { op: 'remote_access', via: a.via, pid, addr, len, value }, args: { via: a.via, pid, addr: hex(addr), len } };
    }
    case 'dmabuf_export':
      return prepareExport(op.args, evaluator(vars, fail), openFlagsName);
    case 'dmabuf_attach': {
      const r = prepareAttach(op.args, evaluator(vars, fail));
      if (typeof r === 'string') throw new ActionError(['importer'], r);
      return r;
    }
    case 'dmabuf_map':
    case 'dmabuf_unmap':
    case 'dmabuf_detach': {
      const attachment = ev(op.args.attachment, vars, 'attachment');
      return { action: { op: op.op, attachment }, args: { attachment } };
    }
    case 'dma':
      return prepareDma(op.args, evaluator(vars, fail));
    case 'open_dev':
      return { action: { op: 'open_dev', node: op.args.node, flags: op.args.flags }, args: { node: op.args.node, flags: openFlagsName(op.args.flags) } };
    case 'iommu_dma': {
      const a = op.args;
      const bdf = devices[a.device];
      if (bdf === undefined) throw new ActionError(['device'], `no device '${a.device}'`);
      const iova = ev(a.iova, vars, 'iova');
      const value = ev(a.value, vars, 'value');
      return {
        action: { op: 'iommu_dma', device: bdf, iova, size: a.size, write: a.write, value },
        args: { device: `${a.device}(${bdf})`, iova: hex(iova), size: a.size, write: a.write, ...(a.write ? { value: hex(value) } : {}) },
      };
    }
  }
}

function fail(path: (string | number)[], message: string): never {
  throw new ActionError(path, message);
}


function regionOffset(region: number | undefined, offset: number): number {
  return region === undefined ? offset : VFIO_PCI_INDEX_TO_OFFSET(region) + offset;
}
