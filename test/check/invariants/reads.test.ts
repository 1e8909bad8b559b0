/*
 * Every invariant declares what it reads (src/check/invariants/types.ts),
 * and the search re-checks it only after a step that wrote one of those
 * tables or emitted events. Here each invariant (and no-deadlock) runs on
 * the states of every suite job and defect scenario with the state, the
 * Kernel view and the events wrapped to record what it touches, and
 * everything it touched must be declared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../../src/kernel/kernel.js';
import type { KernelState, Row, TableName } from '../../../src/kernel/state.js';
import { INVARIANTS } from '../../../src/check/invariants/index.js';
import type { Invariant } from '../../../src/check/invariants/index.js';
import type { InvariantRead } from '../../../src/check/invariants/types.js';
import { DEADLOCK } from '../../../src/check/bfs.js';
import { forSuiteStates } from '../suite-states.js';
import { TABLE_NAMES } from '../../../src/kernel/state.js';
import { findDesign } from '../../../src/designs/index.js';

/** Fields of the state that never change during a search. */
const CONSTANT = new Set<string>(['arch', 'design', 'defects']);

/** A state that notes which tables are read. */
function recordingState(s: KernelState, into: Set<InvariantRead>): KernelState {
  return new Proxy(s, {
    get(target, prop, receiver) {
      // Tables are recorded; any other field but the constant ones (arch, design, defects) is recorded by
      // name too, so an invariant reading nextId or lockdep fails the test (no declaration names them).
      if (typeof prop === 'string' && !CONSTANT.has(prop)) into.add(prop as TableName);
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** A read-only Kernel view that notes the tables read through it. */
class RecordingView extends Kernel {
  constructor(base: KernelState, design: Kernel['design'], private readonly into: Set<InvariantRead>) {
    super(base, design);
  }

  override get state(): KernelState {
    return recordingState(super.state, this.into);
  }

  override get<T extends TableName>(table: T, id: number): Row<T> {
    this.into.add(table);
    return super.get(table, id);
  }

  override find<T extends TableName>(table: T, id: number): Row<T> | undefined {
    this.into.add(table);
    return super.find(table, id);
  }

  override ids(table: TableName): number[] {
    this.into.add(table);
    return super.ids(table);
  }
}

test('every invariant reads only what it declares, on the states of the suite and the defect scenarios', () => {
  const all: readonly Invariant[] = [...INVARIANTS, DEADLOCK];
  // What each invariant read beyond what it declares (its reads and, for the state's design, readsFor).
  const undeclared = new Map<string, Set<string>>(all.map((i) => [i.name, new Set()]));
  let states = 0;
  forSuiteStates(150, ({ design, state, events }) => {
    states++;
    for (const inv of all) {
      const into = new Set<InvariantRead>();
      const ev = new Proxy(events, { get: (t, p, r) => (into.add('events'), Reflect.get(t, p, r) as unknown) });
      inv.check({ state: recordingState(state, into), events: ev, k: new RecordingView(state, design, into) });
      const declared = new Set([...(inv.reads ?? []), ...(inv.readsFor?.(design) ?? [])]);
      for (const r of into) if (!declared.has(r)) undeclared.get(inv.name)!.add(`${r} (${design.name})`);
    }
  });
  assert.ok(states > 20_000, `${states} states`);
  for (const inv of all) {
    assert.ok(inv.reads, `${inv.name} declares what it reads`);
    assert.deepEqual([...undeclared.get(inv.name)!], [], `${inv.name} reads more than it declares`);
    assert.ok(inv.reads.length < TABLE_NAMES.length, `${inv.name} reads less than every table`);
  }
});

test('references-balance reads the tables of the counted members a design declares', () => {
  const inv = INVARIANTS.find((i) => i.name === 'references-balance')!;
  const design = findDesign('dmabuf-vma@1')!;
  assert.ok(design.fields?.some((f) => f.holds === 'files' && f.table === 'vfio_dmabufs'));
  assert.deepEqual(inv.readsFor?.(design), ['vfio_dmabufs']);
  assert.deepEqual(inv.readsFor?.(findDesign('legacy')!), []);
});
