/**
 * A task returns to user space holding no kernel lock (lockdep's
 * "lock held when returning to user space!").
 */
import type { Invariant } from './types.js';
import { violated } from './types.js';

export const noLockLeak: Invariant = {
  name: 'no-lock-leak',
  rule: 'No task returns to user space holding a kernel lock (lockdep_sys_exit(): "lock held when returning ' +
    'to user space!").',
  reads: ['tasks', 'locks'],
  check({ state }) {
    for (const t of Object.values(state.tasks)) {
      if (t.frames.length === 0 && t.held.length > 0) {
        const l = state.locks[t.held[0]!.lock];
        return violated(this, `${t.name} is back in user space holding ${l ? `${l.owner}->${l.class}` : t.held[0]!.lock}`);
      }
    }
    return null;
  },
};
