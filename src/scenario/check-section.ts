/**
 * The `check:` section of a scenario: what the checker explores after the
 * scenario's steps have run as a deterministic setup.
 *
 *     check:
 *       alphabet:                       # per thread, the ops it may start
 *         A: [ {load: {addr: $bar0}}, {munmap: {addr: $bar0, length: 16K}} ]
 *         B: [ {pwrite: {fd: $fd, region: config, offset: PCI_COMMAND, u16: 0}} ]
 *       maxActions: 2                   # ops each thread starts at most
 *       preemptions: 2                  # switches away from a runnable thread in the kernel
 *       maxStates: 200000               # optional cut-off
 *       setup: 2                        # optional: only the first 2 steps run as the setup
 *       invariants: [no-access-to-disabled-bar]   # optional; default all
 *       violates: {x86_64-pte-special-only: [gup-fast-agrees-with-gup]}  # optional
 *
 * Alphabet entries use the op syntax of steps; their expressions are
 * evaluated when the checker offers the op, against the thread's process
 * variables (an entry whose variables are not bound yet is not offered).
 * `as:` binds the op's return value when it returns.
 */
import * as z from 'zod';
import { OP_NAMES, OP_SHAPE } from './ops.js';
import type { OpArgs } from './ops.js';
import { editDistance, orList } from './flags.js';
import { ident, msg, strict } from './values.js';
import { INVARIANTS } from '../check/invariants/index.js';
import { ARCH_PROFILES } from '../arch/profiles.js';
import { DESIGNS } from '../designs/index.js';

/** The deadlock invariant the explorer adds to the catalogue (src/check/bfs.ts). */
export const DEADLOCK_INVARIANT = 'no-deadlock';

/** Every invariant name a check may name: the catalogue and no-deadlock. */
export function checkInvariantNames(): string[] {
  return [...INVARIANTS.map((i) => i.name), DEADLOCK_INVARIANT];
}

/** One op a thread may start during exploration. */
export interface AlphabetEntry {
  readonly action: OpArgs;
  /** Variable of the thread's process bound to the op's return value. */
  readonly as?: string;
}

const rawEntry = strict({ as: ident.optional(), ...OP_SHAPE }, 'alphabet entry');

const entry = rawEntry.transform((e, ctx): AlphabetEntry => {
  const ops = OP_NAMES.filter((n) => e[n] !== undefined);
  if (ops.length !== 1) {
    ctx.issues.push({
      code: 'custom', input: e, path: ops.length > 1 ? [ops[1]!] : [],
      message: ops.length === 0
        ? `an alphabet entry is exactly one op, e.g. {load: {addr: $bar0}}; add one of ${orList(OP_NAMES)}`
        : `one op per alphabet entry; move ${ops[1]} to an entry of its own`,
    });
    return z.NEVER;
  }
  const op = ops[0]!;
  return { action: { op, args: e[op] } as OpArgs, ...(e.as !== undefined ? { as: e.as } : {}) };
});

const invariantName = z.string({ error: msg('expected an invariant name') }).refine((n) => checkInvariantNames().includes(n), {
  error: `unknown invariant; invariants: ${checkInvariantNames().join(', ')}`,
});

const invariantList = z.array(invariantName, { error: msg('expected a list of invariant names, e.g. [no-access-to-disabled-bar]') });

