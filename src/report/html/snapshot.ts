/**
 * The state at one step of a trace, as the HTML viewer shows it: a flat list
 * of lines, each with a stable key (so two snapshots diff by key), a section
 * (`process P`, `files`, `dma-bufs`, `devices`, `locks`), a tree depth and
 * the text in kernel terms. Page tables are drawn as a tree from the pgd
 * down to each leaf, a leaf reading `PMD 0x7e0000000000 → pfn 0x4000000 special`.
 *
 * Pure: no Node, no DOM. Lines are small strings, so the report interns them
 * once and each step lists the indexes of its lines (see data.ts).
 */
import type { KernelState } from '../../kernel/state.js';
import type { PgTable } from '../../mm/types.js';
import { vmFlagsString } from '../../mm/types.js';
import { archProfile } from '../../arch/profiles.js';
import { entryShift, tableEntries } from '../../mm/pgtable.js';
import { hex } from '../../kernel/events.js';
import { linkedInto } from '../state.js';
import { lockName } from '../../kernel/locking/rwsem.js';
import { taskLabel } from '../../kernel/sched/step.js';
import { PCI_COMMAND_MEMORY } from '../../uapi/pci_regs.js';
import { errnoName } from '../../uapi/errno.js';

/** One line of a snapshot. */
export interface SnapLine {
  /** Stable identity across steps: the same object keeps its key while its text changes. */
  readonly k: string;
  /** Section heading the line belongs to. */
  readonly s: string;
  /** Indentation in the section (page-table depth). */
  readonly d: number;
  /** The text, in kernel terms. */
  readonly t: string;
  /** CSS classes: `leaf pmd special`, `table`, `thread`, `off`, ... */
  readonly c?: string;
}

const LEVEL_NAME: Readonly<Record<PgTable['level'], string>> = { pgd: 'PGD', pud: 'PUD', pmd: 'PMD', pte: 'PTE' };

/** The lines of a page-table tree, depth-first in address order. */
function pageTableLines(s: KernelState, pgd: PgTable, section: string, key: string): SnapLine[] {
  const arch = archProfile(s.arch);
  const out: SnapLine[] = [];
  const visit = (t: PgTable, base: number, depth: number): void => {
    const shift = entryShift(arch, t.level);
    for (const [i, e] of tableEntries(t)) {
      const va = base + i * 2 ** shift;
      if (e.kind === 'leaf') {
        const lv = e.level.toUpperCase();
        out.push({
          k: `${key}:${e.level}:${va}`, s: section, d: depth,
          t: `${lv} ${hex(va)} → pfn ${hex(e.pfn)}${e.special ? ' special' : ''}${e.write ? ' write' : ' ro'}`,
          c: `leaf ${e.level}${e.special ? ' special' : ' nospecial'}`,
        });
      } else {
        const span = 2 ** shift;
        out.push({
          k: `${key}:t:${e.level}:${va}`, s: section, d: depth,
          t: `${LEVEL_NAME[t.level]}[${i}] → ${LEVEL_NAME[e.level]} table ${hex(va)}-${hex(va + span)}`,
          c: 'table',
        });
        visit(e, va, depth + 1);
      }
    }
  };
  out.push({ k: `${key}:pgd`, s: section, d: 0, t: 'pgd', c: 'table' });
  visit(pgd, 0, 1);
  return out.length === 1 ? [] : out;
}

