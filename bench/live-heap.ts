/**
 * The live heap of bench/check.ts's million-state search, level by level:
 * `node --expose-gc dist/bench/live-heap.js`. Peak RSS (the bench's memory
 * row) also counts garbage the collector has not yet returned; this forces a
 * full collection after every level and prints what survives it (the heap
 * and the array buffers: the visited set, node links and the frontier's
 * rows are typed arrays), the frontier and the states so far, then the peak
 * live memory per state
 * (`--json`: one JSON line with the figures, for bench/check.ts).
 */
import { Search } from '../src/check/bfs.js';
import { prepareJob } from '../src/check/job.js';
import { MILLION_JOB, jobOf } from './check.js';

const json = process.argv.includes('--json');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write('live-heap: run it as node --expose-gc dist/bench/live-heap.js\n');
  process.exit(2);
}
const spec = jobOf(MILLION_JOB);
const search = new Search(prepareJob(spec).m.model);
gc();
/** The heap and the array buffers in use (typed arrays live outside the heap). */
const inUse = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const base = inUse();
let peak = 0;
let peakAt = '';
while (!search.done) {
  search.expandLevel();
  gc();
  const live = inUse() - base;
  if (live > peak) {
    peak = live;
    peakAt = `depth ${search.depth}, ${search.visited.size} states, ${search.frontier.length} frontier nodes`;
  }
  if (search.depth % 5 === 0 && !json) {
    process.stdout.write(`depth ${search.depth}: ${search.visited.size} states, ${search.frontier.length} frontier nodes, ${(live / 2 ** 20).toFixed(1)} MiB live above the model (heap and array buffers)\n`);
  }
}
const states = search.visited.size;
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
if (json) {
  process.stdout.write(JSON.stringify({ states, peakLiveBytes: peak, peakAt, maxRssBytes }) + '\n');
} else {
  process.stdout.write(`peak live memory above the model (heap and array buffers): ${(peak / 2 ** 20).toFixed(1)} MiB at ${peakAt}; ` +
    `${Math.round(peak / states)} B per state of ${states}; peak RSS ${(maxRssBytes / 2 ** 20).toFixed(0)} MiB\n`);
}
