/**
 * The cost of a user's design file (`--design ./examples/my-design.ts`)
 * against a built-in design: each run is a fresh Node process (designs are
 * cached per process) that times loadDesignSpec(), and a whole
 * `barmap run bar-mmap-access` with either design. The TypeScript file is
 * transpiled by the typescript package through the module hooks of
 * src/check/design-file.ts, once: later runs read the JavaScript from the
 * cache (here a fresh BARMAP_CACHE directory; "cold" empties it each run).
 * The target is at most 0.5 s added.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface DesignLoadBench {
  readonly runs: number;
  /** Median ms of loadDesignSpec() in a fresh process. */
  readonly loadMs: { readonly builtin: number; readonly ts: number; readonly tsCold: number };
  /** Median ms of a whole `barmap run` process. */
  readonly runMs: { readonly builtin: number; readonly ts: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function benchDesignLoad(root: string, runs: number): DesignLoadBench {
  const resolver = pathToFileURL(join(root, 'dist/src/check/design-file.js')).href;
  const example = join(root, 'examples/my-design.ts');
  const cache = mkdtempSync(join(tmpdir(), 'barmap-bench-cache-'));
  const env = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, BARMAP_CACHE: dir });
  const loadOnce = (spec: string, dir = cache): number => {
    const script = `const { loadDesignSpec } = await import(${JSON.stringify(resolver)});` +
      `const t = performance.now(); await loadDesignSpec(${JSON.stringify(spec)}); process.stdout.write(String(performance.now() - t));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: root, env: env(dir) });
    if (r.status !== 0) throw new Error(`bench: loading ${spec} failed: ${r.stderr}`);
    return Number(r.stdout);
  };
  const runOnce = (spec: string): number => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'run', 'bar-mmap-access', '--design', spec], { encoding: 'utf8', cwd: root, env: env(cache) });
    if (r.status !== 0) throw new Error(`bench: barmap run --design ${spec} failed: ${r.stderr}`);
    return performance.now() - t;
  };
  const t: Record<'lb' | 'lt' | 'lc' | 'rb' | 'rt', number[]> = { lb: [], lt: [], lc: [], rb: [], rt: [] };
  for (let i = 0; i < runs; i++) {
    const cold = mkdtempSync(join(tmpdir(), 'barmap-bench-cold-'));
    t.lc.push(loadOnce(example, cold));
    rmSync(cold, { recursive: true, force: true });
    t.lb.push(loadOnce('legacy'));
    t.lt.push(loadOnce(example));
    t.rb.push(runOnce('legacy'));
    t.rt.push(runOnce(example));
  }
  rmSync(cache, { recursive: true, force: true });
  return { runs, loadMs: { builtin: median(t.lb), ts: median(t.lt), tsCold: median(t.lc) }, runMs: { builtin: median(t.rb), ts: median(t.rt) } };
}

export function designLoadLines(b: DesignLoadBench): string[] {
  const f = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
  return [
    `design load (median of ${b.runs} fresh processes): examples/my-design.ts vs built-in legacy`,
    `  loadDesignSpec():           ${f(b.loadMs.ts)} vs ${f(b.loadMs.builtin)}  (added ${f(b.loadMs.ts - b.loadMs.builtin)}; first load, transpiling: ${f(b.loadMs.tsCold)})`,
    `  barmap run bar-mmap-access: ${f(b.runMs.ts)} vs ${f(b.runMs.builtin)}  (added ${f(b.runMs.ts - b.runMs.builtin)}; target <= 0.5 s)`,
  ];
}
