/* The dma-buf ops of the scenario format: world.importers, dmabuf_export's bytes, importer ops, dma-buf ioctls. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { ActionStep, Scenario } from '../../src/scenario/schema.js';
import { prepareAction } from '../../src/scenario/action.js';
import { buildWorld } from '../../src/scenario/world.js';
import { findDesign } from '../../src/designs/index.js';
import { dmaBufFeatureArg } from '../dma-buf/helpers.js';
import type { ExportOpts, Range } from '../dma-buf/helpers.js';
import { VFIO_DEVICE_FEATURE, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_PROBE } from '../../src/uapi/vfio.js';
import { DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME, DMA_BUF_SYNC_READ, DMA_BUF_SYNC_END, dma_buf_sync } from '../../src/uapi/dma-buf.js';
import { encodeStruct } from '../../src/uapi/codec.js';
import { O_CLOEXEC, O_RDONLY, O_RDWR } from '../../src/uapi/fcntl.js';
import type { UserAction } from '../../src/kernel/syscalls.js';

const BASE = `name: t
description: a test scenario
world:
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      bars:
        - { index: 0, size: 16M, base: 0x4000000000 }
  importers:
    - { name: gpu, kind: dynamic }
    - { name: nic, kind: pinned, peer2peer: false }
  processes:
    - name: P
      threads: [A, G]
steps:
  - thread: A
    open: { device: gpu0 }
    as: fd
  - thread: A
    dmabuf_export: { fd: $fd, region: bar0, ranges: [{ offset: 0, length: 2M }, { offset: 4M, length: 64K }] }
    as: buf
  - thread: G
    dmabuf_attach: { importer: nic, fd: $buf }
    as: att
  - thread: G
    dmabuf_map: { attachment: $att }
  - thread: G
    dma: { attachment: $att, offset: "2M + 4K", write: true, value: 0x1234 }
`;

/** Load BASE with one substitution; the error line, or '' when it loads. */
function errorOf(from: string | RegExp, to: string, text = BASE): string {
  const src = text.replace(from, to);
  assert.notEqual(src, text, `substitution ${String(from)} did not apply`);
  return loadError(src);
}

function loadError(src: string): string {
  try {
    loadScenario(src, 'x.yaml');
    return '';
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `not a ScenarioError: ${String(e)}`);
    return e.message;
  }
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** The action step i of a scenario, prepared against variables. */
function prepared(sc: Scenario, i: number, vars: Record<string, number> = { fd: 3, buf: 4, att: 7 }) {
  return prepareAction((sc.steps[i] as ActionStep).action, vars, { gpu0: '0000:01:00.0' });
}

/** The one-op scenario `op` (YAML flow map) run by A after the open. */
function oneOp(op: string): Scenario {
  return loadScenario(BASE.replace(/steps:\n[\s\S]*$/, `steps:\n  - thread: A\n    open: { device: gpu0 }\n    as: fd\n  - thread: A\n    ${op}\n`), 'x.yaml');
}

function ioctlOf(a: UserAction): { fd: number; cmd: number; arg: readonly number[]; argFault: boolean } {
  assert.equal(a.op, 'ioctl');
  return a as { op: 'ioctl'; fd: number; cmd: number; arg: readonly number[]; argFault: boolean };
}

test('world.importers load with defaults, and dmabuf_attach resolves to the id buildWorld gives', () => {
  const sc = loadScenario(BASE, 'x.yaml');
  assert.deepEqual(sc.world.importers, [
    { name: 'gpu', kind: 'dynamic', peer2peer: true },
    { name: 'nic', kind: 'pinned', peer2peer: false },
  ]);
  const w = buildWorld(sc.world, 'x86_64', findDesign('legacy')!);
  assert.deepEqual(Object.keys(w.importers), ['gpu', 'nic']);
  const nic = w.importers['nic']!;
  assert.deepEqual(w.state.importers[nic], { id: nic, name: 'nic', kind: 'pinned', peer2peer: false });
  const attach = prepared(sc, 2);
  assert.deepEqual(attach.action, { op: 'dmabuf_attach', importer: nic, fd: 4 });
  assert.deepEqual(attach.args, { importer: 'nic', fd: 4 });
});

test('the alphabet resolves importers too', () => {
  const text = `${BASE}check:\n  alphabet:\n    G:\n      - dmabuf_attach: { importer: gpu, fd: $buf }\n`;
  const sc = loadScenario(text, 'x.yaml');
  const e = sc.check!.alphabet['G']![0]!;
  assert.deepEqual(prepareAction(e.action, { buf: 4 }, {}).action, { op: 'dmabuf_attach', importer: 1, fd: 4 });
});

