/**
 * The whole kernel state: one plain, serialisable object graph.
 *
 * Every kernel object lives in a table keyed by a small integer id and is
 * referenced by that id, never by a JS reference. Integer keys make object
 * iteration order ascending, so a JSON dump of the state is canonical. The
 * state is immutable: a step builds the next state through a {@link Kernel}
 * draft that copies only the rows it writes (structural sharing).
 */
import type { ArchName } from '../arch/types.js';
import type { File } from '../fs/file.js';
import type { Inode } from '../fs/inode.js';
import type { FdTable } from '../fs/fdtable.js';
import type { MmStruct } from '../mm/types.js';
import type { AnonPage } from '../mm/anon.js';
import type { PciDev } from '../pci/types.js';
import type { VfioPciCoreDevice } from '../vfio/pci/types.js';
import type { VfioPciDmaBuf } from '../vfio/pci/dmabuf-types.js';
import type { DmaBuf, DmaBufAttachment, Importer, TaskWork } from '../dma-buf/types.js';
import type { Hwpt, IommufdCtx, IommufdDevice, Ioas, IoptPages } from '../iommufd/types.js';
import type { VfioContainer } from '../vfio/type1/types.js';
import type { Lock } from './locking/types.js';
import type { KernelConfig } from './config.js';
import { DEFAULT_CONFIG } from './config.js';
import type { Task, Process } from './sched/types.js';

/** A table of kernel objects keyed by id. */
export type Table<T> = Readonly<Record<number, T>>;

/** The tables of the kernel state, by name. */
export interface Tables {
  readonly pci: Table<PciDev>;
  readonly vfio: Table<VfioPciCoreDevice>;
  readonly files: Table<File>;
  readonly inodes: Table<Inode>;
  readonly fdtables: Table<FdTable>;
  readonly mms: Table<MmStruct>;
  readonly processes: Table<Process>;
  readonly tasks: Table<Task>;
  readonly locks: Table<Lock>;
  /** Reference counts of struct pages that GUP took on BAR memory, by pfn. */
  readonly pagerefs: Table<number>;
  /** Anonymous folios by pfn: mapcount and bytes (src/mm/anon.ts). */
  readonly anon_pages: Table<AnonPage>;
  /** struct dma_buf (src/dma-buf). */
  readonly dmabufs: Table<DmaBuf>;
  /** struct dma_buf_attachment. */
  readonly attachments: Table<DmaBufAttachment>;
  /** Modelled importing devices (GPU-like, RDMA-like, iommufd). */
  readonly importers: Table<Importer>;
  /** struct vfio_pci_dma_buf: vfio-pci's private object of each exported dma-buf. */
  readonly vfio_dmabufs: Table<VfioPciDmaBuf>;
  /** Deferred __fput of files whose last reference went under a lock, by task id (task_work). */
  readonly task_works: Table<TaskWork>;
  /** struct iommufd_ctx of each open /dev/iommu (src/iommufd). */
  readonly iommufds: Table<IommufdCtx>;
  /** struct iommufd_ioas with its io_pagetable. */
  readonly ioas: Table<Ioas>;
  /** struct iopt_pages. */
  readonly iopt_pages: Table<IoptPages>;
  /** struct iommufd_hwpt_paging: IOMMU page tables of attached devices. */
  readonly hwpts: Table<Hwpt>;
  /** struct iommufd_device: vfio device files bound to an iommufd. */
  readonly idevs: Table<IommufdDevice>;
  /** /dev/vfio/vfio containers with the real type1 backend (src/vfio/type1). */
  readonly vfio_containers: Table<VfioContainer>;
}

export type TableName = keyof Tables;
export type Row<T extends TableName> = Tables[T] extends Table<infer R> ? R : never;

/** The kernel state the model steps. */
export interface KernelState extends Tables {
  /** The arch profile this kernel was built for (see src/arch). */
  readonly arch: ArchName;
  /** The design (see src/designs) whose hooks this kernel runs. */
  readonly design: string;
  /** Next free id; ids are never reused, so a stale id shows a use after free. */
  readonly nextId: number;
  /** Lock-class order edges seen so far (src/kernel/locking/lockdep.ts). */
  readonly lockdep: number;
  /**
   * Historical bugs switched on in this kernel (src/designs/defects.ts), by
   * name, sorted. Constant for a run; the code at each bug's site asks
   * `k.defect(name)`.
   */
  readonly defects: readonly string[];
  /**
   * The build configuration (src/kernel/config.ts). Constant for a run and
   * given by the scenario's world, so it is not part of the fingerprint.
   */
  readonly config: KernelConfig;
  /**
   * /sys/kernel/mm/transparent_hugepage/enabled (src/mm/thp.ts), a world
   * option constant for a run; absent means `always`.
   */
  readonly thp?: 'always' | 'madvise' | 'never';
}

/** Make every property of T writable (one level deep). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const TABLE_NAMES: readonly TableName[] = [
  'pci', 'vfio', 'files', 'inodes', 'fdtables', 'mms', 'processes', 'tasks', 'locks', 'pagerefs', 'anon_pages',
  'dmabufs', 'attachments', 'importers', 'vfio_dmabufs', 'task_works',
  'iommufds', 'ioas', 'iopt_pages', 'hwpts', 'idevs', 'vfio_containers',
];

/** Each table's index in TABLE_NAMES (the checker keys rows, masks and hashes by it). */
export const TABLE_INDEX: ReadonlyMap<TableName, number> = new Map(TABLE_NAMES.map((t, i) => [t, i]));

/** An empty kernel for an arch profile and a design. */
export function emptyKernelState(
  arch: ArchName, design: string, defects: readonly string[] = [], config: KernelConfig = DEFAULT_CONFIG,
  thp: KernelState['thp'] = undefined,
): KernelState {
  return {
    arch, design, nextId: 1, lockdep: 0, defects: [...defects].sort(), config, ...(thp !== undefined && thp !== 'always' ? { thp } : {}),
    pci: {}, vfio: {}, files: {}, inodes: {}, fdtables: {}, mms: {}, processes: {}, tasks: {},
    locks: {}, pagerefs: {}, anon_pages: {}, dmabufs: {}, attachments: {}, importers: {}, vfio_dmabufs: {}, task_works: {},
    iommufds: {}, ioas: {}, iopt_pages: {}, hwpts: {}, idevs: {}, vfio_containers: {},
  };
}
