/**
 * Publication points: where a file or a VMA becomes visible to another CPU
 * (issue 12). Each test explores every interleaving of a small scenario
 * (no partial-order reduction) with an observer invariant that flags the
 * interleaving the kernel forbids, and a sanity observer that shows the
 * racing action did reach the object once it was published (so the test
 * is not vacuous). The forked task's publication at wake_up_new_task() is
 * tested in test/mm/fork.test.ts; docs/model.md lists every point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/scenario/load.js';
import { scenarioModel } from '../../src/check/model.js';
import { bfs } from '../../src/check/bfs.js';
import { findDesign } from '../../src/designs/index.js';
import type { Invariant } from '../../src/check/invariants/types.js';
import { violated } from '../../src/check/invariants/types.js';
import type { KernelState } from '../../src/kernel/state.js';
import { listLeaves } from '../../src/mm/pgtable.js';
import { archProfile } from '../../src/arch/profiles.js';
import { DMA_BUF_FOPS } from '../../src/dma-buf/export.js';
import type { TraceEvent } from '../../src/kernel/events.js';
import { VFIO_DEVICE_FOPS } from '../../src/vfio/pci/open.js';
import { VFIO_PCI_DMABUF_OPS } from '../../src/vfio/pci/dmabuf-create.js';

const WORLD = `world:
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      bars:
        - { index: 0, size: 16M, base: 0x4000000000 }
  importers:
    - { name: gpu, kind: dynamic }
  processes:
    - name: P
      threads: [A, B, G]
steps:
  - thread: A
    open: { device: gpu0 }
    as: fd
`;

/** A scenario on {@link WORLD} whose setup opens gpu0 as $fd, then runs `rest` (more steps, the check section). */
function scenario(name: string, description: string, rest: string): string {
  return `name: ${name}\ndescription: ${description}\n${WORLD}${rest}`;
}

/**
 * Explore `yaml` completely on each design: `forbidden` must never break,
 * `reached` (the race touching the published object) must break at least once.
 */
function assertUnreachable(yaml: string, designs: readonly string[], forbidden: Invariant, reached: Invariant): void {
  for (const design of designs) {
    const sm = scenarioModel(loadScenario(yaml, 'publication.yaml'), { design: findDesign(design)! });
    const r = bfs({ ...sm.model, invariants: [forbidden, reached] }, undefined, { por: false });
    assert.ok(r.stats.complete, `${design}: the search was cut`);
    assert.ok(!r.found.has(forbidden.name), `${design}: ${r.found.get(forbidden.name)?.violation.message}`);
    assert.ok(r.found.has(reached.name), `${design}: ${reached.rule} never happened: the test is vacuous`);
  }
}

function observer(name: string, rule: string, check: (s: KernelState, events: readonly TraceEvent[]) => string | null): Invariant {
  const inv: Invariant = { name, rule, check: ({ state, events }) => { const m = check(state, events); return m === null ? null : violated(inv, m); } };
  return inv;
}

/** Every file some fd names, with its fd and process. */
function* installedFiles(s: KernelState): Generator<{ pid: number; fd: number; file: number }> {
  for (const p of Object.values(s.processes)) {
    if (p.fdtable === 0) continue;
    const fds = s.fdtables[p.fdtable]?.fds ?? [];
    for (let fd = 0; fd < fds.length; fd++) {
      const e = fds[fd];
      if (e) yield { pid: p.pid, fd, file: e.file };
    }
  }
}

/**
 * A file an fd names is complete: a vfio device file's device is open
 * (vfio_df_open() ran before fd_install() in do_sys_openat2()), a vfio
 * dma-buf is on vdev->dmabufs or already revoked for good (listed under
 * memory_lock before dma_buf_fd() in vfio_pci_core_feature_dma_buf()), so
 * no revoke can miss a buffer user space can reach.
 */
