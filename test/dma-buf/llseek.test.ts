import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/check/run.js';
import { findDesign } from '../../src/designs/index.js';

const yaml = (steps: string) => `
name: llseek
description: dma_buf_llseek
world:
  devices:
    - { name: gpu0, bdf: "0000:01:00.0", bars: [{ index: 0, size: 16M, base: 0x4000000000 }] }
  processes: [{ name: P, threads: [A] }]
steps:
  - { thread: A, open: { device: gpu0 }, as: fd }
  - { thread: A, dmabuf_export: { fd: $fd, region: bar0, ranges: [{ offset: 0, length: 64K }] }, as: buf }
${steps}`;

test('dma_buf_llseek(): SEEK_END 0 is the size, SEEK_SET 0 is 0, anything else -EINVAL', () => {
  const sc = loadScenario(yaml(`
  - { thread: A, lseek: { fd: $buf, whence: SEEK_END }, expect: { ret: 64K } }
  - { thread: A, lseek: { fd: $buf, whence: SEEK_SET }, expect: { ret: 0 } }
  - { thread: A, lseek: { fd: $buf, whence: SEEK_DATA }, expect: { ret: EINVAL } }
  - { thread: A, lseek: { fd: $buf, offset: 1, whence: SEEK_SET }, expect: { ret: EINVAL } }
  - { thread: A, lseek: { fd: $fd, whence: SEEK_END }, expect: { ret: ESPIPE } }
`), 'llseek.yaml');
  const r = runScenario(sc, { design: findDesign('legacy')! });
  assert.deepEqual(r.failures, []);
});

test('a scenario names lseek whence, mremap flags and madvise advice; a typo is refused with the names', () => {
  assert.throws(() => loadScenario(yaml(`  - { thread: A, lseek: { fd: $fd, whence: SEEK_ENDD } }\n`), 'x.yaml'), /SEEK_END/);
  assert.throws(() => loadScenario(yaml(`  - { thread: A, madvise: { addr: 0, length: 4K, advice: MADV_DONTNEEDD } }\n`), 'x.yaml'), /MADV_DONTNEED/);
  assert.throws(() => loadScenario(yaml(`  - { thread: A, mremap: { addr: 0, old_length: 4K, new_length: 4K, flags: [MREMAP_MOVE] } }\n`), 'x.yaml'), /MREMAP_MAYMOVE/);
  assert.throws(() => loadScenario(yaml(`  - { thread: A, remote_access: { via: ptrace, addr: 0 } }\n`), 'x.yaml'), /ptrace_peekdata/);
  assert.throws(() => loadScenario(yaml('').replace('world:\n', 'world:\n  thp: sometimes\n'), 'x.yaml'), /always, madvise or never/);
});
