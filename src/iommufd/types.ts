/**
 * iommufd objects as plain rows (drivers/iommu/iommufd/iommufd_private.h,
 * io_pagetable.h, v6.19).
 *
 *   iommufd_ctx ──objects (per-ctx ids, xa ALLOC1)──┬─ ioas ── io_pagetable: areas ── iopt_pages
 *                                                    ├─ hwpt_paging (auto domain of an IOAS)
 *                                                    └─ device (a bound vfio device file)
 *
 * A hardware page table (`Hwpt.entries`) is what the IOMMU translates a
 * device's DMA through: IOVA ranges to physical ranges. Every entry names
 * the area that put it there, so unmap and revoke can find it.
 */
import type { PhysVec } from '../dma-buf/types.js';

export type IommufdObjType = 'ioas' | 'hwpt_paging' | 'device';

/** An entry of ictx->objects: the object's type and its row id in its table. */
export interface IommufdObjRef {
  readonly type: IommufdObjType;
  readonly id: number;
}

/** struct iommufd_ctx. */
export interface IommufdCtx {
  readonly id: number;
  /** ictx->file: the /dev/iommu file (private_data is this row). */
  readonly file: number;
  /** The next id xa_alloc gives (XA_FLAGS_ALLOC1: ids start at 1). */
  readonly next_obj_id: number;
  /** ictx->objects, by user-visible object id. */
  readonly objects: { readonly [objId: number]: IommufdObjRef };
  /** ictx->vfio_ioas: the IOAS the type1 compatibility ioctls use (ioas row id), 0 for none. */
  readonly vfio_ioas: number;
}

/** Where an area's mapping came from: the invariants read it. */
export type AreaOrigin =
  | { readonly kind: 'ioas_map' }
  | { readonly kind: 'map_file' }
  | { readonly kind: 'compat' }
  /** Compat MAP_DMA of a VA whose VMA the design resolved to a dma-buf (vmaToDmaBuf). */
  | { readonly kind: 'compat-vma'; readonly mm: number; readonly vma: number; readonly vaddr: number };

/** struct iopt_area: one mapped IOVA range of an io_pagetable. */
export interface IoptArea {
  readonly id: number;
  readonly iova: number;
  readonly length: number;
  readonly read: boolean;
  readonly write: boolean;
  /** area->pages: the iopt_pages row, 0 while the map that created the area is still filling domains. */
  readonly pages: number;
  /** Byte offset of the area in its pages. */
  readonly start_byte: number;
  readonly origin: AreaOrigin;
}

/** struct iommufd_ioas with its struct io_pagetable. */
export interface Ioas {
  readonly id: number;
  readonly ictx: number;
  readonly obj_id: number;
  /** iopt->area_itree, by iova. */
  readonly areas: readonly IoptArea[];
  /** The auto domains (hwpt rows) of this IOAS: iopt->domains. */
  readonly hwpts: readonly number[];
  /** iopt->iova_alignment: 1 with no domain, PAGE_SIZE once a domain is attached. */
  readonly iova_alignment: number;
}

/** The dma-buf part of struct iopt_pages (IOPT_ADDRESS_DMABUF). */
export interface IoptPagesDmabuf {
  readonly dmabuf: number;
  /** The dma-buf's file: iopt_map_file_pages' dma_buf_get reference, put at iopt_release_pages. */
  readonly file: number;
  /** pages->dmabuf.attach (0 until iopt_map_dmabuf succeeded). */
  readonly attach: number;
  /** pages->dmabuf.start: byte offset of the pages in the buffer. */
  readonly start: number;
  /** pages->dmabuf.phys: the one physical range; len 0 means revoked (iopt_dmabuf_revoked). */
  readonly phys: PhysVec;
  /** pages->dmabuf.tracker: (area, hwpt) pairs whose domains map these pages. */
  readonly tracker: readonly { readonly area: number; readonly hwpt: number }[];
}

/** struct iopt_pages. */
export interface IoptPages {
  readonly id: number;
  readonly type: 'user' | 'file' | 'dmabuf';
  /** IOPT_ADDRESS_FILE: pages->file (get_file at alloc, fput at release); 0 otherwise. */
  readonly file: number;
  /** IOPT_ADDRESS_USER: pages->uptr (page aligned) and pages->source_mm. */
  readonly uptr: number;
  readonly mm: number;
  readonly npages: number;
  readonly writable: boolean;
  readonly dmabuf: IoptPagesDmabuf | null;
}

/** One IOMMU page-table range: [iova, iova + len) → [paddr, paddr + len). */
export interface IommuEntry {
  readonly iova: number;
  readonly len: number;
  readonly paddr: number;
  readonly read: boolean;
  readonly write: boolean;
  /** The iopt_area (iommufd) or vfio_dma iova (type1) that put it there. */
  readonly area: number;
  /** The dma-buf the range belongs to (0: none, e.g. user pages or a followed PFN). */
  readonly dmabuf: number;
}

/** struct iommufd_hwpt_paging with its iommu_domain: the automatically allocated domain of an IOAS. */
export interface Hwpt {
  readonly id: number;
  readonly ictx: number;
  readonly obj_id: number;
  readonly ioas: number;
  /** iommufd_device rows attached to it (its users). */
  readonly devices: readonly number[];
  /** The IOMMU page table. */
  readonly entries: readonly IommuEntry[];
}

/** struct iommufd_device: a vfio device file bound with VFIO_DEVICE_BIND_IOMMUFD. */
export interface IommufdDevice {
  readonly id: number;
  readonly ictx: number;
  /** The devid returned in out_devid. */
  readonly obj_id: number;
  /** The vfio device (vfio table id) and the device file that bound it (df). */
  readonly vdev: number;
  readonly file: number;
  /** The hwpt the device is attached to, 0 for none (blocked DMA). */
  readonly hwpt: number;
}
