/* --design PATH on every command, through the CLI as a user types it (src/check/design-file.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, assertUsage, cliIn } from './helpers.js';

const { tmp, barmap, file } = cliIn('barmap-design-cli-');

// examples/my-design.ts (legacy with no zap on disable) as a user's file outside the package
const MY_DESIGN = readFileSync(join(ROOT, 'examples/my-design.ts'), 'utf8');
file('my-design.ts', MY_DESIGN);
const SCENARIO = readFileSync(join(ROOT, 'scenarios/fault+cmd-disable.yaml'), 'utf8');
const BROKEN = ['no-access-to-disabled-bar', 'no-leaf-on-disabled-bar'];
/** The scenario with its check.violates map replaced. */
const withViolates = (map: string): string => `${SCENARIO.slice(0, SCENARIO.indexOf('  violates:'))}  violates: ${map}\n`;

const traceOf = (dir: string, inv: string): string => join(dir, readdirSync(join(tmp, dir)).find((f) => f.includes(inv))!);

test('check --design ./my-design.ts runs the file, records it in the trace files, and replay/repro/report use it', () => {
  const c = barmap('check', SCENARIO_FILE(), '--design', './my-design.ts', '--workers', '1', '--out', 'tr');
  assert.equal(c.status, 1, c.stderr); // the scenario expects nothing of legacy: my-design's breaks are not expected
  assert.match(c.stdout, /FAIL fault\+cmd-disable \(design my-design, arch x86_64\): no-leaf-on-disabled-bar broke/);
  const tr = traceOf('tr', 'no-leaf-on-disabled-bar');
  const tf = JSON.parse(readFileSync(join(tmp, tr), 'utf8')) as Record<string, string>;
  assert.equal(tf['design'], 'my-design');
  assert.equal(tf['designPath'], './my-design.ts');
  assert.equal(tf['designAbsolutePath'], join(tmp, 'my-design.ts'));
  assert.match(tf['designHash']!, /^[0-9a-f]{64}$/);

  // replay loads the recorded file
  const r = barmap('replay', tr);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /design=my-design/);
  assert.match(r.stdout, /no-leaf-on-disabled-bar breaks again at the last transition/);

  // repro and report replay it too
  const p = barmap('repro', tr, '-o', 'r.c');
  assert.equal(p.status, 0, p.stderr);
  assert.ok(existsSync(join(tmp, 'r.c')));
  const h = barmap('report', tr, '-o', 'r.html');
  assert.equal(h.status, 0, h.stderr + h.stdout);
  assert.match(h.stdout, /wrote r\.html: 1 trace/);

  // the file changes: replay, repro and report refuse in one line; --design replays against it anyway
  writeFileSync(join(tmp, 'my-design.ts'), MY_DESIGN + '\n// edited\n');
  try {
    for (const args of [['replay', tr], ['repro', tr], ['report', tr, '-o', 'r2.html']]) {
      assertUsage(barmap(...args), /^barmap: design \.\/my-design\.ts changed since the trace was written \(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\); pass --design \.\/my-design\.ts to replay against it anyway$/);
    }
    const again = barmap('replay', tr, '--design', './my-design.ts');
    assert.equal(again.status, 1, again.stderr);
    const rep = barmap('report', tr, '-o', 'r3.html', '--design', './my-design.ts');
    assert.equal(rep.status, 0, rep.stderr);
    const pr = barmap('repro', tr, '--design', './my-design.ts', '-o', 'r2.c');
    assert.equal(pr.status, 0, pr.stderr);
  } finally {
    writeFileSync(join(tmp, 'my-design.ts'), MY_DESIGN);
  }
});

function SCENARIO_FILE(): string {
  return file('fcd.yaml', SCENARIO);
}

