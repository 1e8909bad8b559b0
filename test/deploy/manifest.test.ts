/* The Kubernetes manifests under deploy/ are valid batch/v1 Jobs and their shard arguments agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { parseShard } from '../../src/cli/check.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const load = <T>(file: string): T => parse(readFileSync(join(ROOT, 'deploy', file), 'utf8')) as T;

test('check-job.yaml and merge-job.yaml validate against the batch/v1 Job schema', () => {
  for (const file of ['check-job.yaml', 'merge-job.yaml']) {
    const doc = load<IJob>(file);
    assert.doesNotThrow(() => new Job(doc).validate(), file);
  }
  assert.doesNotThrow(() => new PersistentVolumeClaim(load<IPersistentVolumeClaim>('results-pvc.yaml')).validate());
});

test('the schema validation rejects a broken Job (so the test above can fail)', () => {
  const doc = load<IJob>('check-job.yaml');
  const broken = { ...doc, spec: { ...doc.spec!, completions: 'four' } } as unknown as IJob;
  assert.throws(() => new Job(broken).validate());
  const noTemplate = { ...doc, spec: { ...doc.spec!, template: undefined } } as unknown as IJob;
  assert.throws(() => new Job(noTemplate).validate());
});

test('the check Job runs one shard per completion index, N = completions = parallelism, into the volume merge reads', () => {
  const job = load<IJob>('check-job.yaml');
  const spec = job.spec!;
  assert.equal(spec.completionMode, 'Indexed');
  const c = spec.template.spec!.containers[0]!;
  const args = c.args!;
  const shardArg = args[args.indexOf('--shard') + 1]!;
  const m = /^\$\(JOB_COMPLETION_INDEX\)\/(\d+)$/.exec(shardArg);
  assert.ok(m, `--shard takes $(JOB_COMPLETION_INDEX)/N, not ${shardArg}`);
  const n = Number(m[1]);
  assert.equal(spec.completions, n);
  assert.equal(spec.parallelism, n);
  // Every index the Job runs is a shard barmap accepts, and together they are all N.
  for (let i = 0; i < n; i++) assert.deepEqual(parseShard(shardArg.replace('$(JOB_COMPLETION_INDEX)', String(i))), { index: i, count: n });
  const outArg = args[args.indexOf('--out') + 1]!;
  assert.match(outArg, /\$\(JOB_COMPLETION_INDEX\).*\.json$/, 'each shard writes its own results file');
  const mount = c.volumeMounts!.find((v) => outArg.startsWith(v.mountPath + '/'));
  assert.ok(mount, 'the results file lies on a mounted volume');
  const claim = spec.template.spec!.volumes!.find((v) => v.name === mount.name)!.persistentVolumeClaim!.claimName;

  const merge = load<IJob>('merge-job.yaml').spec!.template.spec!;
  const mc = merge.containers[0]!;
  const mergeMount = mc.volumeMounts!.find((v) => v.mountPath === mount.mountPath);
  assert.ok(mergeMount, 'merge mounts the same path');
  assert.equal(merge.volumes!.find((v) => v.name === mergeMount.name)!.persistentVolumeClaim!.claimName, claim);
  const script = [...(mc.command ?? []), ...(mc.args ?? [])].join(' ');
  assert.match(script, new RegExp(`barmap merge ${mount.mountPath}/shard-\\*\\.json`));
  assert.equal(load<IPersistentVolumeClaim>('results-pvc.yaml').metadata!.name, claim);
});
