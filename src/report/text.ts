/**
 * The text trace: one line per event, ftrace-like, and an optional state
 * dump after each step.
 *
 *     A-3      [step 4] vfio_pci_mmap_huge_fault: order=18 addr=0x7f0000000000 pfn=0x4000000 -> VM_FAULT_FALLBACK
 *
 * Columns: the thread's scenario name and tid, the scenario step (its index
 * in `steps`, as in `steps[4]`), the kernel function, then `key=value`
 * arguments in the order the event gives them; a `ret` or `result`
 * argument is printed last as `-> value`.
 */
import type { EventValue, TraceEvent } from '../kernel/events.js';
import type { StateDump } from './state.js';

/** How an event value prints: strings as they are (quoted if they contain spaces). */
export function formatValue(v: EventValue): string {
  if (typeof v === 'string') return /[\s=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return String(v);
}

const RESULT_KEYS = new Set(['ret', 'result']);

/** `key=value ... -> result`. */
export function formatArgs(args: { readonly [k: string]: EventValue }): string {
  const parts: string[] = [];
  let result: string | undefined;
  for (const [k, v] of Object.entries(args)) {
    if (RESULT_KEYS.has(k)) result = formatValue(v);
    else parts.push(`${k}=${formatValue(v)}`);
  }
  if (result !== undefined) parts.push(`-> ${result}`);
  return parts.join(' ');
}

export interface TextTraceOptions {
  /** Minimum width of the task column (`A-3`). */
  readonly taskWidth?: number;
  /** Largest step index, to align the step column. */
  readonly lastStep?: number;
}

/** Formats events of one run with aligned columns. */
export class TextTrace {
  private taskWidth: number;
  private readonly stepWidth: number;

  constructor(opts: TextTraceOptions = {}) {
    this.taskWidth = opts.taskWidth ?? 8;
    this.stepWidth = `[step ${opts.lastStep ?? 9}]`.length;
  }

  /** One event; `task` is the thread's name (or '' for no task), `step` the step index or a word. */
  event(ev: TraceEvent, task: string, step: number | string): string {
    const who = ev.tid === 0 ? '<kernel>-0' : `${task || 'task'}-${ev.tid}`;
    if (who.length > this.taskWidth) this.taskWidth = who.length;
    const st = typeof step === 'number' ? `[step ${step}]` : `[${step}]`;
    const args = formatArgs(ev.args);
    return `  ${who.padEnd(this.taskWidth)} ${st.padEnd(this.stepWidth)} ${ev.fn}:${args ? ' ' + args : ''}`;
  }
}

/** The state dump as indented lines. */
export function formatState(d: StateDump, step: number | string): string[] {
  const out: string[] = [`  -- state after ${typeof step === 'number' ? `step ${step}` : step} --`];
  for (const p of d.processes) {
    const threads = p.threads
      .map((t) => `${t.name}-${t.tid} ${t.at}${t.waits ? ` waits ${t.waits}` : ''}${t.pending.length ? ` pending ${t.pending.join(',')}` : ''}`)
      .join('; ');
    out.push(`  process ${p.name} (pid ${p.pid})${p.exited ? ' exited' : ''}: ${threads}`);
    const vars = Object.entries(p.vars);
    if (vars.length) out.push(`    vars: ${vars.map(([k, v]) => `$${k}=${v}`).join(' ')}`);
    for (const v of p.vmas) {
      out.push(`    vma ${v.start}-${v.end} pgoff=${v.pgoff} ${v.flags} file=${v.file} ops=${v.ops} i_mmap=${v.i_mmap}`);
    }
    for (const l of p.leaves) {
      out.push(`    ${l.level} ${l.addr} pfn=${l.pfn}${l.special ? ' special' : ''}${l.write ? ' write' : ' ro'}`);
    }
    for (const f of p.fds) out.push(`    fd ${f.fd} -> ${f.file}${f.cloexec ? ' cloexec' : ''}`);
  }
  for (const f of d.files) out.push(`  file${f.id} ${f.name} f_count=${f.f_count}`);
  for (const dev of d.devices) {
    let line = `  device ${dev.bdf}: command=${dev.command} memory=${dev.memory ? 'on' : 'off'} power=${dev.power} resets=${dev.resets}`;
    if (dev.vfio) {
      line += ` | vfio open_count=${dev.vfio.open_count} vconfig_memory=${dev.vfio.vconfig_memory ? 'on' : 'off'}` +
        ` power_state=${dev.vfio.power_state}${dev.vfio.pm_runtime_engaged ? ' pm_runtime_engaged' : ''}`;
    }
    out.push(line);
  }
  for (const l of d.locks) {
    out.push(`  lock ${l.lock}: held by ${l.holders.join(', ') || 'nobody'}${l.waiters.length ? `; waiting ${l.waiters.join(', ')}` : ''}`);
  }
  const refs = Object.entries(d.pagerefs);
  if (refs.length) out.push(`  page refs: ${refs.map(([pfn, n]) => `${pfn}=${n}`).join(' ')}`);
  return out;
}
