/**
 * struct file lifetime (fs/file_table.c, v6.19): allocation, get_file() and
 * fput() with the f_op->release call on the last reference.
 */
import type { Kernel } from '../kernel/kernel.js';
import { ModelError } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { File } from './file.js';

/** What a new file is made of (the id and f_count are the table's). */
export type FileSpec = Omit<File, 'id' | 'f_count'>;

/** alloc_file_pseudo()/alloc_empty_file(): a file with f_count 1. */
export function allocFile(k: Kernel, spec: FileSpec): number {
  return k.add('files', (id): File => ({ ...spec, id, f_count: 1 }));
}

/** get_file(): take one more reference on a live file. */
export function getFile(k: Kernel, file: number, tid = 0): void {
  const f = k.get('files', file);
  if (f.f_count <= 0) throw new ModelError(`get_file on file ${file} with f_count ${f.f_count}`);
  k.mut('files', file).f_count = f.f_count + 1;
  k.emit({ tid, kind: 'file', fn: 'get_file', args: { file, name: f.name, f_count: f.f_count + 1 } });
}

/** get_file_active(): a reference only if the file is not already on its way out. */
export function getFileActive(k: Kernel, file: number, tid = 0): boolean {
  const f = k.find('files', file);
  if (f === undefined || f.f_count <= 0) return false;
  getFile(k, file, tid);
  return true;
}

interface FputLocals {
  readonly [key: string]: number;
  file: number;
  r: number;
}

/** The report of a count dropped below zero, as refcount_t warns it (lib/refcount.c). */
export const REFCOUNT_UNDERFLOW = 'refcount_t: underflow; use-after-free';

/**
 * fput(file): drop one reference; the last one runs __fput(): the
 * f_op->release path of the file's operations (locals {file}), then the file
 * is freed. The release runs in the caller's task (the kernel defers it to
 * task_work on return to user space, which is the same task).
 */
export const fputPath = path<FputLocals>()('fput', 'start', {
  start: (cx) => {
    const f = cx.k.get('files', cx.l.file);
    // fput() of a file nobody holds: the kernel's refcount warns and the file is used after free.
    if (f.f_count <= 0) {
      cx.emit('warn', 'fput', { report: REFCOUNT_UNDERFLOW, file: cx.l.file, name: f.name, f_count: f.f_count });
      return cx.ret(0);
    }
    cx.k.mut('files', cx.l.file).f_count = f.f_count - 1;
    cx.emit('file', 'fput', { file: cx.l.file, name: f.name, f_count: f.f_count - 1 });
    if (f.f_count > 1) return cx.ret(0);
    const release = cx.k.design.fileOps[f.f_op]?.release;
    if (release) return cx.call(release, { file: cx.l.file }, 'r', 'free');
    cx.goto('free');
  },
  free: (cx) => {
    const f = cx.k.get('files', cx.l.file);
    cx.emit('file', '__fput', { file: cx.l.file, name: f.name, freed: true });
    cx.k.remove('files', cx.l.file);
    cx.ret(0);
  },
});
