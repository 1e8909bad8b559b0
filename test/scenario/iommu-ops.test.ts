/* The IOMMU ops of the scenario format: open_dev, iommu_dma, the iommufd and type1 ioctls by name, `out:`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { ActionStep, Scenario } from '../../src/scenario/schema.js';
import { prepareAction } from '../../src/scenario/action.js';
import { runScenario } from '../../src/check/run.js';
import { findDesign } from '../../src/designs/index.js';
import type { UserAction } from '../../src/kernel/syscalls.js';
import { leBytes } from '../../src/uapi/codec.js';
import {
  IOMMU_IOAS_ALLOC, IOMMU_IOAS_MAP, IOMMU_IOAS_MAP_FILE, IOMMU_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_READABLE,
  IOMMU_IOAS_UNMAP, IOMMU_VFIO_IOAS, IOMMU_VFIO_IOAS_GET, IOMMU_VFIO_IOAS_SET,
} from '../../src/uapi/iommufd.js';
import {
  VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_UNMAP_FLAG_ALL, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA,
  VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU,
} from '../../src/uapi/vfio-iommu.js';
import { VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_BIND_IOMMUFD } from '../../src/uapi/vfio.js';
import { O_CLOEXEC, O_RDWR } from '../../src/uapi/fcntl.js';
import { EIO } from '../../src/uapi/errno.js';
import {
  attachArg, bindArg, dmaMapArg, dmaUnmapArg, ioasAllocArg, mapArg, mapFileArg, unmapArg, vfioIoasArg,
} from '../iommufd/helpers.js';

const HEAD = `name: t
description: a test scenario
world:
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      bars:
        - { index: 0, size: 16M, base: 0x4000000000 }
  processes:
    - name: P
      threads: [A, D]
steps:
  - thread: A
    open: { device: gpu0 }
    as: fd
  - thread: A
    open_dev: { node: /dev/iommu }
    as: iommufd
`;

/** HEAD plus these steps (YAML, indented as steps). */
function withSteps(steps: string): string {
  return HEAD + steps;
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

/** The action the scenario's last step runs, with the given variables. */
function lastAction(src: string, vars: Record<string, number> = { fd: 0, iommufd: 1 }): { action: UserAction; args: Record<string, unknown> } {
  const sc: Scenario = loadScenario(src, 'x.yaml');
  const st = sc.steps[sc.steps.length - 1] as ActionStep;
  return prepareAction(st.action, vars, { gpu0: '0000:01:00.0' });
}

function ioctlBytes(src: string, vars?: Record<string, number>): { cmd: number; arg: readonly number[] } {
  const { action } = lastAction(src, vars);
  assert.equal(action.op, 'ioctl');
  if (action.op !== 'ioctl') throw new Error('not an ioctl');
  return { cmd: action.cmd, arg: action.arg };
}

test('open_dev and iommu_dma become the open_dev and iommu_dma actions', () => {
  assert.deepEqual(lastAction(HEAD).action, { op: 'open_dev', node: '/dev/iommu', flags: O_RDWR });
  const flagged = lastAction(withSteps(`  - thread: A
    open_dev: { node: /dev/vfio/vfio, flags: [O_RDWR, O_CLOEXEC] }
`));
  assert.deepEqual(flagged.action, { op: 'open_dev', node: '/dev/vfio/vfio', flags: O_RDWR | O_CLOEXEC });
  const dma = lastAction(withSteps(`  - thread: D
    iommu_dma: { device: gpu0, iova: "0x100000 + 4K", write: true, value: 0x55 }
`));
  assert.deepEqual(dma.action, { op: 'iommu_dma', device: '0000:01:00.0', iova: 0x101000, size: 4, write: true, value: 0x55 });
  assert.equal(dma.args['iova'], '0x101000');
  assert.equal(dma.args['device'], 'gpu0(0000:01:00.0)');
});

test('schema errors of the IOMMU ops name the line and how to fix it', () => {
  assert.match(loadError(withSteps(`  - thread: A
    open_dev: { node: /dev/iomu }
`)), /^x\.yaml:20: steps\[2\]\.open_dev\.node: expected a device node: \/dev\/iommu, \/dev\/vfio\/vfio or \/dev\/vfio\/N \(the group of the N-th world device\)$/);
  assert.match(loadError(withSteps(`  - thread: D
    iommu_dma: { device: gpu0 }
`)), /^x\.yaml:20: steps\[2\]\.iommu_dma\.iova: missing; add `iova: \.\.\.`/);
  assert.match(loadError(withSteps(`  - thread: D
    iommu_dma: { device: gpu1, iova: 0 }
`)), /^x\.yaml:20: steps\[2\]\.iommu_dma\.device: no device 'gpu1' in world\.devices; did you mean 'gpu0'\?$/);
  assert.match(loadError(withSteps(`  - thread: D
    iommu_dma: { device: gpu0, iova: 0, size: 3 }
`)), /steps\[2\]\.iommu_dma\.size: expected an access size of 1, 2, 4 or 8 bytes/);
});

test('schema errors of the iommufd ioctls: flags, fields, value args, out:', () => {
  // a misspelt flag of IOMMU_IOAS_MAP, with the nearest name
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_MAP, arg: { flags: [IOMMU_IOAS_MAP_READABL] } }
`)), /^x\.yaml:20: steps\[2\]\.ioctl\.arg\.flags: unknown IOAS map flag 'IOMMU_IOAS_MAP_READABL'; .*did you mean IOMMU_IOAS_MAP_READABLE\?/);
  // a field the struct does not have
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_MAP_FILE, arg: { ioas_id: 1, lenght: 4K } }
`)), /steps\[2\]\.ioctl\.arg\.lenght: struct iommu_ioas_map_file has no field 'lenght'; did you mean 'length'\?/);
  // a value ioctl given as a struct
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: VFIO_SET_IOMMU, arg: { type: 3 } }
`)), /steps\[2\]\.ioctl\.arg\.type: VFIO_SET_IOMMU takes a value, not a struct: arg: \{value: VFIO_TYPE1_IOMMU\}/);
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: VFIO_SET_IOMMU, arg: { value: VFIO_TYPE1V2_IOMMU } }
`)), /unknown VFIO IOMMU type or extension 'VFIO_TYPE1V2_IOMMU'.*did you mean VFIO_TYPE1v2_IOMMU\?/);
  // out: names a field of the struct, needs the struct, and binds the variable for later steps
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {}, out: { ioas: out_ioasid } }
`)), /^x\.yaml:20: steps\[2\]\.ioctl\.out\.ioas: struct iommu_ioas_alloc has no field 'out_ioasid' to read back; did you mean 'out_ioas_id'\?/);
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, out: { ioas: out_ioas_id } }
`)), /steps\[2\]\.ioctl\.out: out: reads fields of the struct back; pass the struct: arg: \{\}/);
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: VFIO_SET_IOMMU, arg: { value: 3 }, out: { x: value } }
`)), /steps\[2\]\.ioctl\.out\.x: VFIO_SET_IOMMU has no struct to read a field back from/);
  assert.match(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_UNMAP, arg: { ioas_id: $ioas } }
  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {}, out: { ioas: out_ioas_id } }
`)), /^x\.yaml:20: steps\[2\]\.ioctl\.arg\.ioas_id: \$ioas is not bound in process P here/);
  assert.equal(loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {}, out: { ioas: out_ioas_id } }
  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_UNMAP, arg: { ioas_id: $ioas } }
