/**
 * Designs as patch stacks over the upstream model, the way a kernel series
 * is a stack of patches over a release.
 *
 * A {@link Patch} has a subject line and a citation (lore message-id,
 * commit) and a list of changes, each one of:
 *
 *   replacePath(p)            a path of the same name, rewritten whole
 *   addPath(p)                a path the base does not have
 *   patchPath(p).replace(label, step)
 *                             one labelled step rewritten
 *   patchPath(p).insertBefore(label, newLabel, step)
 *                             a new step every move to `label` passes
 *                             through first (it continues with goto(label))
 *   patchPath(p).add(newLabel, step)
 *                             a new step reached only from new code
 *   setFileOps / setVmOps / setDmaBufOps(table, members)
 *                             members of an ops table changed (undefined
 *                             removes one), or a new table added
 *   addField(table, field, doc)
 *                             a member the design adds to a kernel struct;
 *                             rows carry it as plain data, hashed like the rest
 *
 * `patchPath` takes the path object (the typed handle): its labels and
 * locals type every label and step the patch names, so a typo does not
 * compile. For JavaScript designs {@link stack} checks the same at load and
 * throws a {@link DesignError} with one line that lists the labels there are.
 */
import type { KernelPath, Path, Step } from '../kernel/sched/path.js';
import type { Locals } from '../kernel/sched/types.js';
import type { TableName } from '../kernel/state.js';
import type { Design, DmaBufOps, FieldHolds, FileOperations, OpTarget, VmOperations } from './types.js';

/** A design that cannot be built: a patch names a path, label or table that is not there. */
export class DesignError extends Error {
  override name = 'DesignError';
}

/** The kinds of ops table a patch can change. */
export type OpsKind = 'file' | 'vm' | 'dma_buf';

type OpsOf<K extends OpsKind> = K extends 'file' ? FileOperations : K extends 'vm' ? VmOperations : DmaBufOps;

/** One change of a patch. */
export type Change =
  | { readonly kind: 'replace-path'; readonly path: Path }
  | { readonly kind: 'add-path'; readonly path: Path }
  | { readonly kind: 'replace-step'; readonly path: string; readonly label: string; readonly step: Path['steps'][string] }
  | {
    readonly kind: 'insert-step'; readonly path: string; readonly label: string; readonly before: string | null;
    readonly step: Path['steps'][string];
  }
  | {
    readonly kind: 'ops'; readonly table: OpsKind; readonly name: string;
    readonly members: { readonly [member: string]: OpTarget | undefined };
  }
  | {
    readonly kind: 'field'; readonly table: TableName; readonly field: string; readonly doc: string;
    readonly holds?: FieldHolds;
  };

/** A patch of a design's stack. */
export interface Patch {
  /** The subject line, as the patch has it ("vfio/pci: Clean up DMABUFs before disabling function"). */
  readonly subject: string;
  /** Where it comes from: lore message-id, commit, or "inferred" with what it was inferred from. */
  readonly cite: string;
  readonly changes: readonly Change[];
}

/** Declare a patch. */
export function patch(subject: string, cite: string, ...changes: readonly (Change | { readonly changes: readonly Change[] })[]): Patch {
  return { subject, cite, changes: changes.flatMap((c) => ('changes' in c ? c.changes : [c])) };
}

/** A path rewritten whole (same name as the base's). */
export function replacePath(p: Path): Change {
  return { kind: 'replace-path', path: p };
}

/** A path the base does not have. */
export function addPath(p: Path): Change {
  return { kind: 'add-path', path: p };
}

/**
 * Step-level changes to one path, typed by the path's labels and locals.
 * Each method returns the builder with the labels it added.
 */
export class PathPatch<N extends string, Lab extends string, L extends Locals> {
  constructor(private readonly target: N, readonly changes: readonly Change[] = []) {}

