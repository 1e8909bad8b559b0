import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLines } from '../../bench/check.js';
import type { CheckBench } from '../../bench/check.js';

const bench = (runs: number): CheckBench => ({
  runs,
  suite: { jobs: 540, failedSetups: 0, states: 1_278_167, transitions: 3_000_000, searchMs: 53_300, statesPerSecPerCore: 23_986, wallMs2: 39_200 },
  memory: { job: 'fork+reset legacy/x86_64, 3 actions per thread', states: 1_000_000, maxRssBytes: 237_000_000, rssPerState: 237, visitedBytesPerState: 10.9, peakLiveBytes: 99_000_000, livePerState: 99, peakAt: 'depth 75' },
  scaling: { job: 'fork+reset legacy/x86_64', states: 213_105, ms1: 17_720, ms2: 13_840, speedup: 1.28, ms2Steal: 15_500, waitMs2: 1_690, waitMs2Steal: 1_660 },
  por: { job: 'munmap+cmd-disable dmabuf-vma@4/x86_64', statesOn: 8_768, statesOff: 8_768, nodesOn: 12_763, nodesOff: 25_024, transitionsOn: 21_283, transitionsOff: 34_882, msOn: 730, msOff: 980 },
  defects: [],
  perRun: {
    suiteSearchMs: [53_300, 50_100, 61_000], suiteWallMs2: [39_200, 35_000, 41_000], maxRssBytes: [235 * 2 ** 20, 226 * 2 ** 20, 227 * 2 ** 20],
    bigMs1: [17_720, 21_000, 17_000], bigMs2: [13_840, 16_700, 12_000], bigMs2Steal: [15_500, 15_000, 19_990],
  },
});

test("the bench's checker table gives each varying row's least and most run beside the medians", () => {
  const lines = checkLines(bench(3));
  assert.match(lines[0]!, /medians of 3 runs/);
  assert.equal(lines.at(-1),
    '  least-most of the 3 runs: suite search 50.1-61.0 s; suite on 2 workers 35.0-41.0 s; peak RSS 226-235 MiB; ' +
    'big job on 1 worker 17.00-21.00 s, on 2 12.00-16.70 s, on 2 stealing 15.00-19.99 s');
});

test("the bench's checker table of a single run has no spread line", () => {
  assert.doesNotMatch(checkLines(bench(1)).join('\n'), /least-most/);
});