`)), '');
});

test('the alphabet knows out: bindings and the IOMMU ops', () => {
  const check = (alphabet: string): string => loadError(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {}, out: { ioas: out_ioas_id } }
check:
  alphabet:
${alphabet}`));
  assert.equal(check(`    A:
      - ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_UNMAP, arg: { ioas_id: $ioas2, iova: 0, length: 4K } }
      - ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {}, out: { ioas2: out_ioas_id } }
    D:
      - iommu_dma: { device: gpu0, iova: 0 }
`), '');
  assert.match(check(`    D:
      - iommu_dma: { device: gpu7, iova: 0 }
`), /check\.alphabet\.D\[0\]\.iommu_dma\.device: no device 'gpu7' in world\.devices; did you mean 'gpu0'\?/);
});

test('ioctl bytes are those the iommufd tests build, with size/argsz filled in', () => {
  const step = (ioctl: string): string => withSteps(`  - thread: A
    ioctl: ${ioctl}
`);
  assert.deepEqual(ioctlBytes(step('{ fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {} }')), { cmd: IOMMU_IOAS_ALLOC, arg: ioasAllocArg() });
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: IOMMU_IOAS_MAP, arg: { ioas_id: 1, user_va: 0x7f0000000000, length: 16K, iova: 0x100000, flags: [IOMMU_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_READABLE] } }')),
    { cmd: IOMMU_IOAS_MAP, arg: mapArg({ ioas: 1, va: 0x7f0000000000, length: 0x4000, iova: 0x100000, flags: IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE }) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: IOMMU_IOAS_MAP_FILE, arg: { ioas_id: 1, fd: 2, start: 4K, length: 8K, iova: 0x200000, flags: 7 } }'), { fd: 0, iommufd: 1, buf: 2 }),
    { cmd: IOMMU_IOAS_MAP_FILE, arg: mapFileArg({ ioas: 1, fd: 2, start: 0x1000, length: 0x2000, iova: 0x200000, flags: 7 }) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: IOMMU_IOAS_UNMAP, arg: { ioas_id: 1, iova: 0, length: "0xffffffffffffffff" } }')),
    { cmd: IOMMU_IOAS_UNMAP, arg: unmapArg(1, 0, 2n ** 64n - 1n) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: IOMMU_VFIO_IOAS, arg: { ioas_id: 1, op: IOMMU_VFIO_IOAS_SET } }')),
    { cmd: IOMMU_VFIO_IOAS, arg: vfioIoasArg(IOMMU_VFIO_IOAS_SET, 1) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $fd, cmd: VFIO_DEVICE_BIND_IOMMUFD, arg: { iommufd: $iommufd } }')),
    { cmd: VFIO_DEVICE_BIND_IOMMUFD, arg: bindArg(1) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $fd, cmd: VFIO_DEVICE_ATTACH_IOMMUFD_PT, arg: { pt_id: 1 } }')),
    { cmd: VFIO_DEVICE_ATTACH_IOMMUFD_PT, arg: attachArg(1) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: VFIO_IOMMU_MAP_DMA, arg: { vaddr: 0x7f0000000000, iova: 0x100000, size: 16K, flags: [VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE] } }')),
    { cmd: VFIO_IOMMU_MAP_DMA, arg: dmaMapArg({ vaddr: 0x7f0000000000, iova: 0x100000, size: 0x4000, flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE }) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: VFIO_IOMMU_UNMAP_DMA, arg: { flags: [VFIO_DMA_UNMAP_FLAG_ALL] } }')),
    { cmd: VFIO_IOMMU_UNMAP_DMA, arg: dmaUnmapArg({ iova: 0, size: 0, flags: VFIO_DMA_UNMAP_FLAG_ALL }) },
  );
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: VFIO_SET_IOMMU, arg: { value: VFIO_TYPE1v2_IOMMU } }')),
    { cmd: VFIO_SET_IOMMU, arg: leBytes(VFIO_TYPE1v2_IOMMU, 8) },
  );
  // a size or argsz given is kept, for the size checks
  assert.deepEqual(ioctlBytes(step('{ fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: { size: 8 } }')).arg, [8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(
    ioctlBytes(step('{ fd: $iommufd, cmd: VFIO_IOMMU_MAP_DMA, arg: { argsz: 31, vaddr: 0x1000, iova: 0, size: 4K, flags: 1 } }')).arg,
    dmaMapArg({ argsz: 31, vaddr: 0x1000, iova: 0, size: 0x1000, flags: 1 }),
  );
});