/** A `*`/`?` pattern over design names as a RegExp. */
function designPattern(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** Whether the design part of a key names `design`: its name, or a pattern (`dmabuf-vma@*`) matching it. */
function keyNames(key: string, design: string): boolean {
  return key === design || (/[*?]/.test(key) && designPattern(key).test(design));
}

/**
 * Why the design part of a `check.violates` key is wrong, or null: a
 * built-in design, a pattern matching one, or the name of a user's design
 * (any other name, unless it is a near miss of a built-in name: a typo).
 */
function designKeyError(d: string): string | null {
  const designs = DESIGNS.map((x) => x.name);
  if (designs.includes(d)) return null;
  if (/[*?]/.test(d)) return designs.some((n) => keyNames(d, n)) ? null : `pattern '${d}' matches no built-in design (${designs.join(', ')})`;
  const near = [...designs, ...ARCH_PROFILES.map((p) => p.name)].find((n) => editDistance(n.toLowerCase(), d.toLowerCase()) <= 2);
  return near !== undefined ? `'${d}' is not a built-in design or arch profile; did you mean ${near}?` : null;
}

/** Why a key of `check.violates` is wrong (an arch, a design or pattern, or design/arch), or null. */
function violatesKeyError(k: string): string | null {
  const archs = ARCH_PROFILES.map((p) => p.name);
  const [a, b, ...rest] = k.split('/');
  if (rest.length > 0 || a === '') return 'expected an arch profile, a design (or pattern such as dmabuf-vma@*) or design/arch';
  if (b === undefined) return archs.includes(a!) ? null : designKeyError(a!);
  if (!archs.includes(b)) return `'${b}' is not an arch profile (${archs.join(', ')})`;
  return designKeyError(a!);
}

const violatesMap = z.record(z.string(), invariantList).superRefine((m, ctx) => {
  for (const key of Object.keys(m)) {
    const bad = violatesKeyError(key);
    if (bad === null) continue;
    ctx.addIssue({ code: 'custom', path: [key], input: key, message: bad });
  }
});

const count = (what: string, min: number) =>
  z.number({ error: msg(`expected ${what}, a whole number`) }).int({ error: `${what} is a whole number` }).min(min, { error: `${what} is at least ${min}` });

export const checkSection = strict(
  {
    alphabet: z.record(ident, z.array(entry, { error: msg('expected a list of ops, e.g. [{load: {addr: $bar0}}]') }).min(1, { error: 'give at least one op, or leave the thread out' }), {
      error: msg('expected the ops each thread may start: {A: [{load: {addr: $bar0}}], B: [...]}'),
    }),
    maxActions: count('maxActions (ops each thread starts at most)', 1).default(2),
    preemptions: count('preemptions (the preemption bound)', 0).default(2),
    maxStates: count('maxStates', 1).optional(),
    // How many of the scenario's steps run as the setup (default: all of them): the rest only
    // serve \`barmap run\`, e.g. a hand-written race the checker should find on its own.
    setup: count('setup (how many of the steps run before exploring)', 0).optional(),
    invariants: invariantList.optional(),
    // A list for every arch and design, or a map from arch, design or design/arch to a list.
    violates: z.union([invariantList, violatesMap]).optional(),
  },
  'check',
);

export type CheckSection = z.output<typeof checkSection>;

/**
 * The invariants a scenario's exploration is expected to break for a
 * design and arch: `check.violates`, else the scenario's `violates`. In the
 * map the most specific key wins: design/arch, then design, then arch,
 * where a design key is its name or a pattern matching it (`dmabuf-vma@*`;
 * an exact name before a pattern). `design` may be a lineage, the design
 * then its bases (src/check/design-file.ts designLineage): a user design
 * stacked on dmabuf-vma@4 inherits what is expected of dmabuf-vma@4 unless
 * a key names the user design itself.
 */
export function expectedViolations(
  sc: { readonly violates?: readonly string[] | undefined; readonly check?: CheckSection | undefined },
  design: string | readonly string[],
  arch: string,
): string[] {
  const v = sc.check?.violates;
  if (v === undefined) return [...(sc.violates ?? [])];
  if (Array.isArray(v)) return [...v];
  const m = v as Readonly<Record<string, readonly string[]>>;
  const keys = Object.keys(m);
  // a key for design d (and arch, when suffix is '/arch'): the exact name first, then a pattern
  const find = (d: string, suffix: string): readonly string[] | undefined => {
    const exact = m[d + suffix];
    if (exact !== undefined) return exact;
    const k = keys.find((key) => {
      const dk = suffix === '' ? key : key.endsWith(suffix) ? key.slice(0, -suffix.length) : '';
      return !dk.includes('/') && /[*?]/.test(dk) && keyNames(dk, d);
    });
    return k === undefined ? undefined : m[k];
  };
  for (const d of typeof design === 'string' ? [design] : design) {
    const hit = find(d, `/${arch}`) ?? find(d, '');
    if (hit !== undefined) return [...hit];
  }
  return [...(m[arch] ?? [])];
}