const CASES: { name: string; op: string; ranges: Range[]; o?: ExportOpts }[] = [
  { name: 'one range', op: 'dmabuf_export: { fd: $fd, ranges: [{ offset: 0, length: 2M }] }', ranges: [{ offset: 0, length: 2 ** 21 }] },
  {
    name: 'two ranges of BAR 2, O_RDONLY|O_CLOEXEC',
    op: 'dmabuf_export: { fd: $fd, region: bar2, ranges: [{ offset: 4K, length: 8K }, { offset: "1M + 4K", length: 4K }], flags: [O_CLOEXEC] }',
    ranges: [{ offset: 4096, length: 8192 }, { offset: 2 ** 20 + 4096, length: 4096 }],
    o: { region: 2, openFlags: O_RDONLY | O_CLOEXEC },
  },
  {
    name: 'PROBE, nr_ranges and argsz overridden',
    op: 'dmabuf_export: { fd: $fd, ranges: [{ offset: 0, length: 4K }], probe: true, nr_ranges: 3, argsz: 23, open_flags: O_RDWR }',
    ranges: [{ offset: 0, length: 4096 }],
    o: { featureFlags: VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF, nr: 3, argsz: 23, openFlags: O_RDWR },
  },
  {
    name: 'u64 lengths beyond 2^53, and no ranges',
    op: 'dmabuf_export: { fd: $fd, ranges: [{ offset: "0xffffffff00000000", length: "0x8000000000000000" }] }',
    ranges: [{ offset: 2n ** 64n - 2n ** 32n, length: 2n ** 63n }],
  },
  { name: 'no ranges, SET without GET', op: 'dmabuf_export: { fd: $fd, ranges: [], get: false, set: true }', ranges: [], o: { featureFlags: (1 << 17) | VFIO_DEVICE_FEATURE_DMA_BUF } },
];

for (const c of CASES) {
  test(`dmabuf_export sends the bytes of dmaBufFeatureArg: ${c.name}`, () => {
    const p = prepared(oneOp(c.op), 1);
    const io = ioctlOf(p.action);
    assert.equal(io.cmd, VFIO_DEVICE_FEATURE);
    assert.equal(io.fd, 3);
    assert.equal(io.argFault, false);
    assert.deepEqual(io.arg, dmaBufFeatureArg(c.ranges, c.o ?? {}));
  });
}

test('dmabuf_export: the trace decodes its arguments', () => {
  assert.deepEqual(prepared(oneOp('dmabuf_export: { fd: $fd, region: 0, ranges: [{ offset: 0, length: 2M }], flags: [O_CLOEXEC] }'), 1).args, {
    fd: 3, region: 0, ranges: '[0x0+0x200000]', open_flags: 'O_RDONLY|O_CLOEXEC',
  });
  assert.deepEqual(prepared(oneOp('dmabuf_export: { fd: $fd, ranges: [{ offset: 4K, length: 4K }, { offset: 0, length: 8K }], probe: true, nr_ranges: 1, fault: true }'), 1).args, {
    fd: 3, region: 0, ranges: '[0x1000+0x1000,0x0+0x2000]', open_flags: 'O_RDWR|O_CLOEXEC', feature: 'PROBE|GET|DMA_BUF', nr_ranges: 1, arg: 'EFAULT',
  });
  assert.equal(ioctlOf(prepared(oneOp('dmabuf_export: { fd: $fd, ranges: [], fault: true }'), 1).action).argFault, true);
});

test('importer ops and dma become the importer driver actions', () => {
  const sc = loadScenario(BASE, 'x.yaml');
  assert.deepEqual(prepared(sc, 3).action, { op: 'dmabuf_map', attachment: 7 });
  const dma = prepared(sc, 4);
  assert.deepEqual(dma.action, { op: 'dma_access', attachment: 7, offset: 2 ** 21 + 4096, size: 4, write: true, value: 0x1234 });
  assert.deepEqual(dma.args, { attachment: 7, offset: '0x201000', size: 4, write: true, value: '0x1234' });
  const read = prepared(oneOp('dma: { attachment: 7, size: 8 }'), 1);
  assert.deepEqual(read.action, { op: 'dma_access', attachment: 7, offset: 0, size: 8, write: false, value: 0 });
  assert.deepEqual(prepared(oneOp('dmabuf_detach: { attachment: "$fd + 1" }'), 1).action, { op: 'dmabuf_detach', attachment: 4 });
  assert.deepEqual(prepared(oneOp('dmabuf_unmap: { attachment: 9 }'), 1).action, { op: 'dmabuf_unmap', attachment: 9 });
});

