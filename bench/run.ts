/**
 * `npm run bench`: every shipped scenario, N runs on each arch profile;
 * prints model steps per second (median over runs) with the machine's
 * cores and CPU model, and writes bench-results.json. Expect failures on a
 * profile the scenario was not written for are counted, not fatal: the
 * bench measures speed. Timings never go into tests.
 *
 * Then the cost of loading a TypeScript design file (bench/design-load.ts;
 * BARMAP_BENCH_DESIGN=0 skips it) and the checker's figures (bench/check.ts;
 * BARMAP_BENCH_CHECK=0 skips them).
 *
 *     npm run bench -- [runs]      (default 5; or BARMAP_BENCH_RUNS)
 */
import { cpus, totalmem } from 'node:os';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/check/run.js';
import { ARCH_PROFILES } from '../src/arch/profiles.js';
import { findDesign, DEFAULT_DESIGN } from '../src/designs/index.js';
import { benchCheck, checkLines } from './check.js';
import { benchDesignLoad, designLoadLines } from './design-load.js';
import { tuneHeap } from '../src/cli/heap.js';

// As barmap's command line does: measure the heap the user gets.
tuneHeap();

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const runs = Number(process.argv[2] ?? process.env['BARMAP_BENCH_RUNS'] ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench: runs must be a positive integer, not '${process.argv[2]}'\n`);
  process.exit(2);
}
const design = findDesign(DEFAULT_DESIGN)!;

interface Row {
  scenario: string;
  arch: string;
  modelSteps: number;
  medianMs: number;
  stepsPerSec: number;
  expectsMet: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const dir = join(ROOT, 'scenarios');
const rows: Row[] = [];
for (const f of readdirSync(dir).filter((x) => /\.(ya?ml|json)$/.test(x)).sort()) {
  const sc = loadScenario(readFileSync(join(dir, f), 'utf8'), `scenarios/${f}`);
  for (const arch of ARCH_PROFILES.map((p) => p.name)) {
    const times: number[] = [];
    let steps = 0;
    let ok = true;
    runScenario(sc, { design, arch }); // warm-up
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const r = runScenario(sc, { design, arch });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      steps = r.modelSteps;
      ok = r.failures.length === 0;
    }
    const ms = median(times);
    rows.push({ scenario: sc.name, arch, modelSteps: steps, medianMs: ms, stepsPerSec: ms > 0 ? Math.round(steps / (ms / 1000)) : 0, expectsMet: ok });
  }
}

const cpu = cpus();
const machine = {
  cores: cpu.length,
  cpu: cpu[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
const w = [Math.max(8, ...rows.map((r) => r.scenario.length)), Math.max(4, ...rows.map((r) => r.arch.length))] as const;
const lines = [
  `barmap bench: ${runs} runs per cell (median), design ${design.name}`,
  `machine: ${machine.cores} cores, ${machine.cpu}, ${machine.memoryGiB} GiB, node ${machine.node}`,
  '',
  `${'scenario'.padEnd(w[0])}  ${'arch'.padEnd(w[1])}  ${'steps'.padStart(6)}  ${'ms'.padStart(8)}  ${'steps/s'.padStart(10)}  expects`,
  ...rows.map((r) =>
    `${r.scenario.padEnd(w[0])}  ${r.arch.padEnd(w[1])}  ${String(r.modelSteps).padStart(6)}  ${r.medianMs.toFixed(3).padStart(8)}  ${String(r.stepsPerSec).padStart(10)}  ${r.expectsMet ? 'met' : 'not met'}`),
];
const total = rows.reduce((a, r) => ({ steps: a.steps + r.modelSteps, ms: a.ms + r.medianMs }), { steps: 0, ms: 0 });
lines.push('', `total: ${total.steps} model steps in ${total.ms.toFixed(1)} ms: ${Math.round(total.steps / (total.ms / 1000))} steps/s`);
const designLoad = process.env['BARMAP_BENCH_DESIGN'] === '0' ? undefined : benchDesignLoad(ROOT, Math.max(3, Math.min(runs, 5)));
if (designLoad) lines.push('', ...designLoadLines(designLoad));
const checker = process.env['BARMAP_BENCH_CHECK'] === '0' ? undefined : await benchCheck(Math.max(3, Math.min(runs, 5)), (s) => process.stderr.write(s + '\n'));
if (checker) lines.push('', ...checkLines(checker));
process.stdout.write(lines.join('\n') + '\n');
writeFileSync(join(ROOT, 'bench-results.json'), JSON.stringify({ date: new Date().toISOString(), runs, design: design.name, machine, rows, ...(designLoad ? { designLoad } : {}), ...(checker ? { checker } : {}) }, null, 2) + '\n');
process.stdout.write('wrote bench-results.json\n');
