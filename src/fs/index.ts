/**
 * fs: files, fd tables, inodes and their address_space.
 *
 * Not modelled: (filled in by the fs work)
 */
import type { Path } from '../kernel/sched/path.js';

/** Every fs path, for the designs' registries. */
export const FS_PATHS: readonly Path[] = [];