test('dma-buf ioctls: SYNC flags by name, SET_NAME with a string', () => {
  const sync = prepared(oneOp('ioctl: { fd: 4, cmd: DMA_BUF_IOCTL_SYNC, arg: { flags: [DMA_BUF_SYNC_START, DMA_BUF_SYNC_READ] } }'), 1);
  assert.equal(ioctlOf(sync.action).cmd, DMA_BUF_IOCTL_SYNC);
  assert.deepEqual(ioctlOf(sync.action).arg, encodeStruct(dma_buf_sync, { flags: DMA_BUF_SYNC_READ }));
  assert.equal(sync.args['flags'], 'DMA_BUF_SYNC_READ');
  const end = prepared(oneOp('ioctl: { fd: 4, cmd: DMA_BUF_IOCTL_SYNC, arg: { flags: "DMA_BUF_SYNC_END|DMA_BUF_SYNC_WRITE" } }'), 1);
  assert.deepEqual(ioctlOf(end.action).arg, encodeStruct(dma_buf_sync, { flags: DMA_BUF_SYNC_END | 2 }));
  const raw = prepared(oneOp('ioctl: { fd: 4, cmd: DMA_BUF_IOCTL_SYNC, arg: { flags: 8 } }'), 1);
  assert.equal(raw.args['flags'], '0x8');
  const name = prepared(oneOp('ioctl: { fd: 4, cmd: DMA_BUF_SET_NAME, arg: { name: "gpu-é" } }'), 1);
  assert.equal(ioctlOf(name.action).cmd, DMA_BUF_SET_NAME);
  assert.deepEqual(ioctlOf(name.action).arg, [0x67, 0x70, 0x75, 0x2d, 0xc3, 0xa9, 0]);
  assert.equal(name.args['name'], '"gpu-é"');
  // raw bytes still work for every ioctl
  assert.deepEqual(ioctlOf(prepared(oneOp('ioctl: { fd: 4, cmd: DMA_BUF_SET_NAME, arg: { bytes: "7800" } }'), 1).action).arg, [0x78, 0]);
});

test('mmap of a dma-buf fd takes a plain number as offset', () => {
  const p = prepared(oneOp('mmap: { length: 4K, prot: [PROT_READ], flags: [MAP_SHARED], fd: 4, offset: 4096 }'), 1);
  assert.equal((p.action as { offset: number }).offset, 4096);
});

test('world.importers mistakes: file:line: path: message', () => {
  assert.equal(errorOf('kind: pinned', 'kind: rdma'), `x.yaml:${lineOf(BASE, 'kind: pinned')}: world.importers[1].kind: expected an importer kind: dynamic, deferred, pinned or iommufd`);
  assert.equal(errorOf('{ name: nic, kind: pinned', '{ name: gpu, kind: pinned'),
    `x.yaml:${lineOf(BASE, 'name: nic')}: world.importers[1].name: importer name 'gpu' is used twice; give each importer its own name`);
  assert.match(errorOf('peer2peer: false', 'p2p: false'), /^x\.yaml:\d+: world\.importers\[1\]\.p2p: unknown key 'p2p' in importer; .*expected name, kind or peer2peer/);
  assert.match(errorOf('    - { name: gpu, kind: dynamic }\n', '    - { kind: dynamic }\n'), /world\.importers\[0\]\.name: missing; add `name: \.\.\.`/);
});

test('importer op mistakes: file:line: path: message', () => {
  const line = lineOf(BASE, 'importer: nic');
  assert.equal(errorOf('importer: nic', 'importer: nci'), `x.yaml:${line}: steps[2].dmabuf_attach.importer: no importer 'nci' in world.importers; did you mean 'nic'?`);
  const none = BASE.replace(/  importers:\n(    - .*\n)+/, '');
  assert.match(loadError(none),
    /steps\[2\]\.dmabuf_attach\.importer: no importer 'nic' in world\.importers; add one, e\.g\. importers: \[\{name: gpu, kind: dynamic\}\]/);
  assert.match(errorOf('dmabuf_map: { attachment: $att }', 'dmabuf_map: { attachment: $atx }'), /steps\[3\]\.dmabuf_map\.attachment: \$atx is not bound in process P/);
  assert.match(errorOf('dma: { attachment: $att,', 'dma: { attachment: $att, size: 3,'), /steps\[4\]\.dma\.size: expected an access size of 1, 2, 4 or 8 bytes/);
  const alpha = `${BASE}check:\n  alphabet:\n    G:\n      - dmabuf_attach: { importer: gpo, fd: $buf }\n`;
  assert.equal(loadError(alpha),
    `x.yaml:${lineOf(alpha, 'importer: gpo')}: check.alphabet.G[0].dmabuf_attach.importer: no importer 'gpo' in world.importers; did you mean 'gpu'?`);
});

