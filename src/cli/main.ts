#!/usr/bin/env node
/**
 * The `barmap` command.
 *
 *     barmap check [scenario...] [--design D ...] [--arch A ...] [--preemptions N] [--max-actions N]
 *                  [--max-states N] [--invariant NAME ...] [--json] [--out DIR]
 *                  [--random [--seed S] [--walks N] [--depth N]] [--workers N] [--shard i/N] [--no-por]
 *     barmap merge RESULTS.json... [--json] [--out DIR]
 *     barmap replay FILE [--design D] [--state] [--json]
 *     barmap run [scenario-file|built-in-name] [--arch A] [--design D] [--state] [--json]
 *     barmap list
 *     barmap report RESULTS.json|TRACE.json... [-o out.html] [--design D]
 *     barmap repro TRACE.json|SCENARIO [-o repro.c] [--device PATH] [--bar N] [--design D]
 *
 * D is a built-in design's name or a design file (./my-design.ts; code that
 * runs with the user's rights: src/check/design-file.ts).
 *
 * run, replay and check take --format text|json|html (--json is --format json)
 * and --html FILE (an HTML report beside the text).
 *
 * Every mistake on the command line or in a scenario file is one line on
 * stderr saying what is wrong and how to mend it, with exit status 2; never
 * a stack trace (set BARMAP_DEBUG=1 to see one for internal errors).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ScenarioError } from '../scenario/load.js';
import { RunCrash } from '../check/run.js';
import { runCommand, type RunFlags } from './run.js';
import { listCommand } from './list.js';
import { explainCommand } from './explain.js';
import { compareCommand } from './compare.js';
import type { CompareFlags } from './compare.js';
import { checkCommand } from './check.js';
import type { CheckFlags } from './check.js';
import { replayCommand } from './replay.js';
import { mergeCommand } from './merge.js';
import type { MergeFlags } from './merge.js';
import { PACKAGE_ROOT } from './scenarios.js';
import { EXIT, UsageError, oneLine } from './errors.js';
import { checkWritableFile } from './inputs.js';
import { tuneHeap } from './heap.js';
import { DesignLoadError } from '../check/design-file.js';
import { reportCommand } from './report.js';
import { reproCommand } from './repro.js';
import type { ReproFlags } from './repro.js';
import { colourLine, outputFormat, shouldColour } from '../report/format.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

function fail(status: number, message: string): number {
  process.stderr.write(`barmap: ${oneLine(message)}\n`);
  return status;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/**
 * The output of run/replay/check for `--format`: json sets the command's json
 * flag; html writes the report to --html FILE or, without it, to stdout in
 * place of the text; text is coloured on a terminal (not with NO_COLOR).
 */
function formatted<F extends { format?: string; json?: boolean; html?: string }>(flags: F): { flags: F; out: (line: string) => void } {
  const fmt = outputFormat(flags.format, flags.json);
  if (fmt === null) throw new UsageError(`unknown --format '${flags.format}'; formats: text, json, html`);
  if (flags.html !== undefined && flags.html !== '-') checkWritableFile(flags.html, '--html');
  if (fmt === 'html') return { flags: { ...flags, json: false, html: flags.html ?? '-' }, out: () => {} };
  const colour = fmt === 'text' && shouldColour(process.stdout.isTTY === true, process.env);
  return { flags: { ...flags, json: fmt === 'json' }, out: colour ? (l) => out(colourLine(l)) : out };
}

