/**
 * dma_buf_llseek() (drivers/dma-buf/dma-buf.c, v6.19): the dma-buf fd's
 * ->llseek only tells the buffer's size: SEEK_END with offset 0 returns
 * dmabuf->size, SEEK_SET with offset 0 returns 0 (for the idiomatic
 * SEEK_END(0), SEEK_SET(0) pair), anything else is -EINVAL. It keeps no
 * file position.
 */
import type { Value } from '../kernel/sched/types.js';
import { path } from '../kernel/sched/path.js';
import { EBADF, EINVAL } from '../uapi/errno.js';
import { SEEK_END, SEEK_SET } from '../uapi/fcntl.js';
import { fileDmaBuf, isDmaBufFile } from './export.js';

interface LlseekLocals {
  readonly [key: string]: Value;
  file: number;
  offset: number;
  whence: number;
}

export const dma_buf_llseek = path<LlseekLocals>()('dma_buf_llseek', 'start', {
  start: (cx) => {
    if (!isDmaBufFile(cx.k, cx.l.file)) return cx.ret(-EBADF);
    let base: number;
    if (cx.l.whence === SEEK_END) base = fileDmaBuf(cx.k, cx.l.file).size;
    else if (cx.l.whence === SEEK_SET) base = 0;
    else return cx.ret(-EINVAL);
    if (cx.l.offset !== 0) return cx.ret(-EINVAL);
    cx.ret(base);
  },
});
