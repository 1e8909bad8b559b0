/**
 * Fuzz harness: fast-check arbitraries for everything barmap reads — scenario
 * files (shipped scenarios mutated as text and as values), ioctl argument
 * bytes, command-line argument vectors, results (shard) files and trace
 * files — each turned into a {@link Case}: the files to write and the
 * command line to run on them.
 *
 * The work a generated command line asks for is kept small (`--max-states`,
 * `--walks` and `--depth` are appended with small values to every check) so
 * that a case taking seconds is a bug, not a big search asked for.
 */
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { IOCTLS } from '../../src/scenario/ioctl.js';

/** A file's content: text, or bytes as hex (for non-UTF-8 input). */
export type FileContent = string | { readonly hex: string };

export interface Case {
  readonly kind: string;
  /** Files written into the case's directory before the run. */
  readonly files: { readonly [name: string]: FileContent };
  /** The command line; `@/x` is the file x in the case's directory. */
  readonly argv: readonly string[];
}

/** Inputs the mutators start from: shipped scenarios, a shard pair and a trace written by barmap. */
export interface Fixtures {
  readonly scenarios: readonly { readonly name: string; readonly text: string }[];
  readonly shards: readonly [string, string];
  readonly trace: string;
  /** Largest --max-states a generated check asks for. */
  readonly maxStates: number;
}

const WEIRD_NUMBERS = ['0', '1', '2', '-1', '1.5', '1e3', '0x10', '99999999999999999999', '9007199254740993', '', ' ', 'abc', 'NaN', 'Infinity', '007', '1/2', '0/0'];
const WEIRD_PATHS = ['@/nope.json', '@/dir', '@/file/under', '/proc/self/x', '/proc/version', '/dev/null', '/dev/zero', '/sys/x', '', '.', '@/ro/x.json', '@/x.json', '@/out'];

/** A scalar YAML/JSON value meant to trip a schema. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...WEIRD_NUMBERS), fc.integer(), fc.double(), fc.bigInt().map((b) => b.toString()),
  fc.constantFrom(null, true, false, [], {}, '$nope', '$bar0', 'region(9)', '0xffffffffffffffffffff', '2M + $x', 'PAGE_SIZE * 2', 'O_RDWR|BOGUS'),
  fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 }),
  // deep nesting, as a stack-overflow probe for whatever prints or compares the value
  fc.integer({ min: 60, max: 1500 }).map((n) => { let v: unknown = []; for (let i = 0; i < n; i++) v = [v]; return v; }),
);

/** Every leaf path of a JSON-like value. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (at.length >= 30) return out; // a deep value planted by an earlier mutation is not walked into
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** set: a hostile value; borrow: the value of another leaf of the same document (plausible but wrong); nudge: a number ±1, ×2 or at a bound. */
type Mutation = { readonly op: 'set' | 'delete' | 'dup' | 'borrow' | 'nudge'; readonly at: number; readonly value: unknown; readonly from: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'set', 'delete', 'dup', 'borrow', 'borrow', 'nudge', 'nudge'), at: fc.nat(), value: weirdValue, from: fc.nat(),
}) as fc.Arbitrary<Mutation>;

function nudge(v: unknown, k: number): unknown {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : undefined;
  if (n === undefined) return v;
  return [n + 1, n - 1, n * 2, 0, 2 ** 32, 2 ** 53, -n, n + 4096][k % 8];
}

/** Apply value-level mutations (a deep copy is changed). */
export function mutateValue(v: unknown, ms: readonly Mutation[]): unknown {
  let root = structuredClone(v);
  for (const m of ms) {
    const ps = paths(root);
    const p = ps[m.at % ps.length]!;
    if (p.length === 0) { if (m.op === 'set') root = m.value; continue; }
    let parent = root as Record<string | number, unknown>;
    for (const seg of p.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
    const key = p[p.length - 1]!;
    if (m.op === 'set') parent[key] = m.value;
    else if (m.op === 'borrow') {
      const q = ps[m.from % ps.length]!;
      let v: unknown = root;
      for (const seg of q) v = (v as Record<string | number, unknown>)[seg];
      parent[key] = structuredClone(v);
    } else if (m.op === 'nudge') parent[key] = nudge(parent[key], m.from);
    else if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
    else parent[`${String(key)}_`] = structuredClone(parent[key]);
  }
  return root;
}

type TextEdit =
  | { readonly op: 'delete-line' | 'dup-line'; readonly line: number }
  | { readonly op: 'replace-line' | 'insert-line'; readonly line: number; readonly text: string }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'bytes'; readonly at: number; readonly bytes: Uint8Array };

