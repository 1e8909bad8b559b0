import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpState } from '../../src/report/state.js';
import { buildWorld } from '../../src/scenario/world.js';
import { loadScenario } from '../../src/scenario/load.js';
import { legacy } from '../../src/designs/legacy.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { setLeaf } from '../../src/mm/pgtable.js';
import { archProfile } from '../../src/arch/profiles.js';

const SC = `name: s
description: state dump test
world:
  devices:
    - { name: gpu0, bdf: "0000:01:00.0", bars: [{ index: 0, size: 2M, base: 0x4000000000 }] }
  processes:
    - { name: P, threads: [A, B] }
steps: []
`;

test('a built world dumps its processes, threads and devices', () => {
  const w = buildWorld(loadScenario(SC, 's.yaml').world, 'x86_64', legacy);
  const d = dumpState(w.state);
  assert.equal(d.processes.length, 1);
  assert.deepEqual(d.processes[0]!.threads.map((t) => [t.name, t.at]), [['A', 'user'], ['B', 'user']]);
  assert.equal(d.devices.length, 1);
  assert.equal(d.devices[0]!.bdf, '0000:01:00.0');
  assert.equal(d.devices[0]!.memory, false);
  assert.equal(d.devices[0]!.vfio?.open_count, 0);
  assert.deepEqual(d.locks, []);
  assert.deepEqual(w.devices, { gpu0: '0000:01:00.0' });
});

test('page-table leaves are listed with their address, level and pfn', () => {
  const w = buildWorld(loadScenario(SC, 's.yaml').world, 'x86_64', legacy);
  const k = new Kernel(w.state, legacy);
  const p = Object.values(k.state.processes)[0]!;
  const mm = k.mut('mms', p.mm);
  mm.pgd = setLeaf(archProfile('x86_64'), mm.pgd, 0x7f0000200000, { kind: 'leaf', level: 'pmd', pfn: 0x4000000, write: true, special: true });
  const d = dumpState(k.finish());
  assert.deepEqual(d.processes[0]!.leaves, [{ addr: '0x7f0000200000', level: 'pmd', pfn: '0x4000000', special: true, write: true }]);
});
