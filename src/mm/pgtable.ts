/**
 * Page tables as immutable trees (path copying), 4 levels as x86_64/arm64
 * with 4K pages: pgd → pud table → pmd table → pte table (p4d folded).
 *
 * A table's `level` names the entries it holds: the 'pgd' table holds pud
 * tables; a 'pud' table holds PUD leaves or pmd tables; a 'pmd' table holds
 * PMD leaves or pte tables; a 'pte' table holds PTE leaves. Leaf sizes come
 * from the arch profile (PMD_SHIFT, PUD_SHIFT).
 *
 * Zapping clears leaves but keeps tables (as zap_page_range does), so after
 * a zap of PTEs the PMD slot still holds an empty pte table and a refault
 * does not try a PMD leaf there; unmapping (free_pgtables) frees tables
 * left empty. A huge leaf only partly inside a zapped range is removed
 * whole, as __split_huge_pmd_locked()/__split_huge_pud_locked() do for
 * special (PFN-map) VMAs: they just clear the entry.
 *
 * A table holds only its present entries, in two arrays sorted by index
 * (src/mm/types.ts PgTable): a table of 512 slots stored densely made every
 * leaf change copy four 4 KB arrays, which dominated the checker's memory
 * and collector time. Sorted, the representation is canonical (equal page
 * tables are equal data, so fingerprints agree), and a change copies only
 * the path from the pgd to the slot, sharing every other table.
 */
import type { ArchProfile, Level } from '../arch/types.js';
import { ModelError } from '../kernel/kernel.js';
import type { PgLeaf, PgTable } from './types.js';

type TableLevel = PgTable['level'];

const PTRS_PER_TABLE = 512;

/** The level below a table level (what its non-leaf entries are). */
const CHILD: Readonly<Record<TableLevel, TableLevel | null>> = { pgd: 'pud', pud: 'pmd', pmd: 'pte', pte: null };

/** log2 of the span of one entry of a table of this level. */
export function entryShift(arch: ArchProfile, level: TableLevel): number {
  return level === 'pgd' ? arch.shift.pud + 9 : arch.shift[level];
}

/** Bytes one leaf maps at a level. */
export function levelSize(arch: ArchProfile, level: Level): number {
  return 2 ** arch.shift[level];
}

/** The page order of a level (0, PMD_ORDER, PUD_ORDER). */
export function levelOrder(arch: ArchProfile, level: Level): number {
  return arch.shift[level] - arch.pageShift;
}

/** The level of an order, or null for an order no level has. */
export function orderLevel(arch: ArchProfile, order: number): Level | null {
  for (const l of ['pte', 'pmd', 'pud'] as const) if (levelOrder(arch, l) === order) return l;
  return null;
}

function index(arch: ArchProfile, level: TableLevel, va: number): number {
  return Math.floor(va / 2 ** entryShift(arch, level)) % PTRS_PER_TABLE;
}

