/**
 * Where the partial-order reduction loses independence: runs one job with
 * the reduction on and tallies, for every pair of transitions explored at a
 * node, why the later one's child does not get the earlier one in its sleep
 * set (same task, the footprint element they conflict on, the preemption
 * rule) or that it does; then the states, nodes and transitions with and
 * without the reduction, and the fewest nodes the reduction's argument
 * allows ({@link fewestNodes}). `node dist/bench/por.js [scenario design arch]`
 * (default: the bench's reduction job).
 */
import { prepareJob } from '../src/check/job.js';
import { bfs } from '../src/check/bfs.js';
import type { CheckResult, PorStats } from '../src/check/bfs.js';
import { jobsFor, loadForCheck } from '../src/cli/suite.js';
import { fewestNodes } from '../src/check/dominance.js';

const [scenario = 'munmap+cmd-disable', design = 'dmabuf-vma@4', arch = 'x86_64'] = process.argv.slice(2);
const spec = jobsFor([loadForCheck(scenario)], { designs: [design], archs: [arch], defects: [] }, false)[0]!;
const model = prepareJob(spec).m.model;
const st: PorStats = { pairs: new Map() };
const on = bfs(model, undefined, { porStats: st });
const nodeLog: number[] = [];
const off = bfs(model, undefined, { por: false, nodeLog });
const line = (r: CheckResult): string => `${r.stats.states} states, ${r.stats.nodes} nodes, ${r.stats.transitions} transitions`;
console.log(`${scenario} ${design}/${arch}\n  reduced:   ${line(on)}\n  unreduced: ${line(off)}\n  fewest nodes the argument allows (no node at the same or a smaller depth dominates them): ${fewestNodes(nodeLog)}\n  pairs of transitions explored at a node (reduced search):`);
const total = [...st.pairs.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...st.pairs].sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(8)} ${(100 * v / total).toFixed(1).padStart(5)} %  ${k}`);