function program(): Command {
  const p = new Command('barmap')
    .description('An executable model of VFIO-PCI BAR mmap and DMA-buf in the Linux kernel (v6.19)')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });
  p.command('check')
    .description('explore scenarios with a check: section and print design x invariant x arch (no scenario: the built-in suite)')
    .argument('[scenario...]', 'scenario files or built-in names (default: every built-in scenario with a check: section)')
    .option('--design <name|path>', 'design to check, a built-in name or a design file (./my-design.ts); repeat for several (default: every built-in design for the suite, legacy for a named scenario)', collect, [])
    .option('--arch <profile>', "arch profile; repeat for several (default: all for the suite, else the scenario's world.arch)", collect, [])
    .option('--preemptions <n>', "preemption bound (default: the scenario's check.preemptions)")
    .option('--max-actions <n>', "ops each thread starts at most (default: the scenario's check.maxActions)")
    .option('--max-states <n>', 'stop each search after this many distinct states (results marked incomplete)')
    .option('--invariant <name>', 'check only this invariant; repeat for several (default: all)', collect, [])
    .option('--defect <name>', 'switch a catalogued defect on (barmap list); repeat for several (default: the scenario\'s defects:)', collect, [])
    .option('--no-defects', "switch every defect off, also those the scenario names (to see the bug not happen)")
    .option('--json', 'print one JSON document (matrix cells, jobs with violations, stats); same as --format json')
    .option('--format <fmt>', 'text (default; coloured on a terminal unless NO_COLOR), json or html (the HTML report on stdout)')
    .option('--html <file>', 'also write a self-contained HTML report: matrix, search plot, a trace viewer per violation')
    .option('--out <dir>', 'directory for trace files; a name ending in .json: write the results file there (traces beside it)', 'barmap-traces')
    .option('--verbose', 'also print the full matrix, a line per scenario and every violation with its trace')
    .option('--random', 'random walks instead of breadth-first search, each violation shrunk')
    .option('--seed <s>', 'seed of the random walks (default 1)')
    .option('--walks <n>', 'number of random walks (default 200)')
    .option('--depth <n>', 'transitions per random walk at most (default 60)')
    .option('--workers <n>', 'worker threads (default: the machine\'s cores); one job is split among them, many are spread over them')
    .option('--force-workers', 'allow --workers above the machine\'s cores (up to 4 per core)')
    .option('--shard <i/N>', 'explore shard i of N (0-based) of each search; merge the shards\' --out files with barmap merge')
    .option('--no-por', 'no partial-order reduction: explore every interleaving (for cross-checking)')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (scenarios: string[], flags: CheckFlags) => {
      const f = formatted(flags);
      process.exitCode = await checkCommand(scenarios, f.flags, f.out);
    });
  p.command('merge')
    .description('combine the results files of check --shard runs into one matrix (shortest violations, states counted once)')
    .argument('<file...>', 'results files written by barmap check --out FILE.json')
    .option('--json', 'print one JSON document, as check --json does')
    .option('--verbose', 'also print the full matrix, a line per scenario and every violation with its trace')
    .option('--out <dir>', 'directory for trace files (a name ending in .json: write the merged results file there)', 'barmap-traces')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (files: string[], flags: MergeFlags) => {
      process.exitCode = await mergeCommand(files, flags, out);
    });
  p.command('replay')
    .description('replay a trace file written by barmap check; exit 1 when its violation breaks again')
    .argument('<file>', 'a trace file (.json) from barmap-traces/')
    .option('--state', 'dump the kernel state after each transition')
    .option('--json', 'print JSON lines instead of text (same as --format json)')
    .option('--format <fmt>', 'text (default; coloured on a terminal unless NO_COLOR), json or html')
    .option('--html <file>', 'also write a self-contained HTML trace viewer')
    .option('--design <name|path>', "replay against this design (a built-in name or a design file) instead of the trace's own")
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (file: string, flags: { state?: boolean; json?: boolean; format?: string; html?: string; design?: string }) => {
      const f = formatted(flags);
      process.exitCode = await replayCommand(file, f.flags, f.out);
    });
  p.command('compare')
    .description('what design B fixes and breaks relative to design A (or two results files), with the shortest trace of each difference')
    .argument('<a>', 'a built-in design, or a results file from barmap check --out FILE.json (FILE.json#DESIGN for one of several)')
    .argument('<b>', 'the design (or results file) to compare with A')
    .argument('[scenario...]', 'scenarios to check both designs on (default: the built-in suite)')
    .option('--arch <profile>', "arch profile; repeat for several (default: all for the suite, else the scenario's world.arch)", collect, [])
    .option('--workers <n>', "worker threads (default: the machine's cores)")
    .option('--out <dir>', 'directory for trace files', 'barmap-traces')
    .option('--json', 'print one JSON document: fixes, breaks, both, holds, the traces shown')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (a: string, b: string, scenarios: string[], flags: CompareFlags) => {
      process.exitCode = await compareCommand(a, b, scenarios, flags, out);
    });
  p.command('explain')
    .description('say in a few lines why a trace breaks its invariant: the setup, the transitions that matter, both sides of the rule')
    .argument('<trace...>', 'trace files (.json) written by barmap check')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action((files: string[]) => {
      process.exitCode = explainCommand(files, out);
    });
  p.command('run')
    .description('run a scenario and print its trace (default scenario: bar-mmap-access)')
    .argument('[scenario]', 'a scenario file (.yaml or .json) or a built-in name (barmap list)')
    .option('--arch <profile>', "arch profile (default: the scenario's world.arch)")
    .option('--design <name|path>', 'design whose kernel paths run: a built-in name or a design file (./my-design.ts)', 'legacy')
    .option('--defect <name>', "switch a catalogued defect on (barmap list); repeat for several (default: the scenario's defects:)", collect, [])
    .option('--no-defects', "switch every defect off, also those the scenario names (to see the bug not happen)")
    .option('--state', 'dump the kernel state after each step')
    .option('--json', 'print JSON lines instead of text (same as --format json)')
    .option('--format <fmt>', 'text (default; coloured on a terminal unless NO_COLOR), json or html')
    .option('--html <file>', 'also write a self-contained HTML trace viewer')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (scenario: string | undefined, flags: RunFlags & { format?: string }) => {
      const f = formatted(flags);
      process.exitCode = await runCommand(scenario, f.flags, f.out);
    });
  p.command('report')
    .description('write one self-contained HTML report from barmap check --json results and/or trace files')
    .argument('<input...>', 'results of barmap check --json (its trace files are read too) or trace files')
    .option('-o, --output <file>', 'the HTML file to write', 'barmap-report.html')
    .option('--design <name|path>', "replay the traces of this design's name, and of any design file, with this design file (default: the file each trace records)")
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (inputs: string[], flags: { output?: string; design?: string }) => {
      process.exitCode = await reportCommand(inputs, flags, out);
    });
  p.command('repro')
    .description('write a C program that replays a trace (or a scenario) on a real kernel through the vfio uapi')
    .argument('<input>', 'a trace file from barmap check, or a scenario file / built-in name')
    .option('-o, --output <file>', 'the C file to write (default: stdout)')
    .option('--device <path>', 'the vfio device cdev the program opens by default', '/dev/vfio/devices/vfio0')
    .option('--bar <n>', 'the BAR index the program maps by default (the trace\'s own when absent)')
    .option('--design <name|path>', "design whose model predicts the outcome, a built-in name or a design file (default: legacy for a scenario, the trace's own for a trace)")
    .option('--arch <profile>', "for a scenario: arch profile (default: the scenario's world.arch)")
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (input: string, flags: ReproFlags) => {
      process.exitCode = await reproCommand(input, flags, out);
    });
  p.command('list')
    .description('list built-in scenarios, designs and arch profiles')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(() => {
      process.exitCode = listCommand(out);
    });
  return p;
}

