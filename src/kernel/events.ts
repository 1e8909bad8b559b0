/**
 * Trace events: what a step did, in kernel terms, for the ftrace-like trace.
 *
 * Events are not part of the kernel state (two states that differ only in
 * how they were reached are the same state); a step returns them beside the
 * next state.
 */

export type EventKind =
  | 'syscall'   // a syscall or user action starts: decoded arguments
  | 'return'    // it returns: value or errno
  | 'fault'     // a page fault handler ran: order tried and vm_fault_t
  | 'insert'    // a page-table leaf was installed
  | 'zap'       // page-table leaves were removed
  | 'signal'    // a signal was sent to a task
  | 'lock'      // a lock was taken, released, or waited for
  | 'gup'       // get_user_pages / GUP-fast outcome
  | 'device'    // device state changed (memory enable, power state, reset)
  | 'file'      // file reference taken, dropped or released
  | 'access'    // a CPU load or store, or an importer's DMA, reached (or did not reach) memory
  | 'dmabuf'    // dma-buf export, attach, map, unmap, revoke, move_notify, release
  | 'iommu'     // IOMMU page-table map/unmap, iommufd and type1 container objects
  | 'vma'       // madvise/mremap acted on a VMA: its advice's outcome, a move, a resize
  | 'warn'      // WARN_ON / lockdep-style report
  | 'violation'; // an invariant broke at this step (src/check/invariants)

export type EventValue = string | number | boolean;

export interface TraceEvent {
  /** Task id of the thread the event belongs to (0: no task). */
  readonly tid: number;
  readonly kind: EventKind;
  /** The kernel function (or syscall) the event comes from. */
  readonly fn: string;
  /** Key/value details, printed `key=value` in the order given. */
  readonly args: Readonly<Record<string, EventValue>>;
}

/** Format an address or pfn the way the kernel prints it. */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}
