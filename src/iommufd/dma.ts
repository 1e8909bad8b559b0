/**
 * A DMA by the PCI function behind a vfio device, at an IOVA, translated by
 * the IOMMU (the model's device side: no kernel function).
 *
 * Path `iommu_dma` {device (bdf), iova, size, write, value}: the
 * function's translation is the domain of its iommufd attachment (device.ts)
 * or, when none, the real type1 container whose groups hold it
 * (src/vfio/type1); with neither it is blocked. The IOMMU looks the IOVA up
 * in that page table: no entry covering the access, or a write to a
 * read-only entry, is an IOMMU fault (the access never reaches memory;
 * returns -EIO). Otherwise the access goes to the physical address. Emits an
 * 'access' event `iommu_dma` whose outcome is: `iommu-fault`; the PCI
 * outcome (`unsupported-request` when the target BAR does not decode
 * memory, `no-device`); `revoked-mapping-used` when the entry belongs to a
 * dma-buf its exporter has revoked once that revoke is complete (its resv
 * released; while the exporter holds it, move_notify has not run yet); or `ok`.
 */
import { dmaBufRevoked, dmaBufRevokeComplete } from '../dma-buf/revoke-state.js';
import type { Kernel } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import { hex } from '../kernel/events.js';
import { physAccess } from '../pci/memory.js';
import { findVfioDevice } from '../vfio/pci/device.js';
import { EINVAL, EIO, ENOENT } from '../uapi/errno.js';
import type { IommuEntry } from './types.js';

/** The IOMMU page table a vfio device's DMA goes through, and its name for traces; null when blocked. */
export function deviceTranslation(k: Kernel, vdev: number): { entries: readonly IommuEntry[]; via: string } | null {
  for (const id of k.ids('idevs')) {
    const d = k.get('idevs', id);
    if (d.vdev === vdev && d.hwpt !== 0) {
      const h = k.get('hwpts', d.hwpt);
      return { entries: h.entries, via: `iommufd hwpt ${h.obj_id}` };
    }
  }
  for (const id of k.ids('vfio_containers')) {
    const c = k.get('vfio_containers', id);
    if (c.iommu_type !== 0 && c.devices.includes(vdev)) return { entries: c.entries, via: `type1 container ${id}` };
  }
  return null;
}

/** The entry translating [iova, iova + size), if one covers it whole. */
export function translate(entries: readonly IommuEntry[], iova: number, size: number): IommuEntry | undefined {
  return entries.find((e) => iova >= e.iova && iova + size <= e.iova + e.len);
}

interface DmaLocals {
  readonly [key: string]: Value;
  device: string;
  iova: number;
  size: number;
  write: boolean;
  value: number;
}

export const iommu_dma = path<DmaLocals>()('iommu_dma', 'entry', {
  entry: (cx) => {
    const v = findVfioDevice(cx.k, cx.l.device);
    if (v === undefined) return cx.ret(-ENOENT);
    if (![1, 2, 4, 8].includes(cx.l.size)) return cx.ret(-EINVAL);
    const t = deviceTranslation(cx.k, v.id);
    const base = { dev: cx.l.device, iova: hex(cx.l.iova), size: cx.l.size, write: cx.l.write };
    const e = t === null ? undefined : translate(t.entries, cx.l.iova, cx.l.size);
    if (t === null || e === undefined || (cx.l.write ? !e.write : !e.read)) {
      cx.emit('access', 'iommu_dma', {
        ...base, via: t?.via ?? 'blocked', outcome: 'iommu-fault',
        why: t === null ? 'no domain' : e === undefined ? 'no mapping' : 'permission',
      });
      return cx.ret(-EIO);
    }
    const phys = e.paddr + (cx.l.iova - e.iova);
    const res = physAccess(cx.k, phys, cx.l.size, cx.l.write, cx.l.write ? (cx.l.value ?? 0) : 0);
    const d = e.dmabuf !== 0 ? cx.k.find('dmabufs', e.dmabuf) : undefined;
    const revoked = d !== undefined && dmaBufRevoked(cx.k, d);
    // As for importer_dma: until the exporter drops its resv, iopt_revoke_notify has not unmapped yet.
    const outcome = res.outcome === 'ok' && d !== undefined && dmaBufRevokeComplete(cx.k, d) ? 'revoked-mapping-used' : res.outcome;
    cx.emit('access', 'iommu_dma', {
      ...base, via: t.via, phys: hex(phys), value: hex(res.value), outcome,
      ...(e.dmabuf !== 0 ? { dmabuf: e.dmabuf, revoked } : {}),
    });
    cx.ret(cx.l.write ? 0 : res.value);
  },
});
