/**
 * Fuzz harness: a campaign of generated cases (test/fuzz/cases.ts) run
 * through the CLI in-process (test/fuzz/pool.ts), judged by the CLI's
 * promises: exit 0, 1, 2 or 4; exit 2 is exactly one line on stderr and no
 * stack; never exit 3 (that is for a broken model invariant, which bad
 * input must not cause), never a hang over the time limit, never a heap
 * over the memory limit. Failing cases are written out as JSON so they can
 * be kept in test/fuzz/corpus/ as regression tests.
 *
 *     npm run fuzz -- N [--seed S]      # N cases (default 1000)
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliPool } from './pool.js';
import type { Outcome } from './pool.js';
import { anyCase } from './cases.js';
import type { Case, Fixtures } from './cases.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Fixtures are real searches, not cases under test: they get longer on a loaded machine. */
const FIXTURE_TIMEOUT_MS = 180_000;

/** The limits a case must stay within. */
export const LIMITS = { timeoutMs: 10_000, heapMb: 1024 } as const;

export interface Verdict {
  readonly ok: boolean;
  /** 'exit N', 'hang', 'oom' or 'threw'. */
  readonly what: string;
  readonly why?: string;
  readonly ms: number;
}

/** Judge one outcome by the CLI's promises. */
export function judge(o: Outcome): Verdict {
  if (o.kind === 'hang') return { ok: false, what: 'hang', why: `no answer in ${Math.round(o.ms)} ms`, ms: o.ms };
  if (o.kind === 'oom') return { ok: false, what: 'oom', why: o.message, ms: 0 };
  const r = o.reply;
  if (r.threw !== undefined) return { ok: false, what: 'threw', why: r.threw, ms: r.ms };
  const what = `exit ${r.status}`;
  if (![0, 1, 2, 4].includes(r.status)) return { ok: false, what, why: r.stderr.trim(), ms: r.ms };
  if (r.status === 2) {
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    if (lines.length !== 1) return { ok: false, what, why: `exit 2 with ${lines.length} stderr lines: ${r.stderr.slice(0, 300)}`, ms: r.ms };
    if (/\n\s+at /.test(r.stderr)) return { ok: false, what, why: 'a stack trace on stderr', ms: r.ms };
  }
  return { ok: true, what, ms: r.ms };
}