const fdNamesCompleteFile = observer(
  'fd-names-incomplete-file',
  'fd_install() publishes a file only after its open/export finished (do_sys_openat2, vfio_pci_core_feature_dma_buf)',
  (s) => {
    for (const { fd, file } of installedFiles(s)) {
      const f = s.files[file];
      if (f === undefined) return `fd ${fd} names freed file ${file}`;
      if (f.f_op === VFIO_DEVICE_FOPS && (s.vfio[f.private_data]?.open_count ?? 0) === 0) return `fd ${fd}: device file of a closed device`;
      if (f.f_op === DMA_BUF_FOPS) {
        const d = s.dmabufs[f.private_data];
        if (d === undefined) return `fd ${fd}: dma-buf file without its dma_buf`;
        if (d.ops !== VFIO_PCI_DMABUF_OPS) continue;
        const priv = s.vfio_dmabufs[d.priv];
        if (priv === undefined || (!priv.listed && !priv.revoked)) return `fd ${fd}: vfio dma-buf ${d.id} reachable before it is on vdev->dmabufs`;
      }
    }
    return null;
  },
);

test('fd_install: a guessed fd never reaches a dma-buf before it is on vdev->dmabufs, nor a device before it is open', () => {
  // A exports while B disables memory decoding and G attaches to / B closes the fd the export will get (1).
  const yaml = scenario('publish-fd', 'a dma-buf fd raced by threads that guess its number, 1 as fds start at 0 in the model', `check:
  alphabet:
    A:
      - dmabuf_export: { fd: $fd, region: bar0, ranges: [{ offset: 0, length: 64K }] }
      - open: { device: gpu0 }
    B:
      - pwrite: { fd: $fd, region: config, offset: PCI_COMMAND, u16: 0x0 }
      - close: { fd: 1 }
    G:
      - dmabuf_attach: { importer: gpu, fd: 1 }
  maxActions: 2
  preemptions: 2
`);
  const guessed = observer('guessed-fd-attached', 'an attach through the guessed fd', (s) =>
    Object.values(s.attachments).length > 0 ? 'an importer attached through fd 1' : null);
  assertUnreachable(yaml, ['legacy', 'revoke@v7.1'], fdNamesCompleteFile, guessed);
});

/** The mmap_region labels at which the VMA is still a draft of the frame (->mmap not returned). */
const DRAFT_LABELS = new Set(['start', 'after_prepare', 'after_mmap', 'error_unmap']);

const draftInvisible = observer(
  'draft-vma-visible',
  'mmap_region(): the new VMA enters mm->mm_mt and i_mmap only after ->mmap returned (__mmap_new_vma: vma_iter_store_new, vma_link_file)',
  (s) => {
    for (const t of Object.values(s.tasks)) {
      for (const f of t.frames) {
        if (f.fn !== 'mmap_region' || !DRAFT_LABELS.has(f.pc)) continue;
        const vma = f.locals['vma'];
        if (typeof vma !== 'number' || vma === 0) continue;
        for (const mm of Object.values(s.mms)) if (mm.vmas.some((v) => v.id === vma)) return `VMA ${vma} in mm ${mm.id} while ${t.name} is at mmap_region:${f.pc}`;
        for (const ino of Object.values(s.inodes)) if (ino.i_mapping.i_mmap.some((r) => r.vma === vma)) return `VMA ${vma} in inode ${ino.id}'s i_mmap while ${t.name} is at mmap_region:${f.pc}`;
      }
    }
    return null;
  },
);

test('mmap_region: a VMA under construction is in neither mm->mm_mt nor i_mmap, so neither a fault nor a zap reaches it', () => {
  const yaml = scenario('publish-vma', 'two threads map the BAR while a third disables memory decoding and faults', `check:
  alphabet:
    A:
      - mmap: { addr: 0x7e0000000000, length: 64K, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED, MAP_FIXED], fd: $fd, offset: "region(0)" }
    B:
      - pwrite: { fd: $fd, region: config, offset: PCI_COMMAND, u16: 0x0 }
    G:
      - load: { addr: 0x7e0000000000 }
  maxActions: 1
  preemptions: 2
`);
  const faulted = observer('fault-reached-new-vma', 'a fault on the new VMA by another thread', (_s, events) =>
    events.some((e) => e.kind === 'fault') ? 'fault on the new VMA' : null);
  assertUnreachable(yaml, ['legacy', 'dmabuf-vma@5', 'shared-base'], draftInvisible, faulted);
});

