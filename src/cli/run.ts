/**
 * `barmap run [scenario] [--arch A] [--design D] [--state] [--json]`.
 */
import { ScenarioError, parseSource, validateScenario } from '../scenario/load.js';
import { formatPath } from '../scenario/load.js';
import { runScenario, ScenarioRunError } from '../check/run.js';
import { findDesign, DESIGNS, DEFAULT_DESIGN } from '../designs/index.js';
import { isDesignPath, loadDesignSpec } from '../check/design-file.js';
import { ARCH_PROFILES, findArchProfile } from '../arch/profiles.js';
import { TraceRenderer } from '../report/render.js';
import { closest } from '../scenario/flags.js';
import { DEFECTS, findDefect } from '../designs/defects.js';
import { readScenario, DEFAULT_SCENARIO } from './scenarios.js';
import { EXIT, UsageError } from './errors.js';
import { docsLink, emitHtml } from './report.js';
import { runReportHtml } from '../report/html/index.js';

export interface RunFlags {
  readonly arch?: string;
  readonly design?: string;
  readonly state?: boolean;
  readonly json?: boolean;
  readonly defect?: readonly string[];
  /** false with --no-defects: every defect off. */
  readonly defects?: boolean;
  /** Write an HTML report to this file ('-': stdout). */
  readonly html?: string;
}

/** Run a scenario, writing the trace with `out`; returns the exit status. */
export async function runCommand(arg: string | undefined, flags: RunFlags, out: (line: string) => void): Promise<number> {
  const spec = flags.design ?? DEFAULT_DESIGN;
  const design = isDesignPath(spec) ? (await loadDesignSpec(spec)).design : findDesign(spec);
  if (!design) {
    const names = DESIGNS.map((d) => d.name);
    const near = closest(flags.design ?? '', names);
    throw new UsageError(`unknown design '${flags.design}'; ` + (near ? `did you mean ${near}? ` : '') + `designs: ${names.join(', ')} (barmap list)`);
  }
  if (flags.arch !== undefined && !findArchProfile(flags.arch)) {
    const names = ARCH_PROFILES.map((p) => p.name);
    const near = closest(flags.arch, names);
    throw new UsageError(`unknown arch profile '${flags.arch}'; ` + (near ? `did you mean ${near}? ` : '') + `profiles: ${names.join(', ')} (barmap list)`);
  }
  for (const d of flags.defect ?? []) {
    if (!findDefect(d)) {
      const names = DEFECTS.map((x) => x.name);
      const near = closest(d, names);
      throw new UsageError(`unknown defect '${d}' (--defect); ` + (near ? `did you mean ${near}? ` : '') + `defects: ${names.join(', ')} (barmap list)`);
    }
  }
  const { text, display } = readScenario(arg ?? DEFAULT_SCENARIO);
  const { value, source } = parseSource(text, display);
  const sc = validateScenario(value, source);

  const r = new TraceRenderer({ json: flags.json ?? false, state: flags.state ?? false, lastStep: Math.max(0, sc.steps.length - 1) });
  let result;
  try {
    result = runScenario(
      sc,
      {
        design, ...(flags.arch !== undefined ? { arch: flags.arch } : {}),
        ...(flags.defects === false ? { defects: [] } : flags.defect && flags.defect.length > 0 ? { defects: flags.defect } : {}),
      },
      (rec, progress) => {
        if (rec.index === sc.steps[0]?.index) r.header(progress, sc.description).forEach(out);
        r.step(rec).forEach(out);
      },
    );
  } catch (e) {
    if (e instanceof ScenarioRunError) {
      throw new ScenarioError(display, source.lineOf(e.path), formatPath(e.path), e.message);
    }
    throw e;
  }
  if (sc.steps.length === 0) r.header(result, sc.description).forEach(out);
  r.summary(result).forEach(out);
  if (flags.html !== undefined) emitHtml(flags.html, runReportHtml(result, sc.description, docsLink(flags.html === '-' ? undefined : flags.html)));
  return result.failures.length === 0 ? EXIT.ok : EXIT.failed;
}
