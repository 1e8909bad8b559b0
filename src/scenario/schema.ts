/**
 * The scenario format, as zod schemas.
 *
 * A scenario names a world (arch profile, PCI devices bound to vfio-pci,
 * processes and their threads) and an ordered list of steps. A step runs
 * one op on one thread (`{thread: A, mmap: {...}}`), or resumes a thread
 * that an earlier `until` left inside the kernel (`{resume: A}`).
 * Cross-references (thread names, variables, `until`/`resume` pairing) are
 * checked afterwards by src/scenario/check.ts.
 */
import { INVARIANTS } from '../check/invariants/index.js';
import { DEFECTS } from '../designs/defects.js';
import * as z from 'zod';
import { OP_NAMES, OP_SHAPE } from './ops.js';
import type { OpArgs } from './ops.js';
import { checkSection } from './check-section.js';
import { orList } from './flags.js';
import { boolean, constNum, expectedRet, ident, msg, numExpr, strict } from './values.js';
import type { NumExpr } from './expr.js';
import { ARCH_PROFILES, DEFAULT_ARCH } from '../arch/profiles.js';
import { THP_ENABLED } from '../mm/thp.js';

const archName = z
  .string({ error: msg('expected an arch profile name') })
  .refine((a) => ARCH_PROFILES.some((p) => p.name === a), {
    error: `unknown arch profile; expected ${orList(ARCH_PROFILES.map((p) => p.name))}`,
  });

const bar = strict(
  {
    index: z.number({ error: msg('expected a BAR index 0..5') }).int().min(0).max(5, { error: 'a BAR index is 0..5' }),
    size: constNum,
    base: constNum,
    is64: boolean.default(true),
    prefetchable: boolean.default(false),
    /** An I/O space BAR: `base` is the first port (at most 256 ports). */
    io: boolean.default(false),
  },
  'bar',
);

/** The drivers a world device can be bound to (src/vfio/pci/device.ts). */
export const DEVICE_DRIVERS = ['vfio-pci', 'variant'] as const;
/** The expansion ROM BAR: `imageSize` bytes of a valid PCI ROM image (0: invalid content). */
const rom = strict({ size: constNum, base: constNum, imageSize: constNum }, 'rom');

/** The MSI-X capability: vectors, and the BAR index and offset of the table and the PBA. */
const msix = strict(
  { vectors: constNum, tableBar: constNum, tableOffset: constNum, pbaBar: constNum, pbaOffset: constNum },
  'msix',
);

const device = strict(
  {
    name: ident,
    bdf: z
      .string({ error: msg('expected a PCI address such as 0000:01:00.0') })
      .regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/, { error: 'expected a PCI address domain:bus:device.function such as 0000:01:00.0 (lower-case hex)' }),
    vendor: constNum.default(0x10de),
    device: constNum.default(0x2330),
    bars: z.array(bar, { error: msg('expected a list of BARs: [{index: 0, size: 2M, base: 0x4000000000}]') }),
    structPages: boolean.default(false),
    noCommandMemory: boolean.default(false),
    flr: boolean.default(true),
    /**
     * The driver bound to the function: `vfio-pci`, or `variant`, a vfio-pci
     * variant driver that sets no vdev->pci_ops (mlx5-vfio-pci,
     * hisi-acc-vfio-pci, qat-vfio-pci, ...), so no get_dmabuf_phys hook.
     */
    driver: z.enum(DEVICE_DRIVERS, { error: msg(`expected a driver: ${orList([...DEVICE_DRIVERS])}`) }).default('vfio-pci'),
    rom: rom.optional(),
    msix: msix.optional(),
    /** pdev->non_mappable_bars (s390): no BAR is mmap-capable. */
    nonMappableBars: boolean.default(false),
  },
  'device',
);

const processSpec = strict(
  {
    name: ident,
    threads: z.array(ident, { error: msg('expected a list of thread names, e.g. [A, B]') }).min(1, { error: 'a process needs at least one thread' }),
  },
  'process',
);

const IMPORTER_KINDS = ['dynamic', 'deferred', 'pinned', 'iommufd'] as const;

/**
 * An importing device and its driver (src/dma-buf/importer-ops.ts): `dynamic`
 * (GPU-like, unmaps on move_notify), `deferred` (GPU-like, invalidates on
 * move_notify and unmaps later, when its driver runs dmabuf_unmap), `pinned` (RDMA-like, pins and ignores
 * move_notify), `iommufd` (one range through vfio's private interconnect).
 */