/** The snapshot of a kernel state. */
export function snapshot(s: KernelState): SnapLine[] {
  const out: SnapLine[] = [];
  const taskName = (tid: number): string => `${s.tasks[tid]?.name ?? 'task'}-${tid}`;
  const fileName = (id: number): string => (id === 0 ? '-' : `file${id}(${s.files[id]?.name ?? 'freed'})`);

  for (const p of Object.values(s.processes)) {
    const sec = `process ${p.name} (pid ${p.pid})${p.exited ? ' exited' : ''}`;
    const pk = `p${p.pid}`;
    for (const t of Object.values(s.tasks).filter((x) => x.pid === p.pid)) {
      const at = t.dead ? 'exited' : t.frames.length === 0 ? 'in user space' : `at ${taskLabel(t)}`;
      const holds = t.held.map((h) => `${s.locks[h.lock] ? lockName(s.locks[h.lock]!) : `lock${h.lock}`}(${h.mode})`);
      const waits = t.blockedOn ? ` waits ${s.locks[t.blockedOn.lock] ? lockName(s.locks[t.blockedOn.lock]!) : 'lock'}(${t.blockedOn.mode})` : '';
      const ret = typeof t.lastRet === 'number' ? errnoName(t.lastRet) : String(t.lastRet);
      out.push({
        k: `${pk}:task${t.tid}`, s: sec, d: 0, c: 'thread',
        t: `${t.name}-${t.tid} ${at}${holds.length ? ` holds ${holds.join(', ')}` : ''}${waits}` +
          `${t.pending.length ? ` pending ${t.pending.join(',')}` : ''} last_ret=${ret}`,
      });
    }
    const vars = Object.entries(p.vars).filter(([k]) => !k.startsWith('@'));
    if (vars.length) out.push({ k: `${pk}:vars`, s: sec, d: 0, c: 'vars', t: vars.map(([k, v]) => `$${k}=${v >= 0x10000 ? hex(v) : v}`).join(' ') });
    const mm = p.mm !== 0 ? s.mms[p.mm] : undefined;
    for (const v of mm?.vmas ?? []) {
      out.push({
        k: `${pk}:vma${v.id}`, s: sec, d: 0, c: 'vma',
        t: `vma ${hex(v.vm_start)}-${hex(v.vm_end)} pgoff=${hex(v.vm_pgoff)} ${vmFlagsString(v.vm_flags)} file=${fileName(v.vm_file)} ops=${v.vm_ops || '-'} i_mmap=${linkedInto(s, p.mm, v.id)}`,
      });
    }
    for (const v of mm?.detached ?? []) {
      out.push({ k: `${pk}:detached${v.id}`, s: sec, d: 0, c: 'vma detached', t: `detached vma ${hex(v.vm_start)}-${hex(v.vm_end)} (munmap in flight)` });
    }
    if (mm) out.push(...pageTableLines(s, mm.pgd, sec, `${pk}:pt`));
    const fdt = p.fdtable !== 0 ? s.fdtables[p.fdtable] : undefined;
    (fdt?.fds ?? []).forEach((e, fd) => {
      if (e) out.push({ k: `${pk}:fd${fd}`, s: sec, d: 0, c: 'fd', t: `fd ${fd} → ${fileName(e.file)}${e.cloexec ? ' cloexec' : ''}` });
    });
  }

  for (const f of Object.values(s.files)) {
    out.push({ k: `file${f.id}`, s: 'files', d: 0, c: 'file', t: `file${f.id} ${f.name} f_count=${f.f_count} f_op=${f.f_op}` });
  }

  for (const b of Object.values(s.dmabufs)) {
    const priv = Object.values(s.vfio_dmabufs).find((v) => v.dmabuf === b.id);
    const revoked = priv ? (priv.revoked ? ' revoked' : ' live') : '';
    out.push({
      k: `dmabuf${b.id}`, s: 'dma-bufs', d: 0, c: `dmabuf${priv?.revoked ? ' off' : ''}`,
      t: `dma-buf ${b.id} ${b.exp_name} size=${hex(b.size)} file${b.file} f_count=${s.files[b.file]?.f_count ?? 0}${revoked}` +
        (priv ? ` BAR${priv.region_index} ${priv.phys_vec.map((r) => `${hex(r.paddr)}+${hex(r.len)}`).join(',')}${priv.vdev === 0 ? ' vdev=NULL' : ''}` : ''),
    });
    for (const aid of b.attachments) {
      const a = s.attachments[aid];
      if (!a) continue;
      const imp = s.importers[a.importer];
      out.push({
        k: `dmabuf${b.id}:att${aid}`, s: 'dma-bufs', d: 1, c: 'attachment',
        t: `attachment ${aid} importer ${imp?.name ?? a.importer} (${imp?.kind ?? '?'})${a.pinned ? ' pinned' : ''}` +
          `${a.mapped ? ` mapped ${a.mapped.map((r) => `${hex(r.paddr)}+${hex(r.len)}`).join(',')}` : ' unmapped'}`,
      });
    }
  }

  for (const d of Object.values(s.pci)) {
    const v = Object.values(s.vfio).find((x) => x.pdev === d.id);
    const mem = (d.command & PCI_COMMAND_MEMORY) !== 0;
    out.push({
      k: `dev${d.id}`, s: 'devices', d: 0, c: `device${mem && d.power === 'D0' ? '' : ' off'}`,
      t: `${d.bdf} PCI_COMMAND=${hex(d.command)} memory ${mem ? 'enabled' : 'DISABLED'} power ${d.power} resets=${d.resets}`,
    });
    if (v) {
      const vmem = (v.vconfig_command & PCI_COMMAND_MEMORY) !== 0;
      out.push({
        k: `dev${d.id}:vfio`, s: 'devices', d: 1, c: 'vfio',
        t: `vfio-pci open_count=${v.open_count} vconfig memory ${vmem ? 'on' : 'off'} power_state=${v.power_state}` +
          `${v.pm_runtime_engaged ? ' pm_runtime_engaged' : ''}${v.dmabufs.length ? ` dmabufs=[${v.dmabufs.join(',')}]` : ''}`,
      });
    }
  }

  for (const l of Object.values(s.locks)) {
    const holders = (l.writer !== 0 ? [`${taskName(l.writer)}(write)`] : []).concat(l.readers.map((r) => `${taskName(r)}(read)`));
    const waiters = Object.values(s.tasks).filter((t) => t.blockedOn?.lock === l.id).map((t) => `${taskName(t.tid)}(${t.blockedOn!.mode})`);
    if (!holders.length && !waiters.length) continue;
    out.push({ k: `lock${l.id}`, s: 'locks', d: 0, c: 'lock', t: `${lockName(l)} held by ${holders.join(', ') || 'nobody'}${waiters.length ? `; waiting ${waiters.join(', ')}` : ''}` });
  }

  for (const [pfn, n] of Object.entries(s.pagerefs)) {
    out.push({ k: `pageref${pfn}`, s: 'page refs (GUP)', d: 0, c: 'pageref', t: `pfn ${hex(Number(pfn))} refcount +${n}` });
  }
  return out;
}
