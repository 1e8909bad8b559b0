#!/usr/bin/env node
/**
 * The `barmap` command.
 *
 *     barmap check [scenario...] [--design D ...] [--arch A ...] [--preemptions N] [--max-actions N]
 *                  [--max-states N] [--invariant NAME ...] [--json] [--out DIR]
 *                  [--random [--seed S] [--walks N] [--depth N]]
 *     barmap replay FILE [--state] [--json]
 *     barmap run [scenario-file|built-in-name] [--arch A] [--design D] [--state] [--json]
 *     barmap list
 *
 * Every mistake on the command line or in a scenario file is one line on
 * stderr saying what is wrong and how to mend it, with exit status 2; never
 * a stack trace (set BARMAP_DEBUG=1 to see one for internal errors).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ScenarioError } from '../scenario/load.js';
import { RunCrash } from '../check/run.js';
import { runCommand, type RunFlags } from './run.js';
import { listCommand } from './list.js';
import { checkCommand } from './check.js';
import type { CheckFlags } from './check.js';
import { replayCommand } from './replay.js';
import { PACKAGE_ROOT } from './scenarios.js';
import { EXIT, UsageError } from './errors.js';

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

function fail(status: number, message: string): never {
  process.stderr.write(`barmap: ${message}\n`);
  process.exit(status);
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

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
    .option('--design <name>', 'design to check; repeat for several (default: every built-in design for the suite, legacy for a named scenario)', collect, [])
    .option('--arch <profile>', "arch profile; repeat for several (default: all for the suite, else the scenario's world.arch)", collect, [])
    .option('--preemptions <n>', "preemption bound (default: the scenario's check.preemptions)")
    .option('--max-actions <n>', "ops each thread starts at most (default: the scenario's check.maxActions)")
    .option('--max-states <n>', 'stop each search after this many distinct states (results marked incomplete)')
    .option('--invariant <name>', 'check only this invariant; repeat for several (default: all)', collect, [])
    .option('--defect <name>', 'switch a catalogued defect on (barmap list); repeat for several (default: the scenario\'s defects:)', collect, [])
    .option('--no-defects', "switch every defect off, also those the scenario names (to see the bug not happen)")
    .option('--json', 'print one JSON document (matrix cells, jobs with violations, stats)')
    .option('--out <dir>', 'directory for trace files', 'barmap-traces')
    .option('--random', 'random walks instead of breadth-first search, each violation shrunk')
    .option('--seed <s>', 'seed of the random walks (default 1)')
    .option('--walks <n>', 'number of random walks (default 200)')
    .option('--depth <n>', 'transitions per random walk at most (default 60)')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action(async (scenarios: string[], flags: CheckFlags) => {
      process.exitCode = await checkCommand(scenarios, flags, out);
    });
  p.command('replay')
    .description('replay a trace file written by barmap check; exit 1 when its violation breaks again')
    .argument('<file>', 'a trace file (.json) from barmap-traces/')
    .option('--state', 'dump the kernel state after each transition')
    .option('--json', 'print JSON lines instead of text')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action((file: string, flags: { state?: boolean; json?: boolean }) => {
      process.exitCode = replayCommand(file, flags, out);
    });
  p.command('run')
    .description('run a scenario and print its trace (default scenario: bar-mmap-access)')
    .argument('[scenario]', 'a scenario file (.yaml or .json) or a built-in name (barmap list)')
    .option('--arch <profile>', "arch profile (default: the scenario's world.arch)")
    .option('--design <name>', 'design whose kernel paths run', 'legacy')
    .option('--defect <name>', "switch a catalogued defect on (barmap list); repeat for several (default: the scenario's defects:)", collect, [])
    .option('--no-defects', "switch every defect off, also those the scenario names (to see the bug not happen)")
    .option('--state', 'dump the kernel state after each step')
    .option('--json', 'print JSON lines instead of text')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .action((scenario: string | undefined, flags: RunFlags) => {
      process.exitCode = runCommand(scenario, flags, out);
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
  if (e.code === 'commander.unknownCommand') return `${msg}; commands are check, replay, run and list (barmap --help)`;
  return `${msg}; see barmap --help or barmap <command> --help`;
}

async function main(argv: readonly string[]): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  if (argv.length === 0) fail(EXIT.usage, 'no command; try barmap check (the built-in suite), barmap run (the default scenario), barmap list or barmap --help');
  try {
    await program().parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        process.exit(e.exitCode === 0 || e.code !== 'commander.help' ? 0 : EXIT.usage);
      }
      fail(EXIT.usage, commanderLine(e));
    }
    if (e instanceof ScenarioError) {
      // file:line first, as compilers print it, so editors can jump to it
      process.stderr.write(`${e.message}\n`);
      process.exit(EXIT.usage);
    }
    if (e instanceof UsageError) fail(EXIT.usage, e.message);
    if (process.env['BARMAP_DEBUG']) throw e;
    if (e instanceof RunCrash) {
      fail(EXIT.internal, `internal model error at ${e.message} (a bug in barmap or the design; BARMAP_DEBUG=1 shows the stack)`);
    }
    fail(EXIT.internal, `internal error: ${e instanceof Error ? e.message : String(e)} (BARMAP_DEBUG=1 shows the stack)`);
  }
}

void main(process.argv.slice(2));
