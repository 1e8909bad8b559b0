/**
 * Cross-reference checks of a scenario that the schema cannot express:
 * unique names, threads that exist when a step names them, variables bound
 * before they are read, `until` paired with `resume`, devices and ioctl
 * fields that exist. Each problem names the path to the offending value.
 */
import { msixProblem, romProblem } from '../pci/device.js';
import type { NumExpr } from './expr.js';
import { exprVars } from './expr.js';
import type { Scenario, Step } from './schema.js';
import type { OpArgs } from './ops.js';
import { IOCTLS, ioctlByCmd } from './ioctl.js';
import { closest, orList } from './flags.js';
import { checkAlphabet } from './check-alphabet.js';
import type { SetupView } from './check-alphabet.js';

export interface Issue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function isNumExpr(v: unknown): v is NumExpr {
  return typeof v === 'object' && v !== null && 'src' in v && 'expr' in v;
}

/** Every number expression in an op's arguments, with its path below the op. */
export function exprsOf(v: unknown, path: (string | number)[] = []): { path: (string | number)[]; e: NumExpr }[] {
  // an ioctl's struct fields are written as arg.X (the parsed form keeps them under arg.fields.X)
  if (path.length === 2 && path[0] === 'arg' && path[1] === 'fields') path = ['arg'];
  if (isNumExpr(v)) return [{ path, e: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => exprsOf(x, [...path, i]));
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).flatMap(([k, x]) => exprsOf(x, [...path, k]));
  }
  return [];
}