test('the trace decodes the fields: flag and enum names, u64s in hex, the struct fd apart from the syscall fd', () => {
  const { args } = lastAction(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_MAP_FILE, arg: { ioas_id: 1, fd: 5, length: 64K, flags: [IOMMU_IOAS_MAP_READABLE] }, out: { iova: iova } }
`));
  assert.deepEqual(args, { fd: 1, cmd: 'IOMMU_IOAS_MAP_FILE', ioas_id: 1, 'arg.fd': 5, length: '0x10000', flags: 'IOMMU_IOAS_MAP_READABLE', out: '$iova=iova' });
  assert.equal(lastAction(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_VFIO_IOAS, arg: { op: IOMMU_VFIO_IOAS_GET } }
`)).args['op'], 'IOMMU_VFIO_IOAS_GET');
  assert.equal(lastAction(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: VFIO_SET_IOMMU, arg: { value: 3 } }
`)).args['value'], 'VFIO_TYPE1v2_IOMMU');
});

test('out: binds what the kernel copied back (the new IOAS id, the allocated IOVA), else what was passed', () => {
  const src = withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {}, out: { first: out_ioas_id } }
  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: {}, out: { second: out_ioas_id } }
  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_ALLOC, arg: { flags: 1, out_ioas_id: 77 }, out: { failed: out_ioas_id } }
    expect: { ret: EOPNOTSUPP }
  - thread: A
    ioctl: { fd: $fd, cmd: VFIO_DEVICE_BIND_IOMMUFD, arg: { iommufd: $iommufd }, out: { devid: out_devid } }
  - thread: A
    ioctl: { fd: $fd, cmd: VFIO_DEVICE_ATTACH_IOMMUFD_PT, arg: { pt_id: $second } }
  - thread: A
    dmabuf_export: { fd: $fd, region: bar0, ranges: [{ offset: 0, length: 64K }] }
    as: buf
  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_MAP_FILE, arg: { ioas_id: $second, fd: $buf, length: 64K, flags: [IOMMU_IOAS_MAP_READABLE] }, out: { iova: iova } }
    expect: { ret: 0 }
  - thread: D
    iommu_dma: { device: gpu0, iova: "$iova + 8" }
    expect: { ret: 0 }
  - thread: D
    iommu_dma: { device: gpu0, iova: "$iova + 64K" }
    expect: { ret: EIO }
`);
  const r = runScenario(loadScenario(src, 'x.yaml'), { design: findDesign('legacy')! });
  assert.deepEqual(r.failures, []);
  const state = r.steps[r.steps.length - 1]!.state;
  const vars = Object.values(state.processes)[0]!.vars;
  assert.equal(vars['first'], 1);
  assert.ok(vars['second']! > 1, 'a second IOAS gets the next object id');
  assert.equal(vars['failed'], 77, 'nothing copied back: the value passed');
  assert.ok(vars['devid']! > vars['second']!);
  assert.ok(vars['iova']! > 0 && vars['iova']! % 0x10000 === 0, 'the IOVA iommufd allocated');
  assert.equal(r.steps[r.steps.length - 1]!.ret, -EIO);
});

test('IOMMU flag names and IOMMU_VFIO_IOAS ops have the uapi values', () => {
  const { action } = lastAction(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_IOAS_MAP, arg: { flags: "IOMMU_IOAS_MAP_FIXED_IOVA|IOMMU_IOAS_MAP_READABLE" } }
`));
  assert.ok(action.op === 'ioctl');
  if (action.op === 'ioctl') assert.equal(action.arg[4], IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE);
  const get = lastAction(withSteps(`  - thread: A
    ioctl: { fd: $iommufd, cmd: IOMMU_VFIO_IOAS, arg: { op: IOMMU_VFIO_IOAS_GET } }
`)).action;
  if (get.op === 'ioctl') assert.deepEqual(get.arg, vfioIoasArg(IOMMU_VFIO_IOAS_GET));
  else assert.fail('not an ioctl');
});
