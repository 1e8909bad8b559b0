import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliIn, assertUsage } from './helpers.js';

const { barmap } = cliIn('barmap-compare-');

test('compare legacy dmabuf-vma@1: what B breaks, with the shortest trace of each difference explained (exit 1)', () => {
  const r = barmap('compare', 'legacy', 'dmabuf-vma@1', 'fault+cmd-disable', '--arch', 'x86_64', '--out', 'tr');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /dmabuf-vma@1 fixes \(broken on legacy, holds on dmabuf-vma@1\): nothing/);
  assert.match(r.stdout, /dmabuf-vma@1 breaks \(holds on legacy, broken on dmabuf-vma@1\):\n {2}no-access-to-disabled-bar +43 +fault\+cmd-disable +x86_64/);
  assert.match(r.stdout, /== shortest trace of what dmabuf-vma@1 breaks: zap-reaches-every-mapping on dmabuf-vma@1 \(tr\/fault_cmd-disable--dmabuf-vma_1--x86_64--zap-reaches-every-mapping\.json\)/);
  // the fact behind it: the zap walks the device inode, whose i_mmap holds no VMA
  assert.match(r.stdout, /unmap_mapping_range_tree\(inode=3 vmas=0 zapped=0\)/);
  assert.match(r.stdout, /# dmabuf-vma@1 vs legacy: fixes 0, breaks 3/);
});

test('compare two results files (FILE.json#DESIGN), and the other way round: B fixes (exit 0)', () => {
  const c = barmap('check', 'fault+cmd-disable', '--design', 'legacy', '--design', 'dmabuf-vma@1', '--arch', 'x86_64', '--out', 'r.json');
  assert.equal(c.status, 0, c.stderr); // fault+cmd-disable declares what dmabuf-vma@1 breaks
  const r = barmap('compare', 'r.json#dmabuf-vma@1', 'r.json#legacy', '--json', '--out', 'tr2');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { fixes: { invariant: string; a: number }[]; breaks: unknown[]; traces: { why: string }[] };
  assert.deepEqual(doc.fixes.map((f) => `${f.invariant} ${f.a}`), ['no-access-to-disabled-bar 43', 'no-leaf-on-disabled-bar 37', 'zap-reaches-every-mapping 45']);
  assert.deepEqual(doc.breaks, []);
  assert.equal(doc.traces.length, 3);
  assertUsage(barmap('compare', 'r.json', 'legacy'), /r\.json holds designs legacy, dmabuf-vma@1; name one as r\.json#DESIGN|not one of each/);
  assertUsage(barmap('compare', 'r.json#legacy', 'r.json#rfc'), /holds no results of design 'rfc'/);
});

test('compare usage errors: one line, exit 2', () => {
  assertUsage(barmap('compare', 'legacy', 'legasy'), /'legasy' is neither a built-in design .* nor a results file/);
  assertUsage(barmap('compare', 'legacy', 'legacy'), /two different designs/);
  assertUsage(barmap('compare', 'legacy'), /missing required argument 'b'/);
});
