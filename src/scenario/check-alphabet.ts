/**
 * Cross-reference checks of a scenario's `check:` section: the alphabet's
 * threads exist after the setup steps (or are created by a fork in the
 * alphabet), its variables are bound by the setup or by an entry's `as:`,
 * and its devices and ioctls exist. Paths name the offending value.
 */
import type { CheckSection } from './check-section.js';
import type { Issue } from './check.js';
import { checkDevice, checkImporter, checkIoctl, exprsOf, outVars } from './check.js';
import { exprVars } from './expr.js';
import { orList } from './flags.js';

/** What the setup steps leave behind, as the step checks computed it. */
export interface SetupView {
  /** Thread name -> process name, for threads created so far. */
  readonly threadProc: ReadonlyMap<string, string>;
  /** Variables bound in each process by the end of the setup. */
  readonly vars: ReadonlyMap<string, ReadonlySet<string>>;
  readonly exited: ReadonlySet<string>;
  readonly deviceNames: readonly string[];
  /** Names of world.importers (none when absent). */
  readonly importerNames?: readonly string[];
}

export function checkAlphabet(c: CheckSection, setup: SetupView): Issue[] {
  const issues: Issue[] = [];
  const alphabet = c.alphabet as Readonly<Record<string, CheckSection['alphabet'][string]>>;
  /** Fork children the alphabet creates -> the thread that forks them. */
  const children = new Map<string, string>();
  for (const [thread, entries] of Object.entries(alphabet)) {
    entries.forEach((e, i) => {
      if (e.action.op !== 'fork') return;
      const child = e.action.args.child;
      if (setup.threadProc.has(child)) {
        issues.push({ path: ['check', 'alphabet', thread, i, 'fork', 'child'], message: `thread name '${child}' is taken by the setup; name the child something new` });
      } else children.set(child, thread);
    });
  }
  /** The process a thread's variables live in (a fork child: its parent's, whose variables it copies). */
  const procOf = (t: string, seen = new Set<string>()): string | undefined => {
    const p = setup.threadProc.get(t);
    if (p !== undefined) return p;
    const parent = children.get(t);
    if (parent === undefined || seen.has(parent)) return undefined;
    seen.add(t);
    return procOf(parent, seen);
  };
  /** Variables an `as:` of the alphabet binds, per process. */
  const asVars = new Map<string, Set<string>>();
  for (const [thread, entries] of Object.entries(alphabet)) {
    const p = procOf(thread);
    if (p === undefined) continue;
    for (const e of entries) {
      const set = asVars.get(p) ?? asVars.set(p, new Set()).get(p)!;
      if (e.as !== undefined) set.add(e.as);
      for (const v of outVars(e.action)) set.add(v);
    }
  }

  for (const [thread, entries] of Object.entries(alphabet)) {
    const at = (...p: (string | number)[]): (string | number)[] => ['check', 'alphabet', thread, ...p];
    if (setup.exited.has(thread)) {
      issues.push({ path: at(), message: `thread '${thread}' exited during the setup steps; it starts nothing more` });
      continue;
    }
    const proc = procOf(thread);
    if (proc === undefined) {
      issues.push({
        path: at(),
        message: `no thread '${thread}' after the setup steps; threads: ${orList([...setup.threadProc.keys()])} (a fork in the alphabet, fork: {child: ${thread}}, creates one)`,
      });
      continue;
    }
    const bound = new Set([...(setup.vars.get(proc) ?? []), ...(asVars.get(proc) ?? [])]);
    entries.forEach((e, i) => {
      const { op, args } = e.action;
      for (const { path, e: ex } of exprsOf(args)) {
        for (const v of exprVars(ex)) {
          if (bound.has(v)) continue;
          issues.push({
            path: at(i, op, ...path),
            message: `$${v} is bound neither by the setup steps nor by an \`as: ${v}\` of the alphabet in process ${proc}` +
              (bound.size ? ` (bound: ${[...bound].map((x) => '$' + x).join(', ')})` : ''),
          });
        }
      }
      if (e.action.op === 'open' || e.action.op === 'iommu_dma' || e.action.op === 'unbind') checkDevice(e.action.args.device, setup.deviceNames, at(i, e.action.op, 'device'), issues);
      if (e.action.op === 'ioctl') checkIoctl(e.action.args, at(i, 'ioctl'), issues);
      if (e.action.op === 'dmabuf_attach') checkImporter(e.action.args.importer, setup.importerNames ?? [], at(i, 'dmabuf_attach', 'importer'), issues);
      if (e.action.op === 'pwrite') {
        const a = e.action.args;
        const data = (['u8', 'u16', 'u32', 'u64', 'bytes'] as const).filter((k) => a[k] !== undefined);
        if (data.length !== 1) issues.push({ path: at(i, 'pwrite'), message: 'give exactly one of u8, u16, u32, u64 or bytes: the data to write' });
      }
    });
  }
  return issues;
}
