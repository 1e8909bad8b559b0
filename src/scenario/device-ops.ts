/**
 * Scenario ops for a vfio device's life cycle: `unbind` (the driver's
 * remove, from sysfs) and `low_power` (the LOW_POWER device features,
 * VFIO_DEVICE_FEATURE with feature 3, 4 or 5; sugar for the ioctl with the
 * bytes a C program passes).
 */
import * as z from 'zod';
import { boolean, ident, msg, numExpr, strict } from './values.js';
import type { NumExpr } from './expr.js';
import type { EventValue } from '../kernel/events.js';
import type { UserAction } from '../kernel/syscalls.js';
import { encodeStruct, leBytes } from '../uapi/codec.js';
import { parseExpr } from './expr.js';
import {
  VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
  VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, VFIO_DEVICE_FEATURE_PROBE, VFIO_DEVICE_FEATURE_SET, vfio_device_feature,
} from '../uapi/vfio.js';

/** The LOW_POWER features by the name a scenario gives. */
export const LOW_POWER_FEATURES = {
  entry: VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
  entry_with_wakeup: VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
  exit: VFIO_DEVICE_FEATURE_LOW_POWER_EXIT,
} as const;

const FEATURE_NAMES = Object.keys(LOW_POWER_FEATURES) as (keyof typeof LOW_POWER_FEATURES)[];

export const DEVICE_OPS = {
  /** echo BDF > /sys/bus/pci/drivers/vfio-pci/unbind for world device `device`; returns 0 once unbound. */
  unbind: strict({ device: ident }, 'unbind'),
  /**
   * ioctl(fd, VFIO_DEVICE_FEATURE, {argsz, SET|feature}) with `feature`
   * entry, entry_with_wakeup (then struct vfio_device_low_power_entry_with_wakeup
   * {wakeup_eventfd, reserved}) or exit; `probe` adds PROBE, `set: false`
   * drops SET, `argsz` overrides the buffer's size.
   */
  low_power: strict(
    {
      fd: numExpr,
      feature: z.enum(FEATURE_NAMES, { error: msg(`expected a low-power feature: ${FEATURE_NAMES.join(', ')}`) }),
      wakeup_eventfd: numExpr.optional(),
      set: boolean.default(true),
      probe: boolean.default(false),
      argsz: numExpr.optional(),
    },
    'low_power',
  ),
} as const;

type Evaluator = (e: NumExpr, at: (string | number)[]) => number;

/** The parsed arguments of a low_power step. */
export type LowPowerArgs = z.infer<(typeof DEVICE_OPS)['low_power']>;

/** The ioctl action of a low_power step and the arguments its trace line shows. */
export function prepareLowPower(a: LowPowerArgs, ev: Evaluator): { action: UserAction; args: Record<string, EventValue> } {
  const fd = ev(a.fd, ['fd']);
  const feature = LOW_POWER_FEATURES[a.feature];
  const flags = feature | (a.set ? VFIO_DEVICE_FEATURE_SET : 0) | (a.probe ? VFIO_DEVICE_FEATURE_PROBE : 0);
  const wakeup = a.feature === 'entry_with_wakeup';
  const efd = wakeup ? ev(a.wakeup_eventfd ?? parseExpr(0), ['wakeup_eventfd']) : 0;
  const body = wakeup ? [...leBytes(efd >>> 0, 4), 0, 0, 0, 0] : [];
  const argsz = a.argsz !== undefined ? ev(a.argsz, ['argsz']) : vfio_device_feature.size + body.length;
  const bytes = [...encodeStruct(vfio_device_feature, { argsz, flags }), ...body];
  const args: Record<string, EventValue> = { fd, feature: a.feature };
  if (wakeup) args['wakeup_eventfd'] = efd;
  if (!a.set || a.probe) args['flags'] = `0x${flags.toString(16)}`;
  if (a.argsz !== undefined) args['argsz'] = argsz;
  return { action: { op: 'ioctl', fd, cmd: VFIO_DEVICE_FEATURE, arg: bytes, argFault: false }, args };
}
