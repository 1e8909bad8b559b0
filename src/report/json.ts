/**
 * The JSON trace: JSON lines, one object per event and one per state dump,
 * so tools can stream and filter it (`jq 'select(.kind == "fault")'`).
 *
 *     {"type":"event","step":4,"task":"A","tid":3,"kind":"fault","fn":"vfio_pci_mmap_huge_fault","args":{...}}
 *     {"type":"state","step":4,"state":{...}}
 */
import type { TraceEvent } from '../kernel/events.js';
import type { StateDump } from './state.js';

/** One event as a JSON line (no trailing newline). */
export function jsonEvent(ev: TraceEvent, task: string, step: number | string): string {
  return JSON.stringify({ type: 'event', step, task, tid: ev.tid, kind: ev.kind, fn: ev.fn, args: ev.args });
}

/** One state dump as a JSON line. */
export function jsonState(d: StateDump, step: number | string): string {
  return JSON.stringify({ type: 'state', step, state: d });
}

/** The run's header and summary lines. */
export function jsonRecord(type: 'run' | 'summary', fields: { readonly [k: string]: unknown }): string {
  return JSON.stringify({ type, ...fields });
}
