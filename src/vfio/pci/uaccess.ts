/**
 * copy_to_user() into the buffer a syscall passed: the model keeps user
 * buffers as byte arrays in the syscall's frame (sys_ioctl's `arg`,
 * ksys_pread64's `buf`), so the bytes land there, and in a trace event so
 * that a reader (and a test) sees exactly what user space got.
 */
import type { Cx } from '../../kernel/sched/path.js';
import type { Locals, Value } from '../../kernel/sched/types.js';
import { bytesHex } from '../../uapi/codec.js';

/**
 * Write `bytes` at `offset` of the user buffer held in local `key` of the
 * nearest frame of `syscall` below the running one (if any), and emit a
 * 'return' event `copy_to_user` with the bytes in hex.
 */
export function copyToUser(
  cx: Cx<Locals>, syscall: string, key: string, offset: number, bytes: readonly number[], what: string,
): void {
  const task = cx.k.get('tasks', cx.tid);
  const frames = [...task.frames];
  for (let i = frames.length - 2; i >= 0; i--) {
    const f = frames[i]!;
    if (f.fn !== syscall) continue;
    const old = f.locals[key];
    const buf: number[] = Array.isArray(old) ? [...(old as readonly number[])] : [];
    while (buf.length < offset + bytes.length) buf.push(0);
    for (let j = 0; j < bytes.length; j++) buf[offset + j] = bytes[j]!;
    frames[i] = { ...f, locals: { ...f.locals, [key]: buf as readonly Value[] } };
    cx.k.mut('tasks', cx.tid).frames = frames;
    break;
  }
  cx.emit('return', 'copy_to_user', { what, offset, len: bytes.length, bytes: bytesHex(bytes) });
}
