/**
 * Thread exit: do_exit() → exit_mm() → mmput() → exit_mmap(), then
 * exit_files() (kernel/exit.c, kernel/fork.c, mm/mmap.c, v6.19).
 *
 * Path `do_exit` with locals {}: the task is marked dead. When it is the
 * last live thread of its process, the address space is torn down as
 * exit_mmap does (every VMA zapped, unlinked from its i_mmap, ->close'd and
 * its vm_file fput; the model does it under mmap_lock write through
 * do_vmi_munmap over the whole user range, where v6.19 zaps under the read
 * lock first), the mm is freed, every fd is closed (fput) and the process is
 * marked exited. Other threads of the process keep running (this is exit(),
 * not exit_group()).
 */
import type { Value } from './sched/types.js';
import { path } from './sched/path.js';
import { TASK_SIZE } from '../mm/munmap.js';

interface ExitLocals {
  readonly [key: string]: Value;
  mm: number;
  fds: readonly number[];
  i: number;
  r: number;
}

export const doExitPath = path<ExitLocals>()('do_exit', 'exit_mm', {
  exit_mm: (cx) => {
    const k = cx.k;
    const p = k.get('processes', cx.pid);
    const others = Object.values(k.state.tasks).filter((t) => t.pid === cx.pid && t.tid !== cx.tid && !t.dead);
    cx.l.mm = p.mm;
    if (others.length > 0 || p.mm === 0) {
      if (p.mm !== 0) k.mut('mms', p.mm).mm_users = Math.max(0, k.get('mms', p.mm).mm_users - 1);
      return cx.goto(others.length > 0 ? 'dead' : 'exit_files');
    }
    cx.goto('lock');
  },
  lock: (cx) => {
    if (!cx.lock(cx.k.get('mms', cx.l.mm).mmap_lock, 'write')) return;
    cx.call('do_vmi_munmap', { mm: cx.l.mm, start: 0, end: TASK_SIZE }, 'r', 'free_mm');
  },
  free_mm: (cx) => {
    const k = cx.k;
    const m = k.get('mms', cx.l.mm);
    cx.unlock(m.mmap_lock);
    k.remove('locks', m.mmap_lock);
    k.remove('locks', m.page_table_lock);
    k.remove('mms', cx.l.mm);
    k.mut('processes', cx.pid).mm = 0;
    cx.goto('exit_files');
  },
  exit_files: (cx) => {
    const k = cx.k;
    const p = k.get('processes', cx.pid);
    if (p.fdtable === 0) return cx.goto('dead');
    const fds = k.get('fdtables', p.fdtable).fds;
    cx.l.fds = fds.filter((e) => e !== null).map((e) => e!.file);
    k.remove('fdtables', p.fdtable);
    k.mut('processes', cx.pid).fdtable = 0;
    cx.l.i = 0;
    cx.goto('fput');
  },
  fput: (cx) => {
    const file = cx.l.fds[cx.l.i];
    if (file === undefined) {
      cx.k.mut('processes', cx.pid).exited = true;
      return cx.goto('dead');
    }
    cx.l.i += 1;
    cx.call('fput', { file }, 'r', 'fput');
  },
  dead: (cx) => {
    cx.k.mut('tasks', cx.tid).dead = true;
    cx.ret(0);
  },
});
