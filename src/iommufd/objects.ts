/**
 * ictx->objects (drivers/iommu/iommufd/main.c, v6.19): user-visible ids
 * allocated per iommufd from 1 (XA_FLAGS_ALLOC1) and looked up by type;
 * a missing id or one of another type is -ENOENT (iommufd_get_object).
 */
import type { Kernel } from '../kernel/kernel.js';
import { ENOENT } from '../uapi/errno.js';
import type { IommufdObjType } from './types.js';

/** iommufd_object_alloc() + finalize: a new object id naming row `id`. */
export function objAlloc(k: Kernel, ictx: number, type: IommufdObjType, id: number): number {
  const c = k.get('iommufds', ictx);
  const objId = c.next_obj_id;
  const m = k.mut('iommufds', ictx);
  m.next_obj_id = objId + 1;
  m.objects = { ...c.objects, [objId]: { type, id } };
  return objId;
}

/** iommufd_object_remove(): the id is gone (ictx->vfio_ioas is cleared if it named this IOAS). */
export function objRemove(k: Kernel, ictx: number, objId: number): void {
  const c = k.get('iommufds', ictx);
  const objects = { ...c.objects };
  const ref = objects[objId];
  delete objects[objId];
  const m = k.mut('iommufds', ictx);
  m.objects = objects;
  if (ref?.type === 'ioas' && c.vfio_ioas === ref.id) m.vfio_ioas = 0;
}

/** iommufd_get_object(ictx, id, type): the row id, or -ENOENT. */
export function objGet(k: Kernel, ictx: number, objId: number, type: IommufdObjType | 'any'): { type: IommufdObjType; id: number } | number {
  const ref = k.get('iommufds', ictx).objects[objId];
  if (ref === undefined || (type !== 'any' && ref.type !== type)) return -ENOENT;
  return ref;
}

/** iommufd_get_ioas(): the ioas row id or -ENOENT. */
export function getIoas(k: Kernel, ictx: number, objId: number): number {
  const r = objGet(k, ictx, objId, 'ioas');
  return typeof r === 'number' ? r : r.id;
}
