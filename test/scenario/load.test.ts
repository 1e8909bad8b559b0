import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { ActionStep } from '../../src/scenario/schema.js';
import { evalExpr } from '../../src/scenario/expr.js';
import { PROT_READ, PROT_WRITE, MAP_SHARED } from '../../src/uapi/mman.js';
import { O_RDWR, O_CLOEXEC } from '../../src/uapi/fcntl.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const BASE = `name: t
description: a test scenario
world:
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      bars:
        - { index: 0, size: 2M, base: 0x4000000000 }
  processes:
    - name: P
      threads: [A, B]
steps:
  - thread: A
    open: { device: gpu0, flags: [O_RDWR, O_CLOEXEC] }
    as: fd
  - thread: A
    mmap: { length: 2M, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], fd: $fd, offset: "region(0)" }
    as: bar0
  - thread: B
    load: { addr: "$bar0 + 0x1000", size: 4 }
    expect: { ret: 0, signal: none }
`;

/** Load BASE with one substitution; return the error line or '' on success. */
function errorOf(from: string | RegExp, to: string, text = BASE): string {
  const src = text.replace(from, to);
  assert.notEqual(src, text, `substitution ${String(from)} did not apply`);
  try {
    loadScenario(src, 'scenarios/x.yaml');
    return '';
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `not a ScenarioError: ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'the message is one line');
    return e.message;
  }
}

test('the base scenario loads with defaults and encoded flags', () => {
  const sc = loadScenario(BASE, 'x.yaml');
  assert.equal(sc.world.arch, 'x86_64');
  assert.equal(sc.world.devices[0]!.bars[0]!.size, 2 * 2 ** 20);
  assert.equal(sc.world.devices[0]!.bars[0]!.is64, true);
  assert.equal(sc.steps.length, 3);
  const open = sc.steps[0] as ActionStep;
  assert.equal(open.action.op, 'open');
  assert.equal(open.action.op === 'open' && open.action.args.flags, O_RDWR | O_CLOEXEC);
  const mmap = sc.steps[1] as ActionStep;
  assert.ok(mmap.action.op === 'mmap');
  assert.equal(mmap.action.args.prot, PROT_READ | PROT_WRITE);
  assert.equal(mmap.action.args.flags, MAP_SHARED);
  assert.equal(evalExpr(mmap.action.args.fd, { fd: 5 }), 5);
  assert.equal(sc.steps[2]!.index, 2);
  assert.deepEqual(sc.steps[2]!.expect, { ret: { src: '0', expr: { k: 'num', v: 0 } }, signal: 'none' });
});

test('an unknown flag: file, line, path, what is allowed, nearest name', () => {
  assert.equal(
    errorOf('PROT_WRITE]', 'PROT_RD]'),
    "scenarios/x.yaml:17: steps[1].mmap.prot: unknown flag 'PROT_RD'; expected PROT_READ, PROT_WRITE, PROT_EXEC or PROT_NONE (did you mean PROT_READ?)",
  );
});

test('an unknown key names the allowed keys and the likely one', () => {
  const m = errorOf('length: 2M', 'lenght: 2M');
  assert.match(m, /^scenarios\/x\.yaml:17: steps\[1\]\.mmap\.lenght: unknown key 'lenght' in mmap; did you mean 'length'\?/);
});

test('a missing key says which key to add', () => {
  assert.match(errorOf('size: 2M, base: 0x4000000000', 'size: 2M'), /^scenarios\/x\.yaml:8: world\.devices\[0\]\.bars\[0\]\.base: missing; add `base: \.\.\.`/);
});

test('bad values point at their own line', () => {
  assert.match(errorOf('size: 4 }', 'size: 3 }'), /:20: steps\[2\]\.load\.size: expected an access size of 1, 2, 4 or 8/);
  assert.match(errorOf('size: 2M,', 'size: 2Q,'), /:8: world\.devices\[0\]\.bars\[0\]\.size: cannot read '2Q'/);
  assert.match(errorOf('ret: 0,', 'ret: EINVALL,'), /:21: steps\[2\]\.expect\.ret: unknown errno 'EINVALL'; did you mean EINVAL\?/);
  assert.match(errorOf('signal: none', 'signal: SIGKILL'), /:21: steps\[2\]\.expect\.signal: expected a signal/);
  assert.match(errorOf('bdf: "0000:01:00.0"', 'bdf: "1:0.0"'), /:6: world\.devices\[0\]\.bdf: expected a PCI address/);
  assert.match(errorOf('devices:\n', 'arch: sparc\n  devices:\n'), /:4: world\.arch: unknown arch profile; expected x86_64/);
});

