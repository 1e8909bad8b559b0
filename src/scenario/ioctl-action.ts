/**
 * The ioctl op of a scenario as a {@link UserAction}: the argument's bytes
 * (struct fields encoded by the uapi layout with the size field filled in,
 * a value, a string, or raw bytes), the `out:` fields read back after the
 * call, and the decoded arguments the trace shows.
 */
import type { IoctlOut, UserAction } from '../kernel/syscalls.js';
import type { EventValue } from '../kernel/events.js';
import { hex } from '../kernel/events.js';
import type { IoctlOpArgs } from './ops.js';
import { IOCTLS, encodeIoctlArg, fieldPlace, ioctlByCmd, stringArgBytes, valueArgBytes } from './ioctl.js';
import { flagNames } from './flags.js';
import type { Evaluator } from './dmabuf-action.js';
import { bytesHex } from '../uapi/codec.js';

/** Evaluation failed at a path below the op (the caller turns it into its error type). */
export type Fail = (path: (string | number)[], message: string) => never;

export function prepareIoctl(a: IoctlOpArgs, ev: Evaluator, fail: Fail): { action: UserAction; args: Record<string, EventValue> } {
  const spec = typeof a.cmd === 'string' ? IOCTLS[a.cmd] : ioctlByCmd(a.cmd);
  const cmd = typeof a.cmd === 'number' ? a.cmd : spec?.cmd;
  if (cmd === undefined) return fail(['cmd'], `unknown ioctl '${String(a.cmd)}'`);
  const fd = ev(a.fd, ['fd']);
  const args: Record<string, EventValue> = { fd, cmd: spec?.name ?? hex(cmd) };
  let bytes: number[] = [];
  const arg = a.arg ?? { kind: 'none' as const };
  if (arg.kind === 'bytes') {
    bytes = [...arg.bytes];
    args['arg'] = bytesHex(bytes);
  } else if (arg.kind === 'string') {
    bytes = stringArgBytes(arg.text);
    args[spec?.stringArg ?? 'arg'] = JSON.stringify(arg.text);
  } else if (arg.kind === 'value') {
    const value = ev(arg.value, ['arg', 'value']);
    bytes = valueArgBytes(value);
    args['value'] = spec?.valueArg ? flagNames(spec.valueArg, value) : value;
  } else if (arg.kind === 'fields') {
    if (!spec?.struct) return fail(['arg'], `${spec?.name ?? hex(cmd)} has no struct fields; give arg: {bytes: "hex"}`);
    const fields: Record<string, number | bigint> = {};
    for (const [k, e] of Object.entries(arg.fields)) {
      const v = typeof e === 'bigint' ? e : ev(e, ['arg', k]);
      fields[k] = v;
      const set = spec.flagFields?.[k];
      const type = spec.struct.fields.find((f) => f.name === k)?.type;
      // a field named like the syscall's own arguments (MAP_FILE's fd) shows as arg.fd
      args[k === 'fd' || k === 'cmd' ? `arg.${k}` : k] = set && typeof v === 'number' ? flagNames(set, v) : type === 'u64' ? hex64(v) : typeof v === 'bigint' ? hex64(v) : v;
    }
    bytes = encodeIoctlArg(spec, fields);
  }
  if (a.fault) args['arg'] = 'EFAULT';
  const out: IoctlOut[] = [];
  for (const [name, field] of Object.entries(a.out ?? {})) {
    const place = spec ? fieldPlace(spec, field) : undefined;
    if (place === undefined) return fail(['out', name], `${spec?.name ?? hex(cmd)} has no struct field '${field}' to read back`);
    out.push({ name, ...place });
  }
  if (out.length > 0) args['out'] = Object.entries(a.out ?? {}).map(([n, f]) => `$${n}=${f}`).join(',');
  const action: UserAction = { op: 'ioctl', fd, cmd, arg: bytes, argFault: a.fault, ...(out.length > 0 ? { out } : {}) };
  return { action, args };
}

function hex64(v: number | bigint): string {
  return `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
}
