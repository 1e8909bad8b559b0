import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runJob } from '../../../src/check/job.js';
import { traceFile } from '../../../src/check/trace-file.js';
import { cellsOf } from '../../../src/check/results.js';
import { checkInvariantNames } from '../../../src/scenario/check-section.js';
import { checkReportData, checkReportHtml } from '../../../src/report/html/index.js';
import type { SnapLine } from '../../../src/report/html/snapshot.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const file = 'scenarios/o_direct+cmd-disable.yaml';
const spec = { source: { text: readFileSync(join(ROOT, file), 'utf8'), file }, design: 'legacy', arch: 'x86_64-pte-special-only', defects: [] };
const job = runJob(spec);
const input = {
  subtitle: 't', cells: cellsOf(job, checkInvariantNames()), jobs: [job], docs: '../docs/invariants.md',
  traces: job.found.map((f) => ({ tf: traceFile(spec, job, f) })),
};

test('a check report has the matrix linked to its traces, the job samples, and a view per violation', () => {
  const { data, skipped } = checkReportData(input);
  assert.deepEqual(skipped, []);
  assert.equal(data.traces.length, 2);
  const g = data.traces.find((t) => t.invariant === 'gup-fast-agrees-with-gup')!;
  assert.equal(g.steps.length, 20, 'the setup and 19 transitions');
  assert.deepEqual(g.lanes.map((l) => l.name), ['A-11', 'B-12', '0000:01:00.0', '<kernel>']);
  const row = data.matrix!.rows.indexOf('gup-fast-agrees-with-gup');
  assert.deepEqual(data.matrix!.cells[row]![0], { s: 'broken', n: 19, sc: 'o_direct+cmd-disable', tr: g.id });
  assert.ok(data.jobs![0]!.samples.length >= 2);
  assert.equal(data.jobs![0]!.samples.at(-1)![1], job.stats.states);
  // the step that inserts the PMD leaf: an event on A's lane, and a new leaf line in its state
  const items = data.items.map((j) => JSON.parse(j) as SnapLine);
  const i = g.steps.findIndex((s) => s.ev.some((e) => e.f === 'vmf_insert_pfn_pmd'));
  assert.ok(i > 0);
  assert.equal(g.steps[i]!.ev.find((e) => e.f === 'vmf_insert_pfn_pmd')!.l, 0);
  const before = new Set(g.steps[i - 1]!.st.map((n) => items[n]!.k));
  const added = g.steps[i]!.st.map((n) => items[n]!).filter((l) => !before.has(l.k));
  assert.deepEqual(added.map((l) => l.t), ['PMD 0x7e0000000000 → pfn 0x4000000 write']);
  assert.deepEqual(g.steps.at(-1)!.bug, ['gup-fast-agrees-with-gup']);
});

test('state lines are interned: the page stays small', () => {
  const { data } = checkReportData(input);
  const refs = data.traces.reduce((n, t) => n + t.steps.reduce((m, s) => m + s.st.length, 0), 0);
  assert.ok(data.items.length * 4 < refs, `${data.items.length} distinct lines for ${refs} references`);
  const { html } = checkReportHtml(input);
  assert.ok(html.length < 200_000, `${html.length} bytes`);
  assert.ok(!html.includes('<script src=') && !html.includes('<link '), 'nothing loaded from elsewhere');
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'the data cannot close its script element');
});

test('the report opens with the verdict; an invariant the setup broke is BUG once, not on every later step', () => {
  const { data } = checkReportData(input);
  assert.deepEqual(data.verdict!.designs.map((d) => d.design), ['legacy']);
  assert.deepEqual(data.verdict!.designs[0]!.breaks.map((f) => `${f.invariant} ${f.min}`), ['gup-fast-agrees-with-gup 19', 'no-access-to-disabled-bar 45']);
  // dmabuf-vma@1: the setup of reset+fault already breaks zap-reaches-every-mapping and no-leaf-on-disabled-bar.
  const fspec = { ...spec, source: { text: readFileSync(join(ROOT, 'scenarios/reset+fault.yaml'), 'utf8'), file: 'scenarios/reset+fault.yaml' }, design: 'dmabuf-vma@1', arch: 'x86_64' };
  const fjob = runJob(fspec);
  const later = fjob.found.find((f) => f.schedule.length > 0)!;
  const d = checkReportData({ ...input, cells: cellsOf(fjob, checkInvariantNames()), jobs: [fjob], traces: [{ tf: traceFile(fspec, fjob, later) }] }).data;
  const bugs = d.traces[0]!.steps.flatMap((s) => s.bug ?? []);
  assert.ok(!bugs.includes('zap-reaches-every-mapping') && !bugs.includes('no-leaf-on-disabled-bar'), `the setup's violation is not repeated: ${bugs.join(', ')}`);
  assert.equal(bugs.filter((b) => b === later.invariant).length, 1);
});