test('a user design inherits the expectations of its base (legacy) unless a violates: key names it', () => {
  file('inherit.yaml', withViolates(`{ legacy: [${BROKEN.join(', ')}] }`));
  const ok = barmap('check', 'inherit.yaml', '--design', './my-design.ts', '--workers', '1', '--out', 'tr-i');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /every result is as expected/);
  file('own.yaml', withViolates(`{ legacy: [${BROKEN.join(', ')}], my-design: [] }`));
  const own = barmap('check', 'own.yaml', '--design', './my-design.ts', '--workers', '1', '--out', 'tr-o');
  assert.equal(own.status, 1, own.stdout + own.stderr);
  assert.match(own.stdout, /FAIL .*design my-design.*but the scenario does not expect it/);
});

test('run and repro --design ./my-design.ts run the file on a scenario', () => {
  SCENARIO_FILE();
  const r = barmap('run', 'fcd.yaml', '--design', './my-design.ts');
  assert.equal(r.status, 1, r.stderr); // the scenario's expects hold on legacy, not with the zap forgotten
  assert.match(r.stdout, /design=my-design|my-design/);
  assert.match(r.stdout, /invariant no-leaf-on-disabled-bar violated/);
  const legacy = barmap('run', 'fcd.yaml');
  assert.equal(legacy.status, 0, legacy.stderr);
  const c = barmap('repro', 'fcd.yaml', '--design', './my-design.ts');
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /#include/);
});

test('design file mistakes are one line, exit 2, on every command', () => {
  SCENARIO_FILE();
  file('typo.js', [
    "import { legacy, patch, patchPath, stack, vfio_pci_mmap_huge_fault } from 'barmap';",
    "export default stack(legacy, { name: 'typo', description: 'a typo', patches: [",
    "  patch('typo', 'test', patchPath(vfio_pci_mmap_huge_fault).replace('memroy_lock', (cx) => cx.ret(0))),",
    '] });',
  ].join('\n'));
  assertUsage(barmap('check', 'fcd.yaml', '--design', './nope.ts'), /^barmap: --design \.\/nope\.ts: no such file$/);
  assertUsage(barmap('run', 'fcd.yaml', '--design', './typo.js'), /^barmap: --design \.\/typo\.js: .*'memroy_lock'.*labels.*memory_lock/);
  assertUsage(barmap('check', 'fcd.yaml', '--design', 'typo.js'), /'memroy_lock'/);
  assertUsage(barmap('repro', 'fcd.yaml', '--design', './notes.txt'), /expected a \.ts, \.mts, \.js or \.mjs file/);
  assertUsage(barmap('replay', 'nope.json', '--design', './my-design.ts'), /cannot read trace file/);
  assertUsage(barmap('check', 'fcd.yaml', '--design', 'legasy'), /unknown design 'legasy' \(--design\); did you mean legacy\?/);
});

test('BARMAP_CACHE: a .ts design is transpiled once into the cache; an empty value keeps none', () => {
  SCENARIO_FILE();
  const cache = join(tmp, 'cache');
  const run = (dir: string): number | null =>
    spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'run', 'fcd.yaml', '--design', './my-design.ts'],
      { encoding: 'utf8', cwd: tmp, env: { ...process.env, BARMAP_CACHE: dir } }).status;
  assert.equal(run(cache), 1);
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.mjs')).length, 1);
  assert.equal(run(cache), 1, 'the cached JavaScript runs the same');
  assert.equal(run(''), 1);
  assert.equal(readdirSync(cache).length, 1);
});

test('a typo in a label of a TypeScript design does not compile (tsc names the label)', () => {
  file('typo.ts', [
    "import { legacy, patch, patchPath, stack, vfio_pci_mmap_huge_fault } from 'barmap';",
    "export default stack(legacy, { name: 'typo', description: 'a typo', patches: [",
    "  patch('typo', 'test', patchPath(vfio_pci_mmap_huge_fault).replace('memroy_lock', (cx) => cx.ret(0))),",
    '] });',
  ].join('\n'));
  // a user's tsconfig: 'barmap' is this package's types
  file('tsconfig.json', JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [],
      paths: { barmap: [join(ROOT, 'dist/src/index.d.ts')] },
    },
    files: ['typo.ts'],
  }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tmp], { encoding: 'utf8', cwd: tmp });
  assert.notEqual(tsc.status, 0);
  assert.match(tsc.stdout, /typo\.ts.*error TS\d+:.*'"memroy_lock"'/);
});
