/**
 * The paths the built-in designs add to the model, as one type for the path
 * registry (src/kernel/sched/registry.ts): a design's own path can then be
 * called by name from any step, checked at compile time.
 */
import type * as dmabufFault from './common/dmabuf-fault.js';
import type * as dmabufMmap from './common/dmabuf-mmap.js';
import type * as mmapPrepare from './dmabuf-vma/mmap-prepare.js';
import type * as dmabufVmaZap from './dmabuf-vma/zap.js';
import type * as rfcRevoke from './rfc/revoke.js';

export type DesignPaths = typeof dmabufFault & typeof dmabufMmap & typeof mmapPrepare & typeof dmabufVmaZap & typeof rfcRevoke;
