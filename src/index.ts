/**
 * barmap as a library: the kernel model's state and its stepping, the
 * designs and arch profiles, scenario loading, the script runner and the
 * trace formatting that `barmap run` uses.
 *
 * Everything exported here is pure (no Node imports), so it runs in tests,
 * worker threads and browsers alike.
 *
 * @example
 * ```ts
 * import { loadScenario, runScenario, findDesign, TraceRenderer } from 'barmap';
 * const sc = loadScenario(text, 'my.yaml');
 * const result = runScenario(sc, { design: findDesign('legacy')! });
 * const r = new TraceRenderer({ json: false, state: false });
 * for (const step of result.steps) console.log(r.step(step).join('\n'));
 * ```
 */

/* ---- Kernel state: plain data in id tables, stepped through copy-on-write drafts ---- */

/** The whole kernel state and its tables; {@link emptyKernelState} makes an empty one. */
export type { KernelState, Tables, Table, TableName, Row } from './kernel/state.js';
export { emptyKernelState, TABLE_NAMES } from './kernel/state.js';
/** The copy-on-write draft a step writes through, and the error a broken model raises. */
export { Kernel, ModelError } from './kernel/kernel.js';
/** Trace events a step emits (ftrace-like: function and key=value arguments). */
export type { TraceEvent, EventKind, EventValue } from './kernel/events.js';
export { hex } from './kernel/events.js';
/** Tasks, processes and the frames of in-flight kernel paths. */
export type { Task, Process, Frame, Locals, Value, Signal } from './kernel/sched/types.js';
/** Kernel paths as tables of labelled atomic steps. */
export type { Path, Cx, Step } from './kernel/sched/path.js';
export { path } from './kernel/sched/path.js';
export { isRunnable, inKernel, taskLabel } from './kernel/sched/step.js';
export type { Lock, LockClass, LockMode, HeldLock } from './kernel/locking/types.js';
/** What a user thread can do, and the kernel path each action enters. */
export type { UserAction, ActionName } from './kernel/syscalls.js';
export { ACTION_PATHS, actionEntry } from './kernel/syscalls.js';
export type { MmStruct, Vma, PgLeaf, PgTable, PageProt } from './mm/types.js';
export type { File } from './fs/file.js';
export type { Inode, AddressSpace, VmaRef } from './fs/inode.js';
export type { FdTable, FdEntry } from './fs/fdtable.js';
export type { PciDev, Bar, PowerState } from './pci/types.js';
export type { VfioPciCoreDevice } from './vfio/pci/types.js';

/* ---- Executing actions on the model ---- */

/** Start an action on a task, run one step, run a task to a stop, run an action to completion. */
export { startAction, step, runTask, runAction } from './check/exec.js';
export type { Stepped, RunStop } from './check/exec.js';

/* ---- Designs and arch profiles ---- */

/**
 * The design API (docs/designs.md): the built-in designs, the patch-stack
 * builders (stack, patch, patchPath, replacePath, addPath, setVmOps, ...),
 * the upstream paths and ops tables as typed handles, and the building
 * blocks of the built-in designs.
 */
export * from './designs/api.js';
/** Historical bugs that `--defect` switches on (docs/defects.md). */
export { DEFECTS, findDefect } from './designs/defects.js';
export type { Defect } from './designs/defects.js';
/** The invariant catalogue (docs/invariants.md). */
export { INVARIANTS, findInvariant } from './check/invariants/index.js';
export type { Invariant, InvariantContext, Violation } from './check/invariants/index.js';
/** Breadth-first search over interleavings (docs/check.md). */
export { bfs, DEADLOCK } from './check/bfs.js';
export type { CheckModel, CheckResult, CheckStats, Found } from './check/bfs.js';
/** Arch profiles: page-table capabilities as data (special bits, huge PFN maps, GUP-fast). */
export { ARCH_PROFILES, DEFAULT_ARCH, findArchProfile, archProfile } from './arch/profiles.js';
export type { ArchProfile, ArchName, Level } from './arch/types.js';

/* ---- Scenarios ---- */

/** Load a scenario from YAML or JSON text; errors are one-line {@link ScenarioError}s. */
export { loadScenario, parseSource, validateScenario, formatPath, ScenarioError } from './scenario/load.js';
export type { Source } from './scenario/load.js';
export type { Scenario, Step as ScenarioStep, ActionStep, ResumeStep, Expect, World, DeviceSpec, ProcessSpec } from './scenario/schema.js';
export type { OpArgs, OpName, IoctlArg } from './scenario/ops.js';
export { OPS, OP_NAMES, REGION_INDEX } from './scenario/ops.js';
/** Number expressions (`$bar0 + 0x1000`, `region(0)`, `2M`). */
export { parseExpr, evalExpr, exprVars, ExprError } from './scenario/expr.js';
export type { Expr, NumExpr } from './scenario/expr.js';
/** The initial kernel state of a scenario's world. */
export { buildWorld } from './scenario/world.js';
export type { BuiltWorld } from './scenario/world.js';
/** Turning an op into a {@link UserAction}. */
export { prepareAction, ActionError } from './scenario/action.js';
export type { PreparedAction } from './scenario/action.js';

/* ---- The script runner ---- */

/** Run a scenario's steps in order, with until/resume, lock waits, deadlock reports and expect checks. */
export { runScenario, ScenarioRunError, RunCrash, formatRet } from './check/run.js';
export type { RunOptions, RunResult, RunProgress, StepRecord, StepStop } from './check/run.js';

/* ---- Formatting ---- */

/** The state dump after a step (processes, VMAs, leaves, fds, files, devices, locks). */
export { dumpState } from './report/state.js';
export type { StateDump, ProcessDump, ThreadDump, VmaDump, LeafDump, DeviceDump, LockDump } from './report/state.js';
/** ftrace-like text lines and JSON lines. */
export { TextTrace, formatArgs, formatValue, formatState } from './report/text.js';
export { jsonEvent, jsonState, jsonRecord } from './report/json.js';
export { TraceRenderer } from './report/render.js';
export type { RenderOptions } from './report/render.js';