export function checkScenario(s: Scenario): Issue[] {
  const issues: Issue[] = [];
  const w = s.world;

  w.devices.forEach((d, i) => {
    const before = w.devices.slice(0, i);
    if (before.some((o) => o.name === d.name)) issues.push({ path: ['world', 'devices', i, 'name'], message: `device name '${d.name}' is used twice; give each device its own name` });
    if (before.some((o) => o.bdf === d.bdf)) issues.push({ path: ['world', 'devices', i, 'bdf'], message: `PCI address ${d.bdf} is used twice; give each device its own bdf` });
    d.bars.forEach((b, j) => {
      if (d.bars.slice(0, j).some((o) => o.index === b.index)) issues.push({ path: ['world', 'devices', i, 'bars', j, 'index'], message: `BAR ${b.index} is listed twice` });
      if (b.size < 0 || b.base < 0) issues.push({ path: ['world', 'devices', i, 'bars', j], message: 'BAR size and base must not be negative' });
      else if (b.size > 0 && (b.size < 16 || !Number.isInteger(Math.log2(b.size)))) {
        issues.push({ path: ['world', 'devices', i, 'bars', j, 'size'], message: `a memory BAR's size is a power of two of at least 16 bytes, not ${b.size}` });
      } else if (b.size > 0 && b.base % b.size !== 0) {
        issues.push({ path: ['world', 'devices', i, 'bars', j, 'base'], message: `a BAR is naturally aligned: base 0x${b.base.toString(16)} is not a multiple of its size 0x${b.size.toString(16)}` });
      } else if (b.io && b.size > 256) {
        issues.push({ path: ['world', 'devices', i, 'bars', j, 'size'], message: `an I/O BAR has at most 256 ports, not ${b.size}` });
      }
    });
    const romWrong = d.rom ? romProblem(d.rom) : null;
    if (romWrong !== null) issues.push({ path: ['world', 'devices', i, 'rom'], message: romWrong });
    const msixWrong = d.msix ? msixProblem(d.msix, d.bars) : null;
    if (msixWrong !== null) issues.push({ path: ['world', 'devices', i, 'msix'], message: msixWrong });
  });

  w.importers.forEach((imp, i) => {
    if (w.importers.slice(0, i).some((o) => o.name === imp.name)) issues.push({ path: ['world', 'importers', i, 'name'], message: `importer name '${imp.name}' is used twice; give each importer its own name` });
  });
  const importerNames = w.importers.map((x) => x.name);

  /** Thread name -> process name, for threads that exist now. */
  const threadProc = new Map<string, string>();
  /** Variables bound in each process. */
  const vars = new Map<string, Set<string>>();
  w.processes.forEach((p, i) => {
    if (w.processes.slice(0, i).some((o) => o.name === p.name)) issues.push({ path: ['world', 'processes', i, 'name'], message: `process name '${p.name}' is used twice` });
    vars.set(p.name, new Set());
    p.threads.forEach((t, j) => {
      if (threadProc.has(t)) issues.push({ path: ['world', 'processes', i, 'threads', j], message: `thread name '${t}' is used twice; thread names are unique across processes` });
      threadProc.set(t, p.name);
    });
  });

  const parked = new Map<string, number>();
  const exited = new Set<string>();
  const deviceNames = w.devices.map((x) => x.name);

  const setupCount = s.check?.setup ?? s.steps.length;
  let view: SetupView | undefined;
  const snapshot = (): SetupView => ({
    threadProc: new Map(threadProc), vars: new Map([...vars].map(([p, vs]) => [p, new Set(vs)])),
    exited: new Set(exited), deviceNames, importerNames,
  });
  s.steps.forEach((st: Step, i) => {
    if (i === setupCount) view = snapshot();
    const at = (...p: (string | number)[]): (string | number)[] => ['steps', i, ...p];
    const proc = threadProc.get(st.thread);
    const key = st.kind === 'resume' ? 'resume' : 'thread';
    if (proc === undefined) {
      issues.push({ path: at(key), message: `no thread '${st.thread}'; threads so far: ${orList([...threadProc.keys()])} (fork: {child: ${st.thread}} creates one)` });
      return;
    }
    if (exited.has(st.thread)) {
      issues.push({ path: at(key), message: `thread '${st.thread}' exited at an earlier step; it runs nothing more` });
      return;
    }
    if (st.until !== undefined && (st.as !== undefined || st.expect !== undefined)) {
      issues.push({ path: at(st.as !== undefined ? 'as' : 'expect'), message: `\`as\` and \`expect\` apply when the action returns; move them to the \`resume: ${st.thread}\` step that finishes it` });
    }
    if (st.kind === 'resume') {
      if (!parked.has(st.thread)) {
        issues.push({ path: at('resume'), message: `thread '${st.thread}' is not inside the kernel here; resume continues a thread an earlier step stopped with \`until\`` });
        return;
      }
      parked.delete(st.thread);
    } else {
      const stoppedAt = parked.get(st.thread);
      if (stoppedAt !== undefined) {
        issues.push({ path: at('thread'), message: `thread '${st.thread}' is still inside the kernel (steps[${stoppedAt}].until); add \`resume: ${st.thread}\` before this step` });
        return;
      }
      const { op, args } = st.action;
      const pv = vars.get(proc)!;
      for (const { path, e } of exprsOf(args)) {
        for (const v of exprVars(e)) {
          if (!pv.has(v)) {
            issues.push({
              path: at(op, ...path),
              message: `$${v} is not bound in process ${proc} here; bind it with \`as: ${v}\` on an earlier step of one of its threads` +
                (pv.size ? ` (bound: ${[...pv].map((x) => '$' + x).join(', ')})` : ''),
            });
          }
        }
      }
      if (st.action.op === 'open' || st.action.op === 'iommu_dma' || st.action.op === 'unbind') checkDevice(st.action.args.device, deviceNames, at(st.action.op, 'device'), issues);
      if (st.action.op === 'ioctl') checkIoctl(st.action.args, at('ioctl'), issues);
      if (st.action.op === 'dmabuf_attach') checkImporter(st.action.args.importer, importerNames, at('dmabuf_attach', 'importer'), issues);
      if (st.action.op === 'pwrite') {
        const a = st.action.args;
        const data = (['u8', 'u16', 'u32', 'u64', 'bytes'] as const).filter((k) => a[k] !== undefined);
        if (data.length !== 1) issues.push({ path: at('pwrite'), message: 'give exactly one of u8, u16, u32, u64 or bytes: the data to write' });
      }
      if (st.action.op === 'fork') {
        const child = st.action.args.child;
        if (threadProc.has(child)) issues.push({ path: at('fork', 'child'), message: `thread name '${child}' is taken; name the child thread something new` });
        else {
          threadProc.set(child, child);
          vars.set(child, new Set(pv));
        }
      }
      if (st.action.op === 'exit') exited.add(st.thread);
    }
    if (st.until !== undefined) parked.set(st.thread, i);
    const pv = vars.get(proc)!;
    const unbound = (path: (string | number)[], e: NumExpr, extra?: string): void => {
      for (const v of exprVars(e)) {
        if (!pv.has(v) && v !== extra) issues.push({ path, message: `$${v} is not bound in process ${proc} here; bind it with \`as: ${v}\` on an earlier step` });
      }
    };
    if (st.expect?.ret !== undefined && typeof st.expect.ret !== 'number') unbound(at('expect', 'ret'), st.expect.ret);
    const m = st.expect?.mapped;
    if (m) {
      unbound(at('expect', 'mapped', 'addr'), m.addr, st.as);
      if (m.pfn) unbound(at('expect', 'mapped', 'pfn'), m.pfn, st.as);
    }
    if (st.as !== undefined) pv.add(st.as);
    if (st.kind === 'action') for (const v of outVars(st.action)) pv.add(v);
    for (const [name, e] of Object.entries(st.expect?.vars ?? {})) {
      if (typeof e !== 'number') unbound(at('expect', 'vars', name), e);
      if (!pv.has(name)) issues.push({ path: at('expect', 'vars', name), message: `$${name} is not bound in process ${proc} after this step; bind it with \`as:\` or \`out:\`` });
    }
  });
  if (s.check) {
    if (setupCount > s.steps.length) {
      issues.push({ path: ['check', 'setup'], message: `setup is ${setupCount} but the scenario has ${s.steps.length} steps` });
    }
    issues.push(...checkAlphabet(s.check, view ?? snapshot()));
  }
  return issues;
}