test('cross references: threads, devices, variables', () => {
  assert.match(errorOf('thread: B', 'thread: C'), /:19: steps\[2\]\.thread: no thread 'C'; threads so far: A or B/);
  assert.match(errorOf('device: gpu0,', 'device: gpu1,'), /:14: steps\[0\]\.open\.device: no device 'gpu1' in world\.devices; did you mean 'gpu0'\?/);
  assert.match(errorOf('fd: $fd,', 'fd: $fdd,'), /:17: steps\[1\]\.mmap\.fd: \$fdd is not bound in process P here; bind it with `as: fdd`/);
  assert.match(errorOf('threads: [A, B]', 'threads: [A, A]'), /:11: world\.processes\[0\]\.threads\[1\]: thread name 'A' is used twice/);
  assert.match(errorOf('base: 0x4000000000', 'base: 0x4000001000'), /:8: .*bars\[0\]\.base: a BAR is naturally aligned/);
});

test('variables are per process; fork copies them to the child', () => {
  const two = BASE.replace('    - name: P\n      threads: [A, B]', '    - name: P\n      threads: [A]\n    - name: Q\n      threads: [B]');
  assert.throws(() => loadScenario(two, 'scenarios/x.yaml'), /:22: steps\[2\]\.load\.addr: \$bar0 is not bound in process Q/);
  const fork = BASE + '  - thread: A\n    fork: { child: C }\n  - thread: C\n    load: { addr: $bar0 }\n';
  assert.doesNotThrow(() => loadScenario(fork, 'x.yaml'));
  assert.match(errorOf('child: C', 'child: B', fork), /steps\[3\]\.fork\.child: thread name 'B' is taken/);
});

test('step shape: one op, thread or resume, until paired with resume', () => {
  assert.match(errorOf('    as: bar0\n', '    as: bar0\n    munmap: { addr: 0, length: 4K }\n'), /steps\[1\]\.munmap: one op per step; move munmap to a step of its own/);
  assert.match(errorOf('  - thread: B\n    load: { addr: "$bar0 + 0x1000", size: 4 }\n', '  - thread: B\n'), /steps\[2\]: no op in this step; add one of open, close/);
  const until = BASE.replace('  - thread: B\n', '  - thread: A\n    load: { addr: $bar0 }\n    until: "do_user_addr_fault:start"\n  - thread: B\n');
  assert.doesNotThrow(() => loadScenario(until, 'x.yaml'));
  assert.match(errorOf('thread: B', 'thread: A', until), /steps\[3\]\.thread: thread 'A' is still inside the kernel \(steps\[2\]\.until\); add `resume: A`/);
  assert.doesNotThrow(() => loadScenario(until + '  - resume: A\n    expect: { ret: 0 }\n', 'x.yaml'));
  assert.match(errorOf('- thread: A\n    open', '- resume: A\n    open'), /steps\[0\]\.open: a resume step continues the thread's current action/);
  assert.match(errorOf('  - thread: B\n    load: { addr: "$bar0 + 0x1000", size: 4 }\n', '  - resume: B\n'), /steps\[2\]\.resume: thread 'B' is not inside the kernel here/);
  assert.match(errorOf('    until: "do_user_addr_fault:start"\n', '    until: "do_user_addr_fault:start"\n    as: x\n', until), /steps\[2\]\.as: `as` and `expect` apply when the action returns/);
  assert.match(errorOf('as: fd', 'as: fd\n    until: nolabel'), /steps\[0\]\.until: expected a label fn:label/);
});

test('ioctl: names, struct fields and raw bytes', () => {
  const io = (arg: string): string => BASE + `  - thread: A\n    ioctl: { fd: $fd, cmd: VFIO_DEVICE_GET_REGION_INFO${arg} }\n`;
  assert.doesNotThrow(() => loadScenario(io(', arg: { argsz: 32, index: 0 }'), 'x.yaml'));
  assert.doesNotThrow(() => loadScenario(io(', arg: { bytes: "2000000000000000" }'), 'x.yaml'));
  assert.doesNotThrow(() => loadScenario(io(', fault: true'), 'x.yaml'));
  assert.match(errorOf('GET_REGION_INFO', 'GET_REGION_INFOO', io('')), /steps\[3\]\.ioctl\.cmd: unknown ioctl 'VFIO_DEVICE_GET_REGION_INFOO'; did you mean VFIO_DEVICE_GET_REGION_INFO\?/);
  assert.match(errorOf('index: 0 }', 'indx: 0 }', io(', arg: { argsz: 32, index: 0 }')), /steps\[3\]\.ioctl\.arg\.indx: struct vfio_region_info has no field 'indx'; did you mean 'index'\?/);
  assert.match(errorOf('"2000000000000000"', '"20z"', io(', arg: { bytes: "2000000000000000" }')), /steps\[3\]\.ioctl\.arg\.bytes: bytes must be pairs of hex digits/);
});

test('YAML syntax errors and JSON input', () => {
  assert.match(errorOf('flags: [O_RDWR, O_CLOEXEC] }', 'flags: [O_RDWR, O_CLOEXEC] '), /^scenarios\/x\.yaml:\d+: .*check the indentation/);
  assert.throws(() => loadScenario('', 'e.yaml'), /e\.yaml:1: scenario is empty; expected keys name, description, world, steps, defects, violates or check$/);
  const json = JSON.stringify({
    name: 'j', description: 'json',
    world: { processes: [{ name: 'P', threads: ['A'] }] },
    steps: [{ thread: 'A', exit: null }],
  }, null, 1);
  assert.equal(loadScenario(json, 'j.json').steps[0]!.thread, 'A');
  assert.match(errorOf('"A", "exit"', '"A", "exitt"', json.replace(/\n\s*/g, ' ')), /j?\.?\w*:1: steps\[0\]\.exitt: unknown key 'exitt' in step; did you mean 'exit'\?/);
});

test('every shipped scenario loads', () => {
  const dir = join(ROOT, 'scenarios');
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length > 0);
  for (const f of files) {
    const sc = loadScenario(readFileSync(join(dir, f), 'utf8'), `scenarios/${f}`);
    assert.equal(sc.name, f.replace(/\.(ya?ml|json)$/, ''), `${f}: name matches the file name`);
    assert.ok(sc.description.length > 20, `${f}: has a description`);
    assert.ok(sc.steps.some((s) => s.expect !== undefined), `${f}: states what the kernel does with expect`);
  }
});

