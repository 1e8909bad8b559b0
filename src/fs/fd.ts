/**
 * File descriptors (fs/file.c, v6.19): alloc_fd/fd_install, fdget, close,
 * dup. The per-process limit stands for RLIMIT_NOFILE.
 */
import type { Kernel } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import { EBADF, EMFILE } from '../uapi/errno.js';
import type { FdEntry, FdTable } from './fdtable.js';
import { getFile } from './file-table.js';

/** RLIMIT_NOFILE in the model: fds 0..NR_OPEN_MODEL-1 (alloc_fd returns -EMFILE beyond). */
export const NR_OPEN_MODEL = 64;

/** A new, empty fd table. */
export function newFdTable(k: Kernel): number {
  return k.add('fdtables', (id): FdTable => ({ id, fds: [] }));
}

function tableOf(k: Kernel, pid: number): number {
  return k.get('processes', pid).fdtable;
}

/** alloc_fd() + fd_install(): the lowest free fd now refers to `file` (the caller's reference moves in). */
export function fdInstall(k: Kernel, pid: number, file: number, cloexec: boolean): number {
  const t = tableOf(k, pid);
  if (t === 0) return -EMFILE;
  const fds = k.get('fdtables', t).fds;
  let fd = fds.findIndex((e) => e === null);
  if (fd < 0) fd = fds.length;
  if (fd >= NR_OPEN_MODEL) return -EMFILE;
  const next: (FdEntry | null)[] = [...fds];
  while (next.length <= fd) next.push(null);
  next[fd] = { file, cloexec };
  k.mut('fdtables', t).fds = next;
  return fd;
}

/** The file an fd refers to, or 0 (files_lookup_fd_raw). */
export function fdLookup(k: Kernel, pid: number, fd: number): number {
  const t = tableOf(k, pid);
  if (t === 0 || !Number.isInteger(fd) || fd < 0) return 0;
  return k.get('fdtables', t).fds[fd]?.file ?? 0;
}

/** Remove an fd from the table and return its file (file_close_fd), or 0. */
export function fdRemove(k: Kernel, pid: number, fd: number): number {
  const file = fdLookup(k, pid, fd);
  if (file === 0) return 0;
  const t = tableOf(k, pid);
  const fds = [...k.get('fdtables', t).fds];
  fds[fd] = null;
  while (fds.length > 0 && fds[fds.length - 1] === null) fds.pop();
  k.mut('fdtables', t).fds = fds;
  return file;
}

/** fget(fd): a counted reference to the fd's file, or 0. */
export function fget(k: Kernel, pid: number, fd: number, tid = 0): number {
  const file = fdLookup(k, pid, fd);
  if (file !== 0) getFile(k, file, tid);
  return file;
}

interface CloseLocals {
  readonly [key: string]: number;
  fd: number;
  file: number;
  r: number;
}

/** close(fd): file_close_fd() then filp_close() → fput(). */
export const closeFdPath = path<CloseLocals>()('close_fd', 'start', {
  start: (cx) => {
    const file = fdRemove(cx.k, cx.pid, cx.l.fd);
    if (file === 0) return cx.ret(-EBADF);
    cx.l.file = file;
    cx.call('fput', { file }, 'r', 'done');
  },
  done: (cx) => cx.ret(0),
});

/** dup(fd): a new fd (lowest free, close-on-exec clear) on the same file. */
export const sysDupPath = path<CloseLocals>()('sys_dup', 'start', {
  start: (cx) => {
    const file = fdLookup(cx.k, cx.pid, cx.l.fd);
    if (file === 0) return cx.ret(-EBADF);
    getFile(cx.k, file, cx.tid);
    const fd = fdInstall(cx.k, cx.pid, file, false);
    if (fd < 0) {
      cx.l.file = file;
      cx.l.r = fd;
      return cx.call('fput', { file }, 'file', 'failed');
    }
    cx.ret(fd);
  },
  failed: (cx) => cx.ret(cx.l.r),
});