/** A device name (open, iommu_dma) names an entry of world.devices. */
export function checkDevice(name: string, deviceNames: readonly string[], at: (string | number)[], issues: Issue[]): void {
  if (deviceNames.includes(name)) return;
  const near = closest(name, deviceNames);
  issues.push({
    path: at,
    message: `no device '${name}' in world.devices` + (near ? `; did you mean '${near}'?` : deviceNames.length ? `; devices: ${orList(deviceNames)}` : '; add one under world.devices'),
  });
}

/** Variables an op binds besides `as:`: an ioctl's `out:` fields, a pread's `out:`. */
export function outVars(op: OpArgs): string[] {
  if (op.op === 'pread') return op.args.out !== undefined ? [op.args.out] : [];
  return op.op === 'ioctl' ? Object.keys(op.args.out ?? {}) : [];
}

/** `importer:` names an entry of world.importers. */
export function checkImporter(name: string, importerNames: readonly string[], at: (string | number)[], issues: Issue[]): void {
  if (importerNames.includes(name)) return;
  const near = closest(name, importerNames);
  issues.push({
    path: at,
    message: `no importer '${name}' in world.importers` +
      (near ? `; did you mean '${near}'?` : importerNames.length ? `; importers: ${orList(importerNames)}` : '; add one, e.g. importers: [{name: gpu, kind: dynamic}]'),
  });
}

export function checkIoctl(
  a: {
    readonly cmd: string | number;
    readonly arg?: { readonly kind: string; readonly fields?: object };
    readonly out?: { readonly [variable: string]: string };
  },
  at: (string | number)[],
  issues: Issue[],
): void {
  const spec = typeof a.cmd === 'number' ? ioctlByCmd(a.cmd) : IOCTLS[a.cmd];
  if (!spec) {
    if (typeof a.cmd === 'number') {
      if (a.out !== undefined) issues.push({ path: [...at, 'out'], message: 'out: needs the ioctl by name, so its struct is known' });
      return;
    }
    const names = Object.keys(IOCTLS);
    const near = closest(a.cmd, names);
    issues.push({ path: [...at, 'cmd'], message: `unknown ioctl '${a.cmd}'; ` + (near ? `did you mean ${near}? ` : '') + `known: ${names.join(', ')} (or give a number)` });
    return;
  }
  if (a.out !== undefined && spec.struct && (a.arg === undefined || a.arg.kind === 'none')) {
    issues.push({ path: [...at, 'out'], message: `out: reads fields of the struct back; pass the struct: arg: {} (${spec.struct.name} with its size filled in) or its fields` });
  }
  for (const [v, field] of Object.entries(a.out ?? {})) {
    const known = [...spec.struct?.fields.map((f) => f.name) ?? [], ...spec.capChain?.fields.map((f) => `cap.${f.name}`) ?? []];
    if (known.includes(field)) continue;
    const near = closest(field, known);
    issues.push({
      path: [...at, 'out', v],
      message: spec.struct
        ? `struct ${spec.struct.name} has no field '${field}' to read back; ` + (near ? `did you mean '${near}'? ` : '') + `fields: ${known.join(', ')}`
        : `${spec.name} has no struct to read a field back from`,
    });
  }
  if (typeof a.cmd === 'number') return;
  if (a.arg?.kind !== 'fields' || !a.arg.fields) return;
  if (!spec.struct) {
    const str = spec.stringArg !== undefined ? `arg: {${spec.stringArg}: "text"}, ` : '';
    issues.push({ path: [...at, 'arg'], message: `${spec.name} has no struct to name fields of; give ${str}arg: {bytes: "hex"} or leave arg out` });
    return;
  }
  const known = spec.struct.fields.map((f) => f.name);
  for (const f of Object.keys(a.arg.fields)) {
    if (!known.includes(f)) {
      const near = closest(f, known);
      issues.push({ path: [...at, 'arg', f], message: `struct ${spec.struct.name} has no field '${f}'; ` + (near ? `did you mean '${near}'? ` : '') + `fields: ${known.join(', ')}` });
    }
  }
}
