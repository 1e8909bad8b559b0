/**
 * struct dma_buf, struct dma_buf_attachment and the modelled importer
 * devices, as plain rows (include/linux/dma-buf.h, v6.19).
 */

/** struct dma_buf_phys_vec: one physical range of an exported buffer (also one sg entry). */
export interface PhysVec {
  readonly paddr: number;
  readonly len: number;
}

export interface DmaBuf {
  readonly id: number;
  /** Size in bytes (page aligned for VFIO exports). */
  readonly size: number;
  /** Name of the dma_buf_ops table in the design (`dmabuf->ops`). */
  readonly ops: string;
  /** The dma-buf's own file (f_op dma_buf_fops); its f_count is the dma-buf's refcount. */
  readonly file: number;
  /** Its anon inode on the dma-buf pseudo-fs; file->f_mapping is this inode's address_space. */
  readonly inode: number;
  /** Lock id of dmabuf->resv (the embedded dma_resv's ww_mutex). */
  readonly resv: number;
  /** The exporter's private object (`dmabuf->priv`), an id in the exporter's table. */
  readonly priv: number;
  /** exp_name: who exported it (KBUILD_MODNAME of the exporter). */
  readonly exp_name: string;
  /** Name set by DMA_BUF_SET_NAME, or null. */
  readonly name: string | null;
  /** dmabuf->attachments, in list order (list_add: newest first). */
  readonly attachments: readonly number[];
}

/** What kind of peer device an importer models (see importer.ts). */
export type ImporterKind = 'dynamic' | 'deferred' | 'pinned' | 'iommufd';

/** An importing device and its driver, standing for a GPU, an RDMA NIC or iommufd. */
export interface Importer {
  readonly id: number;
  readonly name: string;
  readonly kind: ImporterKind;
  /** dma_buf_attach_ops.allow_peer2peer: the device can reach PCI peer memory without struct pages. */
  readonly peer2peer: boolean;
}

export interface DmaBufAttachment {
  readonly id: number;
  readonly dmabuf: number;
  readonly importer: number;
  /** attach->peer2peer (from the importer's allow_peer2peer). */
  readonly peer2peer: boolean;
  /** importer_ops set (dma_buf_dynamic_attach with ops): every modelled importer is dynamic. */
  readonly dynamic: boolean;
  /** The ranges the importer has mapped for its device (its sg_table or iommufd's phys), or null. */
  readonly mapped: readonly PhysVec[] | null;
  /** dma_buf_pin() succeeded and no unpin yet. */
  readonly pinned: boolean;
  /** In dmabuf->attachments (added under resv after ops->attach succeeded). */
  readonly listed: boolean;
}

/** Files whose last fput ran while locks were held: __fput waits for return to user space (task_work). */
export interface TaskWork {
  readonly tid: number;
  readonly files: readonly number[];
}