const yamlish = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('  - &a { x: 1 }', '  - *a', '*zz', 'k: &r [*r]', '? [a]', ': x', '- - - - -', '\t', '---', '...', '%YAML 1.1', '!!binary x', 'a: !!int x', '{{{{', ']]]]', '"\\x', "'", '<<: *a', '  x: [' + '['.repeat(80)),
);
const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete-line' as const, 'dup-line' as const), line: fc.nat() }),
  fc.record({ op: fc.constantFrom('replace-line' as const, 'insert-line' as const), line: fc.nat(), text: yamlish }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

/** Apply text edits; bytes edits may make the text invalid UTF-8 (then hex content). */
export function editText(text: string, edits: readonly TextEdit[]): FileContent {
  let buf = Buffer.from(text, 'utf8');
  for (const e of edits) {
    if (e.op === 'truncate') { buf = buf.subarray(0, e.at % (buf.length + 1)); continue; }
    if (e.op === 'bytes') {
      const at = e.at % (buf.length + 1);
      buf = Buffer.concat([buf.subarray(0, at), Buffer.from(e.bytes), buf.subarray(at)]);
      continue;
    }
    const lines = buf.toString('utf8').split('\n');
    const i = e.line % Math.max(1, lines.length);
    if (e.op === 'delete-line') lines.splice(i, 1);
    else if (e.op === 'dup-line') lines.splice(i, 0, lines[i] ?? '');
    else if (e.op === 'replace-line') lines[i] = (e as { text: string }).text;
    else lines.splice(i, 0, (e as { text: string }).text);
    buf = Buffer.from(lines.join('\n'), 'utf8');
  }
  const back = buf.toString('utf8');
  return Buffer.from(back, 'utf8').equals(buf) ? back : { hex: buf.toString('hex') };
}

/** How a scenario case is run: as steps, checked (bounded) or as a C reproducer. */
function scenarioArgv(fx: Fixtures, file: string): fc.Arbitrary<string[]> {
  return fc.oneof(
    fc.constant<string[]>(['run', file]),
    fc.constant<string[]>(['run', file, '--json']),
    fc.integer({ min: 1, max: fx.maxStates }).map((n) => ['check', file, '--max-states', String(n), '--workers', '1', '--out', '@/traces']),
    fc.constant<string[]>(['repro', file, '-o', '@/repro.c']),
  );
}

/** Shipped scenarios mutated as YAML text or as values (written back as YAML or JSON). */
export function scenarioCase(fx: Fixtures): fc.Arbitrary<Case> {
  const base = fc.constantFrom(...fx.scenarios);
  const asText = fc.tuple(base, fc.array(textEdit, { minLength: 1, maxLength: 2 })).map(([s, es]) => ({ name: 's.yaml', content: editText(s.text, es) }));
  const asValue = fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 2 }), fc.boolean()).map(([s, ms, json]) => {
    const v = mutateValue(yamlValue(s.text), ms);
    return json ? { name: 's.json', content: JSON.stringify(v) } : { name: 's.yaml', content: safeStringify(v) };
  });
  return fc.oneof(asText, asValue).chain((f) => scenarioArgv(fx, `@/${f.name}`).map((argv): Case => ({ kind: 'scenario', files: { [f.name]: f.content }, argv })));
}