/** Commander's message as one line with a hint. */
function commanderLine(e: CommanderError): string {
  const msg = e.message.replace(/^error: /, '').split('\n').map((s) => s.trim().replace(/\.$/, '')).filter(Boolean).join(' ');
  if (e.code === 'commander.unknownCommand') return `${msg}; commands are check, compare, merge, replay, explain, run, report, repro and list (barmap --help)`;
  return `${msg}; see barmap --help or barmap <command> --help`;
}

/**
 * Run the command line and return the exit status (without exiting, so the
 * fuzz harness can run many command lines in one thread). Usage errors are
 * one line on stderr and status 2; an internal error is status 3.
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0) return fail(EXIT.usage, 'no command; try barmap check (the built-in suite), barmap run (the default scenario), barmap list or barmap --help');
  process.exitCode = undefined;
  try {
    await program().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (e) {
    return errorStatus(e);
  } finally {
    process.exitCode = undefined;
  }
}

/** The message and exit status of an error thrown by a command. */
function errorStatus(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
      return e.exitCode === 0 || e.code !== 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    return fail(EXIT.usage, commanderLine(e));
  }
  if (e instanceof ScenarioError) {
    // file:line first, as compilers print it, so editors can jump to it
    process.stderr.write(`${oneLine(e.message)}\n`);
    return EXIT.usage;
  }
  if (e instanceof UsageError || e instanceof DesignLoadError) return fail(EXIT.usage, e.message);
  if (process.env['BARMAP_DEBUG']) process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  if (e instanceof RunCrash) {
    return fail(EXIT.internal, `internal model error at ${e.message} (a bug in barmap or the design; BARMAP_DEBUG=1 shows the stack)`);
  }
  return fail(EXIT.internal, `internal error: ${e instanceof Error ? e.message : String(e)} (BARMAP_DEBUG=1 shows the stack)`);
}

/** This module is the program being run (not imported, e.g. by the fuzz harness). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!isMainThread || script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntry()) {
  tuneHeap();
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  void main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
}