  /** Widen the locals type: the patched steps carry locals of their own (plain data in the frame). */
  locals<Extra extends Locals>(): PathPatch<N, Lab, L & Extra> {
    return new PathPatch<N, Lab, L & Extra>(this.target, this.changes);
  }

  /** Rewrite the step at `label`. */
  replace(label: Lab, step: Step<L, Lab>): PathPatch<N, Lab, L> {
    return this.with({ kind: 'replace-step', path: this.target, label, step: step as Path['steps'][string] });
  }

  /** A new step at `label` that every move to `before` (from any other step) reaches first. */
  insertBefore<New extends string>(before: Lab, label: New, step: Step<L, Lab | New>): PathPatch<N, Lab | New, L> {
    return this.with({ kind: 'insert-step', path: this.target, label, before, step: step as Path['steps'][string] });
  }

  /** A new step at `label`, reached only from steps that name it. */
  add<New extends string>(label: New, step: Step<L, Lab | New>): PathPatch<N, Lab | New, L> {
    return this.with({ kind: 'insert-step', path: this.target, label, before: null, step: step as Path['steps'][string] });
  }

  private with<Lab2 extends string>(c: Change): PathPatch<N, Lab2, L> {
    return new PathPatch<N, Lab2, L>(this.target, [...this.changes, c]);
  }
}

/** Start step-level changes to the path `p` (its object is the typed handle). */
export function patchPath<N extends string, Lab extends string, L extends Locals>(p: KernelPath<N, Lab, L>): PathPatch<N, Lab, L> {
  return new PathPatch<N, Lab, L>(p.name);
}

function setOps<K extends OpsKind>(table: K, ops: OpsOf<K> | string, members: Partial<Omit<OpsOf<K>, 'name'>>): Change {
  return { kind: 'ops', table, name: typeof ops === 'string' ? ops : ops.name, members: members as { readonly [member: string]: OpTarget | undefined } };
}

/** Change members of a struct file_operations (or add a table: pass its new name). */
export function setFileOps(ops: FileOperations | string, members: Partial<Omit<FileOperations, 'name'>>): Change {
  return setOps('file', ops, members);
}

/** Change members of a struct vm_operations_struct (or add a table: pass its new name). */
export function setVmOps(ops: VmOperations | string, members: Partial<Omit<VmOperations, 'name'>>): Change {
  return setOps('vm', ops, members);
}

/** Change members of a struct dma_buf_ops (or add a table: pass its new name). */
export function setDmaBufOps(ops: DmaBufOps | string, members: Partial<Omit<DmaBufOps, 'name'>>): Change {
  return setOps('dma_buf', ops, members);
}

/**
 * Declare a member the design adds to a kernel struct (rows of `table`
 * carry it). `holds: 'files'` says its value is a file id the object holds a
 * counted reference on (get_file when set, fput when dropped), as a member's
 * C type says it is a `struct file *`: the reference-balance invariant then
 * counts it among the file's holders. `holds: 'mappings'` says it is a kref
 * on a vfio_dmabufs row taken by each mapped attachment of the buffer plus
 * at most one registered reference (v7.1 priv->kref): the invariant checks
 * it never underflows and, with no task in the kernel, matches the mapped
 * attachments.
 */
export function addField(table: TableName, field: string, doc: string, opts: { holds?: FieldHolds } = {}): Change {
  return { kind: 'field', table, field, doc, ...(opts.holds ? { holds: opts.holds } : {}) };
}

/** What a design is built from: its base and its own patches. */
export interface StackSpec {
  readonly name: string;
  /** One line for `barmap list`. */
  readonly description: string;
  readonly patches: readonly Patch[];
}

/** The name an ops member calls. */
function targetName(t: OpTarget): string {
  return typeof t === 'string' ? t : t.name;
}

function labelsOf(p: Path): string {
  return Object.keys(p.steps).join(', ');
}

