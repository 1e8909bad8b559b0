/* The results file's schema: what barmap check writes reads back; corrupt files are one line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../src/check/job.js';
import { parseResultsFile, ResultsFileError } from '../../src/check/results-file.js';
import { jobsFor, loadForCheck } from '../../src/cli/suite.js';

const spec = { ...jobsFor([loadForCheck('fault+cmd-disable')], { designs: ['legacy'], maxStates: 50 }, false)[0]!, shard: { index: 0, count: 2 } };
const doc = { version: 1, kind: 'barmap-check-results', outcomes: [{ spec, result: runJob(spec) }] };
const text = JSON.stringify(doc);

const refused = (value: unknown, pattern: RegExp): void => {
  assert.throws(() => parseResultsFile(typeof value === 'string' ? value : JSON.stringify(value), 'r.json'),
    (e: unknown) => e instanceof ResultsFileError && !e.message.includes('\n') && pattern.test(e.message));
};
const edited = (f: (d: any) => void): unknown => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const d = JSON.parse(text);
  f(d);
  return d;
};

test('a results file barmap wrote reads back unchanged', () => {
  assert.deepEqual(parseResultsFile(text, 'r.json'), JSON.parse(text));
});

test('corrupt results files are refused with the path of the problem', () => {
  refused('{', /^r\.json: not JSON/);
  refused({ kind: 'other' }, /not a barmap check results file/);
  refused(edited((d) => { d.version = '1'; }), /results version "1" \(not a number\) is not supported/);
  refused(edited((d) => { d.outcomes[0].result.stats.states = 'x'; }), /outcomes\[0\]\.result\.stats\.states: /);
  refused(edited((d) => { delete d.outcomes[0].result.stats; }), /outcomes\[0\]\.result\.stats: /);
  refused(edited((d) => { d.outcomes[0].result.keys = 'AAAA'; }), /keys must be a whole number of 8-byte state keys/);
  refused(edited((d) => { d.outcomes[0].result.keys = '!!!!'; }), /keys must be base64/);
  refused(edited((d) => { d.outcomes[0].result.shard = { index: 2, count: 2 }; d.outcomes[0].spec.shard = { index: 2, count: 2 }; }), /shard index must be below the shard count/);
  refused(edited((d) => { d.outcomes[0].result.design = 'rfc'; }), /the result is of design rfc but the job of legacy/);
  refused(edited((d) => { delete d.outcomes[0].result.keys; }), /has no visited keys/);
});