const importer = strict(
  {
    name: ident,
    kind: z.enum(IMPORTER_KINDS, { error: msg(`expected an importer kind: ${orList([...IMPORTER_KINDS])}`) }),
    /** dma_buf_attach_ops.allow_peer2peer (default true: VFIO refuses attachments without it). */
    peer2peer: boolean.default(true),
  },
  'importer',
);

/** The kernel's build options the model knows (src/kernel/config.ts). */
const kernelConfig = strict(
  {
    CONFIG_DMABUF_MOVE_NOTIFY: boolean.default(true),
  },
  'config',
);

const world = strict(
  {
    arch: archName.default(DEFAULT_ARCH),
    config: kernelConfig.default({ CONFIG_DMABUF_MOVE_NOTIFY: true }),
    devices: z.array(device, { error: msg('expected a list of devices') }).default([]),
    importers: z.array(importer, { error: msg('expected a list of importers: [{name: gpu, kind: dynamic}]') }).default([]),
    processes: z.array(processSpec, { error: msg('expected a list of processes') }).min(1, { error: 'a world needs at least one process' }),
    /** /sys/kernel/mm/transparent_hugepage/enabled (src/mm/thp.ts). */
    thp: z.enum(THP_ENABLED, { error: msg(`expected a THP setting: ${orList([...THP_ENABLED])}`) }).default('always'),
  },
  'world',
);

const SIGNALS = ['SIGBUS', 'SIGSEGV', 'none'] as const;

const mapped = strict(
  {
    addr: numExpr,
    level: z.enum(['pte', 'pmd', 'pud', 'none'], { error: msg('expected the leaf level: pte, pmd, pud or none (nothing mapped)') }),
    pfn: numExpr.optional(),
    special: boolean.optional(),
    write: boolean.optional(),
  },
  'mapped',
);

const expect = strict(
  {
    ret: expectedRet.optional(),
    mapped: mapped.optional(),
    signal: z.enum(SIGNALS, { error: msg(`expected a signal: ${orList([...SIGNALS])}`) }).optional(),
    /** Variables of the thread's process after the step (bound by `as:` or `out:`): name -> value. */
    vars: z.record(ident, expectedRet, { error: msg('expected variables and their values, e.g. {flags: 0x7}') }).optional(),
  },
  'expect',
);

const label = z
  .string({ error: msg('expected a label fn:label, e.g. vfio_pci_mmap_huge_fault:after_memory_lock') })
  .regex(/^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$/, { error: 'expected a label fn:label, e.g. vfio_pci_mmap_huge_fault:after_memory_lock' });

const opShape = OP_SHAPE;

const rawStep = strict(
  {
    thread: ident.optional(),
    resume: ident.optional(),
    as: ident.optional(),
    until: label.optional(),
    expect: expect.optional(),
    ...opShape,
  },
  'step',
);

/** What a step expects of the action's outcome. */
export interface Expect {
  /** Return value: a number, an expression, or -errno. */
  readonly ret?: number | NumExpr;
  /** The signal the action must deliver; 'none' (the default when `expect` is given) for none. */
  readonly signal?: 'SIGBUS' | 'SIGSEGV' | 'none';
  /** The page-table leaf that maps `addr` in the thread's mm after the step. */
  readonly mapped?: MappedExpect;
  /** Variables of the thread's process after the step (an ioctl's `out:`, a pread's `out:`, `as:`). */
  readonly vars?: { readonly [name: string]: number | NumExpr };
}

/** A page-table leaf the step must leave behind (or `level: none`: nothing maps addr). */
export interface MappedExpect {
  readonly addr: NumExpr;
  readonly level: 'pte' | 'pmd' | 'pud' | 'none';
  /** The leaf's pfn (the first pfn of a huge leaf). */
  readonly pfn?: NumExpr;
  readonly special?: boolean;
  readonly write?: boolean;
}

interface StepCommon {
  /** Index in `steps` (0-based, as in `steps[3]` and `[step 3]`). */
  readonly index: number;
  readonly thread: string;
  /** Variable of the thread's process that the return value is bound to. */
  readonly as?: string;
  /** Stop the thread before this label (`fn:label`), leaving it in the kernel. */
  readonly until?: string;
  readonly expect?: Expect;
}

/** Run an op on a thread. */
export interface ActionStep extends StepCommon {
  readonly kind: 'action';
  readonly action: OpArgs;
}

/** Continue a thread an earlier `until` left inside the kernel. */
export interface ResumeStep extends StepCommon {
  readonly kind: 'resume';
}

export type Step = ActionStep | ResumeStep;