test('dmabuf_export mistakes: file:line: path: message', () => {
  const line = lineOf(BASE, 'dmabuf_export');
  assert.match(errorOf('ranges: [', 'range: ['), new RegExp(`^x\\.yaml:${line}: steps\\[1\\]\\.dmabuf_export\\.range: unknown key 'range' in dmabuf_export; did you mean 'ranges'\\?`));
  assert.match(errorOf('region: bar0, ', 'region: bar0, flags: [O_CLOEXEC], open_flags: [O_RDWR], '),
    /steps\[1\]\.dmabuf_export\.flags: `flags` is another name for `open_flags`; give one of them/);
  assert.match(errorOf('region: bar0, ', 'region: bar0, open_flags: [O_CLOEXC], '), /steps\[1\]\.dmabuf_export\.open_flags: unknown open flag 'O_CLOEXC'.*\(did you mean O_CLOEXEC\?\)/);
  assert.match(errorOf('region: bar0', 'region: bar9x'), /steps\[1\]\.dmabuf_export\.region: unknown region 'bar9x'/);
  assert.match(errorOf('{ offset: 4M, length: 64K }', '{ offset: 4M }'), /steps\[1\]\.dmabuf_export\.ranges\[1\]\.length: missing; add `length: \.\.\.`/);
  assert.match(errorOf('{ offset: 4M, length: 64K }', '{ offset: 4M, length: "0x10000000000000000" }'), /steps\[1\]\.dmabuf_export\.ranges\[1\]\.length: 0x10000000000000000 does not fit in a u64/);
  assert.match(errorOf('{ offset: 4M, length: 64K }', '{ offset: 4M, length: 0x8000000000000001 }'), /ranges\[1\]\.length: .* quote it \("0x\.\.\."\) to give a u64 above 2\^53/);
  assert.match(errorOf('{ offset: 4M, length: 64K }', '{ offset: 4M, length: "$nope + 1" }'), /ranges\[1\]\.length: \$nope is not bound in process P/);
  assert.match(errorOf('ranges: [{ offset: 0, length: 2M }, { offset: 4M, length: 64K }]', 'ranges: 2M'), /steps\[1\]\.dmabuf_export\.ranges: expected a list of ranges/);
});

test('dma-buf ioctl mistakes: file:line: path: message', () => {
  const sync = (arg: string): string => errorOf('dma: { attachment: $att, offset: "2M + 4K", write: true, value: 0x1234 }', `ioctl: { fd: $buf, cmd: DMA_BUF_IOCTL_SYNC, arg: ${arg} }`);
  assert.match(sync('{ flags: [DMA_BUF_SYNC_RAED] }'), /steps\[4\]\.ioctl\.arg\.flags: unknown dma-buf sync flag 'DMA_BUF_SYNC_RAED'.*\(did you mean DMA_BUF_SYNC_READ\?\)/);
  assert.match(sync('{ flag: 1 }'), /steps\[4\]\.ioctl\.arg\.flag: struct dma_buf_sync has no field 'flag'; did you mean 'flags'\?/);
  assert.match(sync('{ name: "x" }'), /steps\[4\]\.ioctl\.arg\.name: unknown name 'x'/);
  const setName = (arg: string): string => errorOf('dma: { attachment: $att, offset: "2M + 4K", write: true, value: 0x1234 }', `ioctl: { fd: $buf, cmd: DMA_BUF_SET_NAME, arg: ${arg} }`);
  assert.match(setName('{ name: 5 }'), /steps\[4\]\.ioctl\.arg\.name: expected a string, e\.g\. \{name: "my-buffer"\}/);
  assert.match(setName('{ name: "a", size: 3 }'), /steps\[4\]\.ioctl\.arg\.size: DMA_BUF_SET_NAME takes one string: \{name: "text"\}/);
  assert.match(setName('{ len: 3 }'), /steps\[4\]\.ioctl\.arg: DMA_BUF_SET_NAME has no struct to name fields of; give arg: \{name: "text"\}, arg: \{bytes: "hex"\}/);
  assert.match(setName('{ argsz: [1] }'), /steps\[4\]\.ioctl\.arg\.argsz: field 'argsz' takes a number, not a list; DMA_BUF_SET_NAME takes \{name: "text"\}/);
  assert.match(errorOf('dma: { attachment: $att, offset: "2M + 4K", write: true, value: 0x1234 }', 'ioctl: { fd: $buf, cmd: DMA_BUF_IOCTL_SYNK }'), /steps\[4\]\.ioctl\.cmd: unknown ioctl 'DMA_BUF_IOCTL_SYNK'; did you mean DMA_BUF_IOCTL_SYNC\?/);
});