/** A world with a device fd, an iommufd and a dma-buf fd, then ioctls with random commands and argument bytes or fields. */
export function ioctlCase(fx: Fixtures): fc.Arbitrary<Case> {
  const names = Object.keys(IOCTLS);
  const fd = fc.constantFrom('$fd', '$iommufd', '$buf', '$fd', '0', '99', '-1');
  const cmd = fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 12 }, { arbitrary: fc.constantFrom('BOGUS', '0x3b6e', '15'), weight: 1 });
  const bytes = fc.uint8Array({ maxLength: 96 }).map((b) => ({ bytes: Buffer.from(b).toString('hex') }));
  const fields = fc.dictionary(fc.constantFrom('argsz', 'flags', 'index', 'size', 'offset', 'length', 'iova', 'ioas_id', 'fd', 'pt_id', 'value', 'op', 'name'),
    fc.oneof(fc.nat(), fc.constantFrom(0xffffffff, -1, '0xffffffffffffffff', '$fd', 'VFIO_TYPE1v2_IOMMU', '[IOMMU_IOAS_MAP_WRITEABLE]')), { maxKeys: 4 });
  const op = fc.record({ fd, cmd, arg: fc.oneof({ arbitrary: bytes, weight: 4 }, { arbitrary: fields, weight: 1 }) }).map((o) => ({ ioctl: o }));
  return fc.tuple(fc.array(op, { minLength: 1, maxLength: 4 }), fc.boolean()).chain(([ops, checked]) => {
    const sc = {
      name: 'fuzz-ioctl', description: 'generated ioctl argument buffers',
      world: { arch: 'x86_64', devices: [{ name: 'gpu0', bdf: '0000:01:00.0', bars: [{ index: 0, size: '16M', base: '0x4000000000', is64: true }] }], processes: [{ name: 'P', threads: ['A', 'B'] }] },
      steps: [
        { thread: 'A', open: { device: 'gpu0', flags: ['O_RDWR'] }, as: 'fd' },
        { thread: 'A', open_dev: { node: '/dev/iommu' }, as: 'iommufd' },
        { thread: 'A', dmabuf_export: { fd: '$fd', region: 'bar0', ranges: [{ offset: 0, length: '64K' }] }, as: 'buf' },
        ...(checked ? [] : ops.map((o) => ({ thread: 'A', ...o }))),
      ],
      ...(checked ? { check: { alphabet: { A: ops.slice(0, 2), B: ops.slice(2, 4).length ? ops.slice(2, 4) : [ops[0]] }, maxActions: 1, preemptions: 1 } } : {}),
    };
    const argv = checked ? ['check', '@/io.yaml', '--max-states', String(fx.maxStates), '--workers', '1', '--out', '@/traces'] : ['run', '@/io.yaml'];
    return fc.constant<Case>({ kind: 'ioctl', files: { 'io.yaml': stringify(sc) }, argv });
  });
}

/** Command lines: a command, positionals and flags drawn from valid and hostile values. */
export function argvCase(fx: Fixtures): fc.Arbitrary<Case> {
  const value = fc.oneof(fc.constantFrom(...WEIRD_NUMBERS), fc.constantFrom(...WEIRD_PATHS), fc.string({ maxLength: 12 }));
  const flag = fc.oneof(
    fc.tuple(fc.constantFrom('--max-actions', '--preemptions', '--max-states', '--workers', '--seed', '--walks', '--depth', '--shard', '--bar'),
      fc.oneof(fc.constantFrom(...WEIRD_NUMBERS), fc.nat({ max: 300 }).map(String), fc.constantFrom('0/2', '1/2', '2/2', '1/0', '0/1'))),
    fc.tuple(fc.constantFrom('--out', '--html', '-o', '--output', '--device'), fc.constantFrom(...WEIRD_PATHS)),
    fc.tuple(fc.constantFrom('--design', '--arch', '--invariant', '--defect', '--format'),
      fc.oneof(fc.constantFrom('legacy', 'rfc', 'x86_64', 'arm64', 'json', 'html', 'text', 'no-lock-leak', 'B16-pinned-importer'), value)),
    fc.constantFrom(['--json'], ['--state'], ['--random'], ['--no-por'], ['--no-defects'], ['--force-workers'], ['--help'], ['-V'], ['--bogus']),
    fc.tuple(value, value),
  ).map((f) => (Array.isArray(f) ? [...f] : f) as string[]);
  const positional = fc.oneof(fc.constantFrom('@/s.yaml', '@/t.json', '@/a.json', '@/b.json', 'bar-mmap-access', 'fault+cmd-disable', '@/nope.yaml', '@/dir', '/dev/zero', '/proc/self/status'), value);
  const command = fc.constantFrom('check', 'check', 'run', 'replay', 'merge', 'report', 'repro', 'list', 'bogus', '--version');
  return fc.tuple(command, fc.array(positional, { minLength: 0, maxLength: 3 }), fc.array(flag, { maxLength: 5 })).map(([cmd, pos, flags]) => {
    let argv = [cmd, ...pos, ...flags.flat()];
    if (cmd === 'check') {
      // a check names a scenario (not the whole suite) and asks for little work
      if (pos.length === 0) argv.splice(1, 0, '@/s.yaml');
      argv = [...argv, '--max-states', String(Math.min(fx.maxStates, 200))];
      if (argv.includes('--random')) argv.push('--walks', '20', '--depth', '30');
    }
    return {
      kind: 'argv',
      files: { 's.yaml': fx.scenarios.find((s) => s.name === 'fault+cmd-disable')?.text ?? fx.scenarios[0]!.text, 't.json': fx.trace, 'a.json': fx.shards[0], 'b.json': fx.shards[1], 'dir/.keep': '', file: 'x', 'ro/.keep': '' },
      argv,
    };
  });
}