export const stepSchema = rawStep.transform((s, ctx): Step => {
  const ops = OP_NAMES.filter((n) => s[n] !== undefined);
  const common = {
    index: 0,
    ...(s.as !== undefined ? { as: s.as } : {}),
    ...(s.until !== undefined ? { until: s.until } : {}),
    ...(s.expect !== undefined ? { expect: s.expect as Expect } : {}),
  };
  if (s.thread !== undefined && s.resume !== undefined) {
    ctx.issues.push({ code: 'custom', input: s, path: ['resume'], message: 'a step has either `thread:` (run an op) or `resume:` (continue a thread), not both' });
    return z.NEVER;
  }
  if (s.resume !== undefined) {
    if (ops.length > 0) {
      ctx.issues.push({ code: 'custom', input: s, path: [ops[0]!], message: `a resume step continues the thread's current action; move ${ops[0]} to a step of its own` });
      return z.NEVER;
    }
    return { kind: 'resume', thread: s.resume, ...common };
  }
  if (s.thread === undefined) {
    ctx.issues.push({ code: 'custom', input: s, message: 'a step needs `thread: <name>` and one op, or `resume: <name>`' });
    return z.NEVER;
  }
  if (ops.length !== 1) {
    ctx.issues.push({
      code: 'custom', input: s, path: ops.length > 1 ? [ops[1]!] : [],
      message: ops.length === 0
        ? `no op in this step; add one of ${orList(OP_NAMES)}`
        : `one op per step; move ${ops[1]} to a step of its own`,
    });
    return z.NEVER;
  }
  const op = ops[0]!;
  const action = { op, args: s[op] } as OpArgs;
  return { kind: 'action', thread: s.thread, action, ...common };
});

/** Scenario names are litmus-test style: the ops joined by `+` (`fork+cmd-disable`). */
const scenarioName = z
  .string({ error: msg('expected a scenario name, e.g. fault+cmd-disable') })
  .regex(/^[A-Za-z0-9][\w.+-]*$/, { error: 'a scenario name is letters, digits and _ . + -, e.g. fault+cmd-disable' });

export const scenarioSchema = strict(
  {
    name: scenarioName,
    description: z.string({ error: msg('expected a one-line description of what the scenario shows') }).min(1),
    world,
    steps: z.array(stepSchema, { error: msg('expected a list of steps') }),
    defects: z
      .array(
        z.string().refine((n) => DEFECTS.some((d) => d.name === n), {
          error: `unknown defect; defects: ${DEFECTS.map((d) => d.name).join(', ')} (barmap list)`,
        }),
        { error: msg('expected a list of defect names to switch on') },
      )
      .optional(),
    violates: z
      .array(
        z.string().refine((n) => INVARIANTS.some((i) => i.name === n), {
          error: `unknown invariant; invariants: ${INVARIANTS.map((i) => i.name).join(', ')}`,
        }),
        { error: msg('expected a list of invariant names this scenario breaks') },
      )
      .optional(),
    check: checkSection.optional(),
  },
  'scenario',
).transform((s) => {
  const ids = importerIds(s.world.importers);
  const steps = s.steps.map((st, i) => ({ ...st, index: i, ...(st.kind === 'action' ? { action: withImporterId(st.action, ids) } : {}) }));
  if (s.check === undefined) return { ...s, steps };
  const alphabet = Object.fromEntries(Object.entries(s.check.alphabet).map(([t, es]) => [t, es.map((e) => ({ ...e, action: withImporterId(e.action, ids) }))]));
  return { ...s, steps, check: { ...s.check, alphabet } };
});

/**
 * Importer name -> its id in the kernel state. buildWorld creates the
 * importers first, in world order, on an empty state, so the i-th importer
 * gets id i + 1 (src/scenario/world.ts checks it).
 */
export function importerIds(importers: readonly { readonly name: string }[]): ReadonlyMap<string, number> {
  const ids = new Map<string, number>();
  importers.forEach((imp, i) => {
    if (!ids.has(imp.name)) ids.set(imp.name, i + 1);
  });
  return ids;
}

/** A dmabuf_attach with its importer's id filled in (0: no such importer; the cross-checks report it). */
function withImporterId(op: OpArgs, ids: ReadonlyMap<string, number>): OpArgs {
  if (op.op !== 'dmabuf_attach') return op;
  return { op: 'dmabuf_attach', args: { ...op.args, importerId: ids.get(op.args.importer) ?? 0 } };
}

/** A loaded, valid scenario. */
export type Scenario = z.output<typeof scenarioSchema>;
export type World = Scenario['world'];
export type DeviceSpec = World['devices'][number];
export type ImporterSpec = World['importers'][number];
export type ProcessSpec = World['processes'][number];
