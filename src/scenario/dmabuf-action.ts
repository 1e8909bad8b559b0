/**
 * The dma-buf ops of a scenario as {@link UserAction}s: `dmabuf_export`
 * becomes the VFIO_DEVICE_FEATURE ioctl with the exact bytes of struct
 * vfio_device_feature + struct vfio_device_feature_dma_buf + the ranges
 * (the encoders of src/uapi), the importer ops become the importer driver
 * actions of src/dma-buf/importer.ts.
 */
import type { UserAction } from '../kernel/syscalls.js';
import type { EventValue } from '../kernel/events.js';
import { hex } from '../kernel/events.js';
import { evalExpr } from './expr.js';
import type { NumExpr } from './expr.js';
import type { U64Value } from './values.js';
import { encodeStruct } from '../uapi/codec.js';
import {
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_PROBE,
  VFIO_DEVICE_FEATURE_SET, vfio_device_feature, vfio_device_feature_dma_buf, vfio_region_dma_range,
} from '../uapi/vfio.js';

type Vars = { readonly [name: string]: number };

/** Evaluate an expression; `at` names the argument for the caller's error. */
export type Evaluator = (e: NumExpr, at: (string | number)[]) => number;

/** The written arguments of dmabuf_export, after loading. */
export interface ExportArgs {
  readonly fd: NumExpr;
  readonly region: number;
  readonly ranges: readonly { readonly offset: U64Value; readonly length: U64Value }[];
  readonly open_flags: number;
  readonly get: boolean;
  readonly set: boolean;
  readonly probe: boolean;
  readonly nr_ranges?: NumExpr | undefined;
  readonly argsz?: NumExpr | undefined;
  readonly fault: boolean;
}

function u64(v: U64Value, ev: Evaluator, at: (string | number)[]): bigint {
  return typeof v === 'bigint' ? v : BigInt.asUintN(64, BigInt(ev(v, at)));
}

/** The VFIO_DEVICE_FEATURE flags an export asks for. */
export function exportFeatureFlags(a: Pick<ExportArgs, 'get' | 'set' | 'probe'>): number {
  return VFIO_DEVICE_FEATURE_DMA_BUF | (a.get ? VFIO_DEVICE_FEATURE_GET : 0) | (a.set ? VFIO_DEVICE_FEATURE_SET : 0)
    | (a.probe ? VFIO_DEVICE_FEATURE_PROBE : 0);
}

/** "PROBE|GET|DMA_BUF". */
function featureName(flags: number): string {
  const parts = [
    ...(flags & VFIO_DEVICE_FEATURE_PROBE ? ['PROBE'] : []),
    ...(flags & VFIO_DEVICE_FEATURE_GET ? ['GET'] : []),
    ...(flags & VFIO_DEVICE_FEATURE_SET ? ['SET'] : []),
  ];
  return [...parts, 'DMA_BUF'].join('|');
}

/**
 * The bytes a C program passes for the export: vfio_device_feature {argsz,
 * flags}, vfio_device_feature_dma_buf {region_index, open_flags, flags = 0,
 * nr_ranges}, then one vfio_region_dma_range per range. argsz defaults to
 * the whole buffer and nr_ranges to the number of ranges given.
 */
export function exportArgBytes(a: ExportArgs, ev: Evaluator): { bytes: number[]; ranges: { offset: bigint; length: bigint }[]; nr: number; argsz: number } {
  const ranges = a.ranges.map((r, i) => ({ offset: u64(r.offset, ev, ['ranges', i, 'offset']), length: u64(r.length, ev, ['ranges', i, 'length']) }));
  const nr = a.nr_ranges !== undefined ? ev(a.nr_ranges, ['nr_ranges']) : ranges.length;
  const body = [
    ...encodeStruct(vfio_device_feature_dma_buf, { region_index: a.region, open_flags: a.open_flags, flags: 0, nr_ranges: nr }),
    ...ranges.flatMap((r) => encodeStruct(vfio_region_dma_range, { offset: r.offset, length: r.length })),
  ];
  const argsz = a.argsz !== undefined ? ev(a.argsz, ['argsz']) : vfio_device_feature.size + body.length;
  const head = encodeStruct(vfio_device_feature, { argsz, flags: exportFeatureFlags(a) });
  return { bytes: [...head, ...body], ranges, nr, argsz };
}

/** The ioctl action of a dmabuf_export and the arguments its trace line shows. */
export function prepareExport(
  a: ExportArgs, ev: Evaluator, openFlagsName: (f: number) => string,
): { action: UserAction; args: Record<string, EventValue> } {
  const fd = ev(a.fd, ['fd']);
  const { bytes, ranges, nr, argsz } = exportArgBytes(a, ev);
  const flags = exportFeatureFlags(a);
  const args: Record<string, EventValue> = {
    fd, region: a.region,
    ranges: `[${ranges.map((r) => `0x${r.offset.toString(16)}+0x${r.length.toString(16)}`).join(',')}]`,
    open_flags: openFlagsName(a.open_flags),
  };
  if (flags !== (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF)) args['feature'] = featureName(flags);
  if (a.nr_ranges !== undefined) args['nr_ranges'] = nr;
  if (a.argsz !== undefined) args['argsz'] = argsz;
  if (a.fault) args['arg'] = 'EFAULT';
  return { action: { op: 'ioctl', fd, cmd: VFIO_DEVICE_FEATURE, arg: bytes, argFault: a.fault }, args };
}

/** dmabuf_attach: the importer's id was resolved when the scenario loaded. */
export function prepareAttach(
  a: { readonly importer: string; readonly importerId: number; readonly fd: NumExpr }, ev: Evaluator,
): { action: UserAction; args: Record<string, EventValue> } | string {
  if (a.importerId <= 0) return `no importer '${a.importer}' in world.importers`;
  const fd = ev(a.fd, ['fd']);
  return { action: { op: 'dmabuf_attach', importer: a.importerId, fd }, args: { importer: a.importer, fd } };
}

/** dma: one access of the importer's device (the dma_access action). */
export function prepareDma(
  a: { readonly attachment: NumExpr; readonly offset: NumExpr; readonly size: number; readonly write: boolean; readonly value: NumExpr },
  ev: Evaluator,
): { action: UserAction; args: Record<string, EventValue> } {
  const attachment = ev(a.attachment, ['attachment']);
  const offset = ev(a.offset, ['offset']);
  const value = ev(a.value, ['value']);
  return {
    action: { op: 'dma_access', attachment, offset, size: a.size, write: a.write, value },
    args: { attachment, offset: hex(offset), size: a.size, write: a.write, ...(a.write ? { value: hex(value) } : {}) },
  };
}

/** An evaluator over a process's variables that reports failures through `fail`. */
export function evaluator(vars: Vars, fail: (at: (string | number)[], message: string) => never): Evaluator {
  return (e, at) => {
    try {
      return evalExpr(e, vars);
    } catch (err) {
      return fail(at, err instanceof Error ? err.message : String(err));
    }
  };
}