/** Results (shard) files mutated as values or as text, then merged with an intact peer. */
export function resultsCase(fx: Fixtures): fc.Arbitrary<Case> {
  const base = fc.constantFrom(0, 1);
  const asValue = fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([i, ms]) => [i, JSON.stringify(mutateValue(JSON.parse(fx.shards[i]!), ms))] as const);
  const asText = fc.tuple(base, fc.array(textEdit.filter((e) => e.op === 'truncate' || e.op === 'bytes'), { minLength: 1, maxLength: 2 })).map(([i, es]) => [i, editText(fx.shards[i]!, es)] as const);
  const merge = fc.tuple(fc.oneof(asValue, asText), fc.constantFrom<string[]>(['--json'], [], ['--out', '@/merged.json'])).map(([[i, bad], flags]): Case => ({
    kind: 'results',
    files: { 'bad.json': bad, 'peer.json': fx.shards[1 - i]! },
    argv: ['merge', '@/peer.json', '@/bad.json', ...flags, ...(flags.includes('--out') ? [] : ['--out', '@/traces'])],
  }));
  // what barmap report reads: check --json output (its jobs are the shards' results)
  const checkJson = JSON.stringify({ jobs: fx.shards.flatMap((t) => (JSON.parse(t) as { outcomes: { result?: unknown }[] }).outcomes.flatMap((o) => (o.result ? [o.result] : []))) });
  const report = fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms): Case => ({
    kind: 'results',
    files: { 'check.json': JSON.stringify(mutateValue(JSON.parse(checkJson), ms)) },
    argv: ['report', '@/check.json', '-o', '@/r.html'],
  }));
  return fc.oneof({ arbitrary: merge, weight: 3 }, { arbitrary: report, weight: 1 });
}

/** Trace files mutated as values or as text, then replayed, reported or turned into C. */
export function traceCase(fx: Fixtures): fc.Arbitrary<Case> {
  const asValue = fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => JSON.stringify(mutateValue(JSON.parse(fx.trace), ms)) as FileContent);
  const asText = fc.array(textEdit.filter((e) => e.op === 'truncate' || e.op === 'bytes'), { minLength: 1, maxLength: 2 }).map((es) => editText(fx.trace, es));
  // the embedded scenario's text edited like a scenario file
  const asScenario = fc.array(textEdit, { minLength: 1, maxLength: 3 }).map((es) => {
    const tf = JSON.parse(fx.trace) as { scenario: { source: string } };
    const edited = editText(tf.scenario.source, es);
    tf.scenario.source = typeof edited === 'string' ? edited : Buffer.from(edited.hex, 'hex').toString('utf8');
    return JSON.stringify(tf) as FileContent;
  });
  const argv = fc.constantFrom(['replay', '@/t.json'], ['replay', '@/t.json', '--json', '--state'], ['report', '@/t.json', '-o', '@/r.html'], ['repro', '@/t.json', '-o', '@/r.c']);
  return fc.tuple(fc.oneof(asValue, asText, asScenario), argv).map(([t, a]): Case => ({ kind: 'trace', files: { 't.json': t }, argv: a }));
}

/** Any case, in the campaign's proportions. */
export function anyCase(fx: Fixtures): fc.Arbitrary<Case> {
  return fc.oneof(
    { arbitrary: scenarioCase(fx), weight: 4 },
    { arbitrary: ioctlCase(fx), weight: 2 },
    { arbitrary: argvCase(fx), weight: 3 },
    { arbitrary: resultsCase(fx), weight: 2 },
    { arbitrary: traceCase(fx), weight: 2 },
  );
}

function yamlValue(text: string): unknown {
  // the shipped scenarios are plain YAML; their values (aliases expanded) are the base for value mutations
  return JSON.parse(JSON.stringify(parseYaml(text)));
}

function safeStringify(v: unknown): string {
  try {
    return stringify(v);
  } catch {
    try {
      return JSON.stringify(v) ?? 'null';
    } catch {
      return 'null';
    }
  }
}
