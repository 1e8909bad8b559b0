/** Run a scenario given as YAML text (tests that build small worlds inline). */
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/check/run.js';
import type { RunResult } from '../../src/check/run.js';
import { findDesign } from '../../src/designs/index.js';

/** A world with one 16K-BAR device `gpu0` and the given extra world YAML lines, then `steps`. */
export function runYaml(steps: string, opts: { world?: string; design?: string; threads?: string } = {}): RunResult {
  const text = `name: t
description: a test world
world:
${opts.world ?? ''}
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      bars:
        - { index: 0, size: 16K, base: 0xf0000000 }
  importers:
    - { name: gpu, kind: dynamic }
  processes:
    - { name: P, threads: [${opts.threads ?? 'A, B, G'}] }
steps:
${steps}`;
  const sc = loadScenario(text, 't.yaml');
  return runScenario(sc, { design: findDesign(opts.design ?? 'legacy')! });
}

/** The vfio row of the only device after a step. */
export function vdevAfter(r: RunResult, step: number) {
  const s = r.steps[step]!.state;
  return Object.values(s.vfio)[0]!;
}

/** Steps: A opens gpu0 as $fd; with `map`, maps BAR0 as $bar0 and stores `map` there. */
export function openSteps(map?: number): string {
  const open = '  - thread: A\n    open: { device: gpu0 }\n    as: fd\n';
  if (map === undefined) return open;
  return `${open}  - thread: A
    mmap: { length: 16K, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], fd: $fd, offset: "region(0)" }
    as: bar0
  - thread: A
    store: { addr: $bar0, value: ${map} }
`;
}