/**
 * dup_mmap(): the child's VMA is linked into i_mmap before
 * copy_page_range() gives it leaves, so every leaf of a forked mm is in a
 * VMA a zap of the file (unmap_mapping_range) walks.
 */
const childLeavesReachable = observer(
  'child-leaf-unreachable-by-zap',
  'dup_mmap(): vma_interval_tree_insert_after() under i_mmap_rwsem before copy_page_range()',
  (s) => {
    for (const p of Object.values(s.processes)) {
      if (p.parent === 0 || p.mm === 0) continue;
      const mm = s.mms[p.mm];
      if (mm === undefined) continue;
      for (const { va: addr } of listLeaves(archProfile(s.arch), mm.pgd)) {
        const v = mm.vmas.find((x) => x.vm_start <= addr && addr < x.vm_end);
        if (v === undefined || v.vm_file === 0) continue;
        const ino = s.inodes[s.files[v.vm_file]?.f_mapping ?? 0];
        if (!ino?.i_mapping.i_mmap.some((r) => r.mm === mm.id && r.vma === v.id)) return `child ${p.name}: leaf at ${addr.toString(16)} in VMA ${v.id} not in i_mmap`;
      }
    }
    return null;
  },
);

test('dup_mmap: a forked mm never has a leaf in a VMA that unmap_mapping_range() cannot reach', () => {
  const yaml = scenario('publish-child-vma', 'fork of a faulted BAR mapping raced by a reset', `  - thread: A
    mmap: { length: 64K, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], fd: $fd, offset: "region(0)" }
    as: bar0
  - thread: A
    load: { addr: $bar0 }
check:
  alphabet:
    A:
      - fork: { child: C }
    B:
      - ioctl: { fd: $fd, cmd: VFIO_DEVICE_RESET }
  maxActions: 1
  preemptions: 2
`);
  const copied = observer('child-has-leaf', 'a leaf copied into the child', (s) => {
    for (const p of Object.values(s.processes)) if (p.parent !== 0 && s.mms[p.mm] && listLeaves(archProfile(s.arch), s.mms[p.mm]!.pgd).length > 0) return 'child leaf';
    return null;
  });
  assertUnreachable(yaml, ['legacy', 'shared-base', 'v3'], childLeavesReachable, copied);
});

/**
 * dma_buf_dynamic_attach(): the attachment is on dmabuf->attachments
 * (under the resv) before the importer can map it, so move_notify reaches
 * every attachment that holds a mapping.
 */
const mappedIsListed = observer(
  'mapped-attachment-unlisted',
  'dma_buf_dynamic_attach(): list_add under dma_resv before the importer can call dma_buf_map_attachment()',
  (s) => {
    for (const a of Object.values(s.attachments)) if (a.mapped !== null && !a.listed) return `attachment ${a.id} mapped but not on dmabuf ${a.dmabuf}'s list`;
    return null;
  },
);

test('dma_buf_dynamic_attach: no importer holds a mapping that move_notify cannot reach', () => {
  const yaml = scenario('publish-attachment', 'an importer attaches and maps while memory decoding is switched off and on', `  - thread: A
    dmabuf_export: { fd: $fd, region: bar0, ranges: [{ offset: 0, length: 64K }] }
    as: buf
check:
  alphabet:
    G:
      - dmabuf_attach: { importer: gpu, fd: $buf }
        as: att
      - dmabuf_map: { attachment: $att }
    B:
      - pwrite: { fd: $fd, region: config, offset: PCI_COMMAND, u16: 0x0 }
      - pwrite: { fd: $fd, region: config, offset: PCI_COMMAND, u16: PCI_COMMAND_MEMORY }
  maxActions: 2
  preemptions: 2
`);
  const mapped = observer('attachment-mapped', 'a mapping by the importer', (s) =>
    Object.values(s.attachments).some((a) => a.mapped !== null) ? 'mapped' : null);
  assertUnreachable(yaml, ['legacy', 'revoke@v7.1'], mappedIsListed, mapped);
});