/** Where index `i` is, or would be inserted, in a table's sorted `index` (binary search). */
function position(t: PgTable, i: number): number {
  let lo = 0;
  let hi = t.index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t.index[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The entry at index `i` of a table, if present. */
function entryAt(t: PgTable, i: number): PgTable | PgLeaf | undefined {
  const p = position(t, i);
  return t.index[p] === i ? t.entries[p] : undefined;
}

/** A copy of a table with the entry at index `i` set (or removed, for undefined). */
function withEntry(t: PgTable, i: number, e: PgTable | PgLeaf | undefined): PgTable {
  const p = position(t, i);
  const present = t.index[p] === i;
  const index = [...t.index];
  const entries = [...t.entries];
  if (e === undefined) {
    if (!present) return t;
    index.splice(p, 1);
    entries.splice(p, 1);
  } else if (present) {
    entries[p] = e;
  } else {
    index.splice(p, 0, i);
    entries.splice(p, 0, e);
  }
  return { kind: 'table', level: t.level, index, entries };
}

function emptyTable(level: TableLevel): PgTable {
  return { kind: 'table', level, index: [], entries: [] };
}

/** A table's present entries as (index, entry) pairs in index order (for dumps). */
export function tableEntries(t: PgTable): [number, PgTable | PgLeaf][] {
  return t.index.map((i, p) => [i, t.entries[p]!]);
}

/** Whether a table has no present entry. */
export function isEmptyTable(t: PgTable): boolean {
  return t.index.length === 0;
}

/** Round down to a multiple of 2^shift (safe above 2^32). */
export function alignDown(va: number, shift: number): number {
  return Math.floor(va / 2 ** shift) * 2 ** shift;
}

export function emptyPgd(): PgTable {
  return emptyTable('pgd');
}

/** What a walk for a virtual address found. */
export type WalkResult =
  | { readonly kind: 'leaf'; readonly leaf: PgLeaf; readonly base: number }
  /** The entry at `level` is none (pud_none/pmd_none/pte_none); a missing table counts as none. */
  | { readonly kind: 'none'; readonly level: Level };

/** A lockless walk from the pgd to the leaf mapping `va`, or the first none entry. */
export function walk(arch: ArchProfile, pgd: PgTable, va: number): WalkResult {
  let t: PgTable = pgd;
  for (;;) {
    const e = entryAt(t, index(arch, t.level, va));
    const child = CHILD[t.level];
    if (e === undefined) return { kind: 'none', level: t.level === 'pgd' ? 'pud' : (t.level as Level) };
    if (e.kind === 'leaf') return { kind: 'leaf', leaf: e, base: alignDown(va, arch.shift[e.level]) };
    if (child === null) throw new ModelError('pte table holds a table');
    t = e;
  }
}

/** What the slot at `level` for `va` holds. */
export type SlotState = 'none' | 'table' | 'covered' | PgLeaf;

/**
 * The entry at a level for `va`: 'none' (empty, or its table not allocated),
 * 'table' (a lower-level table), a leaf at that level, or 'covered' (a
 * leaf at a higher level maps va).
 */
export function slotAt(arch: ArchProfile, pgd: PgTable, va: number, level: Level): SlotState {
  let t: PgTable = pgd;
  for (;;) {
    const e = entryAt(t, index(arch, t.level, va));
    if (t.level === level) {
      if (e === undefined) return 'none';
      return e.kind === 'leaf' ? e : 'table';
    }
    if (e === undefined) return 'none';
    if (e.kind === 'leaf') return 'covered';
    t = e;
  }
}

/**
 * Install a leaf at its level for `va` (which must be aligned to the
 * level), allocating tables on the way. The slot must be none.
 */
export function setLeaf(arch: ArchProfile, pgd: PgTable, va: number, leaf: PgLeaf): PgTable {
  if (va % levelSize(arch, leaf.level) !== 0) throw new ModelError(`leaf at ${leaf.level} for unaligned va ${va}`);
  const go = (t: PgTable): PgTable => {
    const i = index(arch, t.level, va);
    const e = entryAt(t, i);
    if (t.level === leaf.level) {
      if (e !== undefined) throw new ModelError(`set ${leaf.level} leaf over a present entry at ${va}`);
      return withEntry(t, i, leaf);
    }
    const child = CHILD[t.level];
    if (child === null) throw new ModelError('no level below pte');
    if (e !== undefined && e.kind === 'leaf') throw new ModelError(`set ${leaf.level} leaf under a ${e.level} leaf`);
    return withEntry(t, i, go(e ?? emptyTable(child)));
  };
  return go(pgd);
}

/** Replace a present leaf (same level) for `va`, e.g. to make it writable. */
export function replaceLeaf(arch: ArchProfile, pgd: PgTable, va: number, leaf: PgLeaf): PgTable {
  const cleared = clearRange(arch, pgd, va, va + levelSize(arch, leaf.level), false);
  return setLeaf(arch, cleared.pgd, alignDown(va, arch.shift[leaf.level]), leaf);
}

/** Allocate the table that holds entries of `level` for `va` (pte_alloc/pmd_alloc), if absent. */
export function allocTable(arch: ArchProfile, pgd: PgTable, va: number, level: Level): PgTable {
  const go = (t: PgTable): PgTable => {
    if (t.level === level) return t;
    const i = index(arch, t.level, va);
    const e = entryAt(t, i);
    const child = CHILD[t.level];
    if (child === null) return t;
    if (e !== undefined && e.kind === 'leaf') return t;
    const next = go(e ?? emptyTable(child));
    return next === e ? t : withEntry(t, i, next);
  };
  return go(pgd);
}

/** A leaf and the virtual address it starts at. */
export interface PlacedLeaf {
  readonly va: number;
  readonly leaf: PgLeaf;
}

/**
 * Clear every leaf that maps any byte of [start, end); huge leaves partly
 * inside are cleared whole. With `freeTables`, tables left empty inside the
 * range are freed too (free_pgtables). Returns the new pgd and the removed
 * leaves in address order.
 */
export function clearRange(
  arch: ArchProfile, pgd: PgTable, start: number, end: number, freeTables: boolean,
): { pgd: PgTable; removed: PlacedLeaf[] } {
  const removed: PlacedLeaf[] = [];
  const go = (t: PgTable, base: number): PgTable => {
    const span = 2 ** entryShift(arch, t.level);
    let index: number[] | null = null;
    let entries: (PgTable | PgLeaf)[] | null = null;
    for (let p = 0; p < t.index.length; p++) {
      const i = t.index[p]!;
      const e = t.entries[p]!;
      const lo = base + i * span;
      const hi = lo + span;
      let next: PgTable | PgLeaf | undefined = e;
      if (hi > start && lo < end) {
        if (e.kind === 'leaf') {
          removed.push({ va: lo, leaf: e });
          next = undefined;
        } else {
          const sub = go(e, lo);
          next = freeTables && isEmptyTable(sub) ? undefined : sub;
        }
      }
      // Copy lazily: the arrays are built only from the first entry that changes.
      if (next !== e && index === null) {
        index = t.index.slice(0, p);
        entries = t.entries.slice(0, p);
      }
      if (index !== null && next !== undefined) {
        index.push(i);
        entries!.push(next);
      }
    }
    return index === null ? t : { kind: 'table', level: t.level, index, entries: entries! };
  };
  // Entries are visited in index order, so the removed leaves come out in address order.
  return { pgd: go(pgd, 0), removed };
}

/** Every leaf in address order (for dumps, fork and tests). */
export function listLeaves(arch: ArchProfile, pgd: PgTable): PlacedLeaf[] {
  const out: PlacedLeaf[] = [];
  const go = (t: PgTable, base: number): void => {
    const span = 2 ** entryShift(arch, t.level);
    for (let p = 0; p < t.index.length; p++) {
      const e = t.entries[p]!;
      const va = base + t.index[p]! * span;
      if (e.kind === 'leaf') out.push({ va, leaf: e });
      else go(e, va);
    }
  };
  // Entries are visited in index order, so leaves come out in address order.
  go(pgd, 0);
  return out;
}

/** Leaves mapping any byte of [start, end). */
export function leavesIn(arch: ArchProfile, pgd: PgTable, start: number, end: number): PlacedLeaf[] {
  return listLeaves(arch, pgd).filter((p) => p.va < end && p.va + levelSize(arch, p.leaf.level) > start);
}

/** Whether any table (even empty) is allocated at `level` for va: used to tell pmd_none from an empty pte table. */
export function hasTable(arch: ArchProfile, pgd: PgTable, va: number, level: Level): boolean {
  return slotAt(arch, pgd, va, level) === 'table';
}