/** Write a case's files into a fresh directory; the command line with `@/` resolved. */
export function materialize(c: Case, root: string): { dir: string; argv: string[] } {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [name, content] of Object.entries(c.files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, typeof content === 'string' ? content : Buffer.from(content.hex, 'hex'));
  }
  return { dir, argv: c.argv.map((a) => a.replace(/^@\//, `${dir}/`)) };
}

/** Run one case and judge it. */
export async function runCase(pool: CliPool, c: Case, root: string): Promise<Verdict> {
  const { dir, argv } = materialize(c, root);
  try {
    return judge(await pool.run(argv));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The inputs mutators start from: shipped scenarios, two shards and a trace file written by barmap itself. */
export async function makeFixtures(pool: CliPool, root: string, maxStates: number): Promise<Fixtures> {
  const dir = join(root, 'fixtures');
  mkdirSync(dir, { recursive: true });
  const sdir = join(ROOT, 'scenarios');
  const scenarios = readdirSync(sdir).filter((f) => /\.ya?ml$/.test(f)).sort()
    .map((f) => ({ name: f.replace(/\.ya?ml$/, ''), text: readFileSync(join(sdir, f), 'utf8') }));
  for (const i of [0, 1]) {
    const o = await pool.run(['check', 'fault+cmd-disable', '--shard', `${i}/2`, '--workers', '1', '--max-states', '400', '--out', join(dir, `shard-${i}.json`)], FIXTURE_TIMEOUT_MS);
    if (o.kind !== 'exit' || ![0, 4].includes(o.reply.status)) throw new Error(`fixture shard ${i}: ${JSON.stringify(o)}`);
  }
  const o = await pool.run(['check', 'pin+cmd-disable.B16', '--workers', '1', '--out', join(dir, 'traces')], FIXTURE_TIMEOUT_MS);
  if (o.kind !== 'exit' || o.reply.status !== 0) throw new Error(`fixture trace: ${JSON.stringify(o)}`);
  const trace = readdirSync(join(dir, 'traces')).sort()[0]!;
  return {
    scenarios,
    shards: [readFileSync(join(dir, 'shard-0.json'), 'utf8'), readFileSync(join(dir, 'shard-1.json'), 'utf8')],
    trace: readFileSync(join(dir, 'traces', trace), 'utf8'),
    maxStates,
  };
}

export interface CampaignResult {
  readonly cases: number;
  readonly seed: number;
  readonly seconds: number;
  readonly byKind: Record<string, number>;
  readonly byExit: Record<string, number>;
  /** `kind exit N` counts. */
  readonly byKindExit: Record<string, number>;
  readonly failures: readonly { readonly verdict: Verdict; readonly case: Case }[];
  readonly exit3: number;
  readonly hangs: number;
  readonly oom: number;
  readonly slowestMs: number;
  readonly peakRssMb: number;
}

/** Run N generated cases; `onProgress` sees the count now and then. */
export async function campaign(n: number, seed: number, opts: { maxStates: number; onProgress?: (done: number, r: CampaignResult) => void; onFailure?: (c: Case, v: Verdict, index: number) => void }): Promise<CampaignResult> {
  const root = mkdtempSync(join(tmpdir(), 'barmap-fuzz-'));
  const cwd = process.cwd();
  process.chdir(root); // default outputs (barmap-traces/, barmap-report.html) land here
  const pool = new CliPool({ ...LIMITS, recycleAfter: 300 });
  const t0 = performance.now();
  const byKind: Record<string, number> = {};
  const byExit: Record<string, number> = {};
  const byKindExit: Record<string, number> = {};
  const failures: { verdict: Verdict; case: Case }[] = [];
  let slowestMs = 0;
  const result = (done: number): CampaignResult => ({
    cases: done, seed, seconds: (performance.now() - t0) / 1000, byKind, byExit, byKindExit, failures,
    exit3: byExit['exit 3'] ?? 0, hangs: byExit['hang'] ?? 0, oom: byExit['oom'] ?? 0, slowestMs, peakRssMb: Math.round(pool.peakRss / 2 ** 20),
  });
  try {
    const fx = await makeFixtures(pool, root, opts.maxStates);
    const cases = fc.sample(anyCase(fx), { numRuns: n, seed });
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const v = await runCase(pool, c, root);
      byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
      byExit[v.what] = (byExit[v.what] ?? 0) + 1;
      byKindExit[`${c.kind} ${v.what}`] = (byKindExit[`${c.kind} ${v.what}`] ?? 0) + 1;
      slowestMs = Math.max(slowestMs, v.ms);
      if (!v.ok) {
        failures.push({ verdict: v, case: c });
        opts.onFailure?.(c, v, i);
      }
      if ((i + 1) % 250 === 0) opts.onProgress?.(i + 1, result(i + 1));
    }
    return result(cases.length);
  } finally {
    await pool.close();
    process.chdir(cwd);
    rmSync(root, { recursive: true, force: true });
  }
}

async function cli(args: string[]): Promise<number> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
  const si = args.indexOf('--seed');
  const seed = si >= 0 ? Number(args[si + 1]) : Date.now() % 0x7fffffff;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`# barmap fuzz: ${n} cases, seed ${seed}, on ${availableParallelism()} cores (${cpu}); limits ${LIMITS.timeoutMs / 1000} s, ${LIMITS.heapMb} MiB heap\n`);
  const findings = join(process.cwd(), 'fuzz-findings');
  const r = await campaign(n, seed, {
    maxStates: 2000,
    // written as found, so a campaign cut short still leaves its failing cases
    onFailure: (c, v, i) => {
      mkdirSync(findings, { recursive: true });
      writeFileSync(join(findings, `${c.kind}-${seed}-${i}.json`), JSON.stringify({ ...c, verdict: v }, null, 2) + '\n');
    },
    onProgress: (done, p) => process.stdout.write(`#   ${done}/${n} cases, ${p.seconds.toFixed(0)} s, ${p.failures.length} failing, peak RSS ${p.peakRssMb} MiB\n`),
  });
  const summary = { ...r, failures: r.failures.map((f) => ({ kind: f.case.kind, argv: f.case.argv, ...f.verdict })) };
  writeFileSync('fuzz-results.json', JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(`cases ${r.cases} in ${r.seconds.toFixed(0)} s (${(r.cases / r.seconds).toFixed(1)}/s); by kind ${JSON.stringify(r.byKind)}\n`);
  process.stdout.write(`exit statuses ${JSON.stringify(r.byExit)}\n`);
  process.stdout.write(`by kind and exit ${JSON.stringify(Object.fromEntries(Object.entries(r.byKindExit).sort()))}\n`);
  process.stdout.write(`exit 3: ${r.exit3}; hangs over ${LIMITS.timeoutMs / 1000} s: ${r.hangs}; out of memory (${LIMITS.heapMb} MiB heap): ${r.oom}; slowest case ${(r.slowestMs / 1000).toFixed(1)} s; peak RSS of the whole run ${r.peakRssMb} MiB\n`);
  process.stdout.write(`failing cases: ${r.failures.length}${r.failures.length ? ` (written to ${findings}/; keep them in test/fuzz/corpus/)` : ''}; summary in fuzz-results.json\n`);
  return r.failures.length ? 1 : 0;
}

// Run as `npm run fuzz`; not when node --test picks this file up (it runs every file under test/).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1] && process.env['NODE_TEST_CONTEXT'] === undefined) {
  void cli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
