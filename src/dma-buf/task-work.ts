/**
 * fput() whose __fput waits for return to user space (fs/file_table.c
 * fput → task_work_add(____fput), v6.19).
 *
 * The model's `fput` path releases a file at once, in the caller's frame.
 * That is wrong where the kernel relies on the deferral: vfio_pci_dma_buf_move()
 * and vfio_pci_dma_buf_cleanup() fput a dma-buf file while holding
 * memory_lock for write, and the dma-buf's release takes memory_lock again;
 * the feature ioctl's error path fputs the new dma-buf and then frees what
 * the release will use. {@link fputDeferred} drops the reference and, when it
 * was the last, queues the file on the task (`task_works` table); the path
 * `task_work_run` runs the queued __fput's (f_op->release, then the file is
 * freed). Callers run it where their syscall returns to user space, after
 * dropping every lock.
 */
import type { Kernel } from '../kernel/kernel.js';
import { ModelError } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';

/** fput(): drop one reference; the last one queues __fput on task `tid`. */
export function fputDeferred(k: Kernel, file: number, tid: number): void {
  const f = k.get('files', file);
  if (f.f_count <= 0) throw new ModelError(`fput on file ${file} with f_count ${f.f_count}`);
  k.mut('files', file).f_count = f.f_count - 1;
  k.emit({ tid, kind: 'file', fn: 'fput', args: { file, name: f.name, f_count: f.f_count - 1 } });
  if (f.f_count > 1) return;
  const w = k.find('task_works', tid);
  if (w === undefined) k.set('task_works', tid, { tid, files: [file] });
  else k.mut('task_works', tid).files = [...w.files, file];
  k.emit({ tid, kind: 'file', fn: 'task_work_add', args: { file, name: f.name, work: '____fput' } });
}

interface RunLocals {
  readonly [key: string]: Value;
  file: number;
  r: number;
}

/** task_work_run(): the deferred __fput's of this task, in queue order. */
export const taskWorkRunPath = path<RunLocals>()('task_work_run', 'next', {
  next: (cx) => {
    const w = cx.k.find('task_works', cx.tid);
    const file = w?.files[0];
    if (w === undefined || file === undefined) return cx.ret(0);
    if (w.files.length === 1) cx.k.remove('task_works', cx.tid);
    else cx.k.mut('task_works', cx.tid).files = w.files.slice(1);
    cx.l.file = file;
    const release = cx.k.design.fileOps[cx.k.get('files', file).f_op]?.release;
    if (release) return cx.call(release, { file }, 'r', 'free');
    cx.goto('free');
  },
  /** __fput() after f_op->release: the file goes. */
  free: (cx) => {
    const f = cx.k.get('files', cx.l.file);
    cx.emit('file', '__fput', { file: cx.l.file, name: f.name, freed: true });
    cx.k.remove('files', cx.l.file);
    cx.goto('next');
  },
});
