import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshot } from '../../../src/report/html/snapshot.js';
import { buildWorld } from '../../../src/scenario/world.js';
import { loadScenario } from '../../../src/scenario/load.js';
import { legacy } from '../../../src/designs/legacy.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { setLeaf } from '../../../src/mm/pgtable.js';
import { archProfile } from '../../../src/arch/profiles.js';

const SC = `name: s
description: snapshot test
world:
  devices:
    - { name: gpu0, bdf: "0000:01:00.0", bars: [{ index: 0, size: 2M, base: 0x4000000000 }] }
  processes:
    - { name: P, threads: [A, B] }
steps: []
`;

test('page tables are drawn as a tree down to each leaf, with its level and special bit', () => {
  const w = buildWorld(loadScenario(SC, 's.yaml').world, 'x86_64', legacy);
  const k = new Kernel(w.state, legacy);
  const p = Object.values(k.state.processes)[0]!;
  const mm = k.mut('mms', p.mm);
  mm.pgd = setLeaf(archProfile('x86_64'), mm.pgd, 0x7e0000000000, { kind: 'leaf', level: 'pmd', pfn: 0x1000001, write: false, special: true });
  mm.pgd = setLeaf(archProfile('x86_64'), mm.pgd, 0x7e0000200000, { kind: 'leaf', level: 'pte', pfn: 0x42, write: true, special: false });
  const lines = snapshot(k.finish()).filter((l) => l.s.startsWith('process P'));
  const pt = lines.filter((l) => l.c === 'table' || l.c?.startsWith('leaf'));
  assert.deepEqual(pt.map((l) => [l.d, l.t]), [
    [0, 'pgd'],
    [1, 'PGD[252] → PUD table 0x7e0000000000-0x7e8000000000'],
    [2, 'PUD[0] → PMD table 0x7e0000000000-0x7e0040000000'],
    [3, 'PMD 0x7e0000000000 → pfn 0x1000001 special ro'],
    [3, 'PMD[1] → PTE table 0x7e0000200000-0x7e0000400000'],
    [4, 'PTE 0x7e0000200000 → pfn 0x42 write'],
  ]);
  assert.equal(pt[3]!.c, 'leaf pmd special');
  assert.equal(pt[5]!.c, 'leaf pte nospecial');
});

test('devices show memory enable and power; threads show where they are', () => {
  const w = buildWorld(loadScenario(SC, 's.yaml').world, 'x86_64', legacy);
  const lines = snapshot(w.state);
  const dev = lines.find((l) => l.k.startsWith('dev') && l.s === 'devices')!;
  assert.match(dev.t, /^0000:01:00\.0 PCI_COMMAND=0x0 memory DISABLED power D0/);
  assert.match(dev.c ?? '', /off/);
  const threads = lines.filter((l) => l.c === 'thread').map((l) => l.t);
  assert.equal(threads.length, 2);
  assert.match(threads[0]!, /^A-\d+ in user space last_ret=/);
  assert.match(threads[1]!, /^B-\d+ in user space last_ret=/);
});
