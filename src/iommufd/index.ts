/**
 * iommufd (drivers/iommu/iommufd/, v6.19): the /dev/iommu file, IOAS
 * objects and their io_pagetable, automatic hardware page tables of
 * attached devices, the vfio device cdev bind/attach, IOMMU_IOAS_MAP of
 * user memory, IOMMU_IOAS_MAP_FILE of a dma-buf through vfio-pci's private
 * interconnect with revoke, IOMMU_IOAS_UNMAP, the VFIO type1 compatibility
 * ioctls with the design's VMA → dma-buf hook, and the DMA of a device
 * through its IOMMU page table. docs/iommufd.md describes each part.
 *
 * Not modelled: IOMMU_DESTROY, IOMMU_HWPT_ALLOC and user-managed HWPTs,
 * nesting, vIOMMU/vDEVICE/vEVENTQ, fault queues, IOMMU_IOAS_COPY,
 * IOMMU_IOAS_ALLOW_IOVAS and IOVA_RANGES, IOMMU_OPTION, GET_HW_INFO, dirty
 * tracking, reserved IOVA regions (MSI windows) and domain apertures (the
 * allocator stays below 2^48), huge IOPTEs, in-kernel accesses
 * (iommufd_access_pin_pages/rw: v6.19's iopt_pages_rw_access refuses
 * dma-buf pages with -EINVAL, while iopt_area_add_access does not, B21),
 * pinned-page accounting and rlimits, PASIDs, VFIO_IOMMU_GET_INFO on the
 * compat path, the ioas_creation_lock, and the iommufd locks themselves:
 * each critical section (iova_rwsem, domains_rwsem, pages->mutex) is one
 * atomic step. Anonymous memory and memfds are not modelled, so user and
 * file pages can never be pinned for a domain.
 */
import type { Path } from '../kernel/sched/path.js';
import type { FileOperations } from '../designs/types.js';
import { IOMMUFD_FOPS, iommufd_fops_ioctl, iommufd_fops_open, iommufd_fops_release } from './main.js';
import { iommufd_ioas_alloc_ioctl, iommufd_ioas_map, iommufd_ioas_map_file, iommufd_ioas_unmap } from './ioas.js';
import { iopt_map_pages } from './map.js';
import { iopt_unmap_iova_range } from './unmap.js';
import { iopt_alloc_dmabuf_pages, iopt_release_pages, iopt_revoke_notify } from './pages.js';
import { iommufd_vfio_ioas, iommufd_vfio_ioctl, iommufd_vfio_map_dma, iommufd_vfio_unmap_dma } from './vfio-compat.js';
import {
  vfio_df_ioctl_attach_pt, vfio_df_ioctl_bind_iommufd, vfio_df_ioctl_detach_pt, vfio_df_unbind_iommufd,
} from './device.js';
import { iommu_dma } from './dma.js';
import { misc_open } from './open.js';

/**
 * Every iommufd path. `iopt_revoke_notify` replaces the dma-buf importer
 * model's stand-in of the same name (register these after DMA_BUF_PATHS).
 */
export const IOMMUFD_PATHS: readonly Path[] = [
  misc_open, iommufd_fops_open, iommufd_fops_ioctl, iommufd_fops_release,
  iommufd_ioas_alloc_ioctl, iommufd_ioas_map, iommufd_ioas_map_file, iommufd_ioas_unmap,
  iopt_map_pages, iopt_unmap_iova_range, iopt_alloc_dmabuf_pages, iopt_release_pages, iopt_revoke_notify,
  iommufd_vfio_ioas, iommufd_vfio_ioctl, iommufd_vfio_map_dma, iommufd_vfio_unmap_dma,
  vfio_df_ioctl_bind_iommufd, vfio_df_ioctl_attach_pt, vfio_df_ioctl_detach_pt, vfio_df_unbind_iommufd,
  iommu_dma,
];

/** static const struct file_operations iommufd_fops. */
export const iommufdFops: FileOperations = {
  name: IOMMUFD_FOPS,
  release: 'iommufd_fops_release',
  unlocked_ioctl: 'iommufd_fops_ioctl',
};

export const IOMMUFD_FILE_OPS: readonly FileOperations[] = [iommufdFops];

/** File references iommufd objects hold beyond fds, VMAs and attachments (for references-balance). */
export function iommufdFileRefs(k: import('../kernel/kernel.js').Kernel): Map<number, number> {
  const out = new Map<number, number>();
  const add = (f: number): void => void out.set(f, (out.get(f) ?? 0) + 1);
  for (const id of k.ids('idevs')) {
    const c = k.find('iommufds', k.get('idevs', id).ictx);
    if (c !== undefined) add(c.file); // df->iommufd
  }
  for (const id of k.ids('iopt_pages')) {
    const p = k.get('iopt_pages', id);
    if (p.type === 'file') add(p.file); // pages->file
  }
  return out;
}

export { IOMMUFD_FOPS } from './main.js';
export { DEV_IOMMU, DEV_VFIO_VFIO } from './open.js';
export { deviceTranslation, translate } from './dma.js';
export { IOMMUFD_GLOBAL_DEVICE } from './pages.js';
export type { Hwpt, IommuEntry, IommufdCtx, IommufdDevice, Ioas, IoptArea, IoptPages, AreaOrigin } from './types.js';
