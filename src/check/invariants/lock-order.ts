/**
 * Lock classes are always taken in one order (lockdep's circular dependency
 * check; B7: mmap_lock → memory_lock on the fault path, zap under memory_lock
 * must not need mmap_lock).
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';

export const lockOrder: Invariant = {
  name: 'lock-order',
  rule: 'Lock classes are taken in one order everywhere: mmap_lock → memory_lock → i_mmap_rwsem → ' +
    'page_table_lock on the fault and zap paths (B7, aac6db75a9fc: the zap runs under i_mmap_rwsem, ' +
    'never mmap_lock). A request that inverts a recorded order is lockdep\'s "possible circular locking ' +
    'dependency", even when this run does not deadlock.',
  reads: ['events'],
  check({ events }) {
    for (const e of events) {
      if (e.kind === 'warn' && e.fn === 'lockdep') {
        return violated(this, `${String(e.args['acquiring'])} taken while holding ${String(e.args['holding'])}, ` +
          'the reverse of an order seen before');
      }
    }
    return null;
  },
};
