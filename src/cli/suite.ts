/**
 * Which jobs a `barmap check` runs: the scenarios named (files or built-in
 * names) or, without any, the built-in suite — every built-in design ×
 * every arch profile × every shipped scenario with a `check:` section,
 * defects off.
 */
import { DEFECTS } from '../designs/defects.js';
import { DEFAULT_DESIGN } from '../designs/index.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSource, validateScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { JobSpec, RandomMode, Shard } from '../check/job.js';
import type { DesignFile } from '../check/design-file.js';
import { DESIGNS } from '../designs/index.js';
import { ARCH_PROFILES } from '../arch/profiles.js';
import { builtinScenarios, readScenario, SCENARIO_DIR } from './scenarios.js';
import { UsageError } from './errors.js';

export interface LoadedScenario {
  readonly sc: Scenario;
  readonly text: string;
  readonly file: string;
}

/** Load and validate a scenario given as a path or built-in name (ScenarioError/UsageError on mistakes). */
export function loadForCheck(arg: string): LoadedScenario {
  const { text, display } = readScenario(arg);
  const { value, source } = parseSource(text, display);
  return { sc: validateScenario(value, source), text, file: display };
}

/** The shipped scenarios that have a `check:` section, by name. */
export function suiteScenarios(): LoadedScenario[] {
  const files = readdirSync(SCENARIO_DIR);
  return builtinScenarios().flatMap((name) => {
    const f = files.find((x) => x.replace(/\.(ya?ml|json)$/, '') === name)!;
    const text = readFileSync(join(SCENARIO_DIR, f), 'utf8');
    const { value, source } = parseSource(text, `scenarios/${f}`);
    const sc = validateScenario(value, source);
    // The suite runs with defects off: scenarios that switch one on are run by name.
    return sc.check && !(sc.defects ?? []).length ? [{ sc, text, file: `scenarios/${f}` }] : [];
  });
}

export interface JobOptions {
  /** Built-in design names or design files' absolute paths. */
  readonly designs?: readonly string[];
  /** The design files among `designs`, by absolute path (recorded in trace files). */
  readonly designFiles?: ReadonlyMap<string, DesignFile>;
  readonly archs?: readonly string[];
  readonly maxActions?: number;
  readonly preemptions?: number;
  readonly maxStates?: number;
  readonly invariants?: readonly string[];
  readonly defects?: readonly string[];
  readonly random?: RandomMode;
  readonly shard?: Shard;
  /** false: no partial-order reduction. */
  readonly por?: boolean;
}

/**
 * Jobs for scenarios × designs × archs. Without --arch, the suite runs every
 * arch profile and a named scenario its own world.arch.
 */
export function jobsFor(scenarios: readonly LoadedScenario[], o: JobOptions, suite: boolean): JobSpec[] {
  const allDesigns = DESIGNS.map((d) => d.name);
  const jobs: JobSpec[] = [];
  for (const s of scenarios) {
    if (!s.sc.check) throw new UsageError(`scenario ${s.file} has no check: section; add one with an alphabet (docs/check.md) or use barmap run`);
    // A scenario that switches a defect on is checked on the designs that had the bug.
    const defects = o.defects ?? s.sc.defects ?? [];
    const defectDesigns = DEFECTS.filter((d) => defects.includes(d.name)).flatMap((d) => d.designs);
    // The suite covers every design; a named scenario runs on the default design, as `barmap run` does.
    const designs = o.designs ?? (defectDesigns.length > 0 ? [...new Set(defectDesigns)] : suite ? allDesigns : [DEFAULT_DESIGN]);
    const archs = o.archs ?? (suite ? ARCH_PROFILES.map((p) => p.name) : [s.sc.world.arch]);
    for (const design of designs) {
      for (const arch of archs) {
        jobs.push({
          source: { text: s.text, file: s.file }, design, arch, defects: [...defects],
          ...(o.designFiles?.has(design) ? { designFile: o.designFiles.get(design)! } : {}),
          ...(o.maxActions !== undefined ? { maxActions: o.maxActions } : {}),
          ...(o.preemptions !== undefined ? { preemptions: o.preemptions } : {}),
          ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
          ...(o.invariants !== undefined ? { invariants: o.invariants } : {}),
          ...(o.random !== undefined ? { random: o.random } : {}),
          ...(o.shard !== undefined ? { shard: o.shard } : {}),
          ...(o.por === false ? { por: false } : {}),
        });
      }
    }
  }
  return jobs;
}