test('hostile YAML is refused before it costs anything: size, nesting, aliases', () => {
  const refused = (text: string, pattern: RegExp): void => {
    assert.throws(() => loadScenario(text, 'x.yaml'), (e: unknown) => e instanceof ScenarioError && !e.message.includes('\n') && pattern.test(e.message));
  };
  refused('#'.repeat((1 << 20) + 1), /^x\.yaml:1: the scenario is 1,048,577 characters; at most 1,048,576 are read/);
  refused('a: ' + '['.repeat(65), /^x\.yaml:1: more than 64 nested \[ \] or \{ \}/);
  refused('a: 1\nb:\n' + '- '.repeat(33), /^x\.yaml:3: more than 32 nested sequences on one line/);
  refused('a:\n' + ' '.repeat(257) + 'b: 1', /^x\.yaml:2: indented more than 256 columns/);
  refused('a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', /aliases expand to too many nodes/);
  refused('name: t\ndescription: *nope\n', /^x\.yaml:2: alias \*nope has no anchor &nope before it/);
  // brackets inside quotes and comments do not count as nesting
  assert.throws(() => loadScenario('name: "' + '['.repeat(100) + '" # ' + '{'.repeat(100) + '\n', 'x.yaml'), (e: unknown) => e instanceof ScenarioError && !/nested/.test(e.message));
});

test('world: I/O BARs, a ROM, MSI-X and nonMappableBars load, and a bad ROM or MSI-X is one line', () => {
  const dev = `        - { index: 0, size: 2M, base: 0x4000000000 }
        - { index: 2, size: 256, base: 0xe000, io: true }
      rom: { size: 64K, base: 0xf1000000, imageSize: 2K }
      msix: { vectors: 16, tableBar: 0, tableOffset: 0x2000, pbaBar: 0, pbaOffset: 0x3000 }
      nonMappableBars: true
`;
  const text = BASE.replace('        - { index: 0, size: 2M, base: 0x4000000000 }\n', dev);
  const d = loadScenario(text, 'x.yaml').world.devices[0]!;
  assert.equal(d.bars[1]!.io, true);
  assert.deepEqual(d.rom, { size: 65536, base: 0xf1000000, imageSize: 2048 });
  assert.equal(d.msix!.vectors, 16);
  assert.equal(d.nonMappableBars, true);
  assert.match(errorOf('imageSize: 2K', 'imageSize: 100', text), /rom: imageSize 100 is not a multiple of 512/);
  assert.match(errorOf('tableBar: 0', 'tableBar: 2', text), /msix: the table BAR2 is not an implemented memory BAR/);
  assert.match(errorOf('size: 256, base: 0xe000', 'size: 512, base: 0xe000', text), /at most 256 ports/);
});

test('pread out: and expect vars: bind and check variables; unbound names and unknown cap fields are refused', () => {
  const text = BASE + `  - thread: A
    pread: { fd: $fd, region: config, offset: 0, count: 2, out: vendor }
    expect: { ret: 2, vars: { vendor: 0x10de } }
  - thread: A
    ioctl: { fd: $fd, cmd: VFIO_DEVICE_GET_REGION_INFO, arg: { argsz: 40, index: 0 }, out: { id: cap.id } }
`;
  assert.doesNotThrow(() => loadScenario(text, 'x.yaml'));
  assert.match(errorOf('vars: { vendor: 0x10de }', 'vars: { nope: 1 }', text), /expect\.vars\.nope: \$nope is not bound/);
  assert.match(errorOf('out: { id: cap.id }', 'out: { id: cap.idx }', text), /no field 'cap\.idx'.*cap\.id/);
});
