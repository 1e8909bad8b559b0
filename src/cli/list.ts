/**
 * `barmap list`: the built-in scenarios, designs and arch profiles, each
 * with its one-line description.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { DESIGNS } from '../designs/index.js';
import { ARCH_PROFILES, DEFAULT_ARCH } from '../arch/profiles.js';
import { DEFAULT_DESIGN } from '../designs/index.js';
import { DEFECTS } from '../designs/defects.js';
import { builtinScenarios, SCENARIO_DIR, DEFAULT_SCENARIO } from './scenarios.js';
import { INVARIANTS } from '../check/invariants/index.js';
import { DEADLOCK } from '../check/bfs.js';
import { readdirSync } from 'node:fs';

function table(rows: readonly (readonly [string, string])[]): string[] {
  const w = Math.max(0, ...rows.map(([n]) => n.length));
  return rows.map(([n, d]) => `  ${n.padEnd(w)}  ${d}`);
}

/** The rule's first sentence: the full text is in docs/invariants.md and every trace. */
function firstSentence(rule: string): string {
  const s = oneLine(rule);
  const end = s.search(/( —|[.:;(])(\s|$)/);
  let head = end > 0 ? s.slice(0, end) : s;
  if ((head.match(/\(/g) ?? []).length > (head.match(/\)/g) ?? []).length) head = head.slice(0, head.indexOf('(')).trimEnd();
  return head.length <= 110 ? head : `${head.slice(0, head.lastIndexOf(' ', 108))} …`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function listCommand(out: (line: string) => void): number {
  const files = readdirSync(SCENARIO_DIR);
  const scen = builtinScenarios().map((name): [string, string] => {
    const f = files.find((x) => x.replace(/\.(ya?ml|json)$/, '') === name)!;
    try {
      const sc = loadScenario(readFileSync(join(SCENARIO_DIR, f), 'utf8'), `scenarios/${f}`);
      return [name + (name === DEFAULT_SCENARIO ? ' (default)' : ''), oneLine(sc.description)];
    } catch (e) {
      return [name, `(does not load: ${e instanceof Error ? e.message : String(e)})`];
    }
  });
  out('Scenarios (barmap run <name>, or a path to your own .yaml):');
  table(scen).forEach(out);
  out('');
  out('Designs (--design):');
  table(DESIGNS.map((d) => [d.name + (d.name === DEFAULT_DESIGN ? ' (default)' : ''), oneLine(d.description)])).forEach(out);
  out('');
  out('Patch stacks (docs/designs.md; src/designs/<name>/, one file per patch):');
  for (const d of DESIGNS) {
    if (d.base === undefined) continue;
    out(`  ${d.name} (on ${d.base}): ${(d.patches ?? []).length} patch(es), oldest first`);
    for (const p of d.patches ?? []) out(`    ${oneLine(p.subject)}`);
  }
  out('');
  out('Arch profiles (--arch; default: the scenario\'s world.arch):');
  table(ARCH_PROFILES.map((p) => [p.name + (p.name === DEFAULT_ARCH ? ' (default)' : ''), oneLine(p.description)])).forEach(out);
  out('');
  out('Defects (--defect, or defects: in a scenario; docs/defects.md):');
  table(DEFECTS.map((d) => [d.name, `${d.title} [${d.designs.join(', ')}; breaks ${d.breaks}; scenario ${d.scenario}]`])).forEach(out);
  out('');
  out('Invariants (--invariant, check.invariants; docs/invariants.md):');
  table([...INVARIANTS, DEADLOCK].map((i) => [i.name, firstSentence(i.rule)])).forEach(out);
  return 0;
}
