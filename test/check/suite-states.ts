/* Visit the states the checker reaches on every suite job (and defect scenario), a bounded number per job. */
import { prepareJob } from '../../src/check/job.js';
import type { JobSpec } from '../../src/check/job.js';
import { bfs } from '../../src/check/bfs.js';
import type { KernelState } from '../../src/kernel/state.js';
import type { TraceEvent } from '../../src/kernel/events.js';
import type { Design } from '../../src/designs/types.js';
import { jobsFor, loadForCheck, suiteScenarios } from '../../src/cli/suite.js';
import { DEFECTS } from '../../src/designs/defects.js';

export interface Visit {
  readonly spec: JobSpec;
  readonly design: Design;
  /** The state the transition started from, and where it led with its events. */
  readonly before: KernelState;
  readonly state: KernelState;
  readonly events: readonly TraceEvent[];
}

/** Every suite job and every defect scenario, each explored up to `maxStates` states; `visit` sees every transition. */
export function forSuiteStates(maxStates: number, visit: (v: Visit) => void): void {
  const specs = [
    ...jobsFor(suiteScenarios(), { defects: [] }, true),
    ...DEFECTS.flatMap((d) => jobsFor([loadForCheck(d.scenario)], {}, false)),
  ];
  for (const spec of specs) {
    let p;
    try {
      p = prepareJob({ ...spec, maxStates });
    } catch {
      continue; // a setup this design does not run
    }
    const apply = p.m.model.apply!;
    const design = p.m.model.design;
    bfs({
      ...p.m.model,
      apply: (s, t, fp) => {
        const r = apply(s, t, fp);
        visit({ spec, design, before: s, state: r.state, events: r.events });
        return r;
      },
    });
  }
}