/**
 * Build a design: `base` with `spec.patches` applied in order. Every change
 * is checked against what the stack holds at that point; a missing path,
 * label or table, or a name that already exists, is a DesignError with one
 * line naming the design, the patch and what there is instead.
 */
export function stack(base: Design, spec: StackSpec): Design {
  const paths = new Map(base.paths);
  const tables: Record<OpsKind, Record<string, FileOperations | VmOperations | DmaBufOps>> = {
    file: { ...base.fileOps }, vm: { ...base.vmOps }, dma_buf: { ...base.dmaBufOps },
  };
  const fields = [...(base.fields ?? [])];
  for (const p of spec.patches) {
    const fail = (what: string): never => {
      throw new DesignError(`design '${spec.name}': patch "${p.subject}": ${what}`);
    };
    const pathNamed = (name: string): Path => {
      const got = paths.get(name);
      if (got === undefined) fail(`no path '${name}' to patch (add it with addPath)`);
      return got!;
    };
    const register = (t: OpTarget | undefined): void => {
      if (t === undefined || typeof t === 'string') return;
      const had = paths.get(t.name);
      if (had !== undefined && had !== t) fail(`ops member names a path object '${t.name}' other than the design's (use replacePath)`);
      paths.set(t.name, t);
    };
    for (const c of p.changes) {
      switch (c.kind) {
        case 'replace-path':
          pathNamed(c.path.name);
          paths.set(c.path.name, c.path);
          break;
        case 'add-path':
          if (paths.has(c.path.name)) fail(`path '${c.path.name}' exists already (use replacePath)`);
          paths.set(c.path.name, c.path);
          break;
        case 'replace-step': {
          const old = pathNamed(c.path);
          if (!(c.label in old.steps)) fail(`path '${c.path}' has no label '${c.label}' (labels: ${labelsOf(old)})`);
          paths.set(c.path, { ...old, steps: { ...old.steps, [c.label]: c.step } });
          break;
        }
        case 'insert-step': {
          const old = pathNamed(c.path);
          if (c.label in old.steps) fail(`path '${c.path}' has a label '${c.label}' already (labels: ${labelsOf(old)})`);
          if (c.before !== null && !(c.before in old.steps)) {
            fail(`path '${c.path}' has no label '${c.before}' to insert before (labels: ${labelsOf(old)})`);
          }
          const before = c.before === null ? old.before : { ...old.before, [c.before]: c.label };
          paths.set(c.path, { ...old, steps: { ...old.steps, [c.label]: c.step }, ...(before ? { before } : {}) });
          break;
        }
        case 'ops': {
          const table = tables[c.table];
          const members: Record<string, unknown> = { ...(table[c.name] ?? { name: c.name }) };
          for (const [m, t] of Object.entries(c.members)) {
            register(t);
            if (t === undefined) delete members[m];
            else members[m] = t;
          }
          table[c.name] = members as unknown as FileOperations;
          break;
        }
        case 'field':
          fields.push({ table: c.table, field: c.field, doc: c.doc, patch: p.subject, ...(c.holds ? { holds: c.holds } : {}) });
          break;
      }
    }
  }
  // Every ops member must name a path the design holds.
  for (const [kind, table] of Object.entries(tables)) {
    for (const ops of Object.values(table)) {
      for (const [m, t] of Object.entries(ops)) {
        if (m === 'name' || typeof t === 'function') continue;
        const name = targetName(t as OpTarget);
        if (!paths.has(name)) {
          throw new DesignError(`design '${spec.name}': ${kind} ops '${ops.name}'.${m} names path '${name}', which the design does not hold`);
        }
      }
    }
  }
  return {
    name: spec.name,
    description: spec.description,
    base: base.name,
    patches: [...(base.patches ?? []), ...spec.patches],
    paths,
    fileOps: tables.file as Design['fileOps'],
    vmOps: tables.vm as Design['vmOps'],
    dmaBufOps: tables.dma_buf as Design['dmaBufOps'],
    fields,
  };
}
