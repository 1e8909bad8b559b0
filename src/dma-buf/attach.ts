/**
 * Importer-side core of dma-buf (drivers/dma-buf/dma-buf.c, v6.19):
 * dma_buf_dynamic_attach, dma_buf_detach, dma_buf_pin/unpin,
 * dma_buf_map_attachment/unmap_attachment and dma_buf_move_notify.
 *
 * Locking convention of v6.19 ("DOC: locking convention"): attach and
 * detach are called without the reservation lock and take it only to link
 * or unlink the attachment; pin, unpin, map and unmap are called with it
 * held (the model reports a 'warn' where dma_resv_assert_held would fire);
 * exporters hold it around dma_buf_move_notify.
 *
 * CONFIG_DMABUF_MOVE_NOTIFY is the world's (`world.config`, on unless a
 * scenario turns it off; src/kernel/config.ts): with it off (v6.19's
 * Kconfig default), dma_buf_pin_on_map() is true for every attachment of an
 * exporter that has ops->pin, so dma_buf_map_attachment() pins first and a
 * VFIO dma-buf (whose pin is -EOPNOTSUPP) cannot be mapped through
 * map_dma_buf at all; attach and move_notify do not look at the option,
 * and iommufd's private interconnect still maps. Every modelled importer
 * is dynamic (importer_ops set).
 */
import type { Kernel } from '../kernel/kernel.js';
import { path } from '../kernel/sched/path.js';
import type { Value } from '../kernel/sched/types.js';
import type { Cx } from '../kernel/sched/path.js';
import type { DmaBufAttachment } from './types.js';
import { IMPORTER_MOVE_NOTIFY } from './importer-ops.js';

type AnyLocals = { readonly [key: string]: Value };

/** dma_resv_assert_held(): report a missing reservation lock the way lockdep would. */
export function assertResvHeld(cx: Cx<AnyLocals>, dmabuf: number, fn: string): void {
  const d = cx.k.get('dmabufs', dmabuf);
  if (!cx.holds(d.resv)) {
    cx.emit('warn', fn, { report: 'dma_resv_assert_held: resv not held', dmabuf });
  }
}

/** models dma_buf_pin_on_map(): whether map/unmap pin/unpin around the exporter's map. */
export function pinOnMap(k: Kernel, a: DmaBufAttachment): boolean {
  const ops = k.design.dmaBufOps?.[k.get('dmabufs', a.dmabuf).ops];
  return !!ops?.pin && (!a.dynamic || !k.state.config.DMABUF_MOVE_NOTIFY);
}

function opsOf(k: Kernel, dmabuf: number) {
  return k.design.dmaBufOps?.[k.get('dmabufs', dmabuf).ops];
}

interface AttachLocals {
  readonly [key: string]: Value;
  dmabuf: number;
  importer: number;
  attach: number;
  r: number;
}

/**
 * models dma_buf_dynamic_attach(dmabuf, dev, importer_ops, priv): a new
 * attachment (peer2peer from the importer's allow_peer2peer), the
 * exporter's ops->attach without the resv, then list_add under the resv.
 * Returns the attachment id or -errno (the attachment is freed then).
 */
export const dma_buf_dynamic_attach = path<AttachLocals>()('dma_buf_dynamic_attach', 'entry', {
  entry: (cx) => {
    const imp = cx.k.get('importers', cx.l.importer);
    const id = cx.k.add('attachments', (aid): DmaBufAttachment => ({
      id: aid, dmabuf: cx.l.dmabuf, importer: imp.id, peer2peer: imp.peer2peer, dynamic: true,
      mapped: null, pinned: false, listed: false,
    }));
    cx.l.attach = id;
    const attach = opsOf(cx.k, cx.l.dmabuf)?.attach;
    if (!attach) return cx.goto('link');
    cx.call(attach, { dmabuf: cx.l.dmabuf, attach: id }, 'r', 'after_attach');
  },
  after_attach: (cx) => {
    if (cx.l.r < 0) {
      cx.emit('dmabuf', 'dma_buf_dynamic_attach', { dmabuf: cx.l.dmabuf, importer: cx.l.importer, ret: cx.l.r });
      cx.k.remove('attachments', cx.l.attach);
      return cx.ret(cx.l.r);
    }
    cx.goto('link');
  },
  link: (cx) => {
    const d = cx.k.get('dmabufs', cx.l.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    cx.k.mut('dmabufs', d.id).attachments = [cx.l.attach, ...d.attachments];
    cx.k.mut('attachments', cx.l.attach).listed = true;
    const a = cx.k.get('attachments', cx.l.attach);
    cx.emit('dmabuf', 'dma_buf_dynamic_attach', {
      dmabuf: d.id, importer: cx.l.importer, attach: a.id, peer2peer: a.peer2peer,
    });
    cx.unlock(d.resv);
    cx.ret(a.id);
  },
});

interface DetachLocals {
  readonly [key: string]: Value;
  attach: number;
  dmabuf: number;
  r: number;
}

/** models dma_buf_detach(): list_del under the resv, ops->detach, free. */
export const dma_buf_detach = path<DetachLocals>()('dma_buf_detach', 'unlink', {
  unlink: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    const d = cx.k.get('dmabufs', a.dmabuf);
    if (!cx.lock(d.resv, 'write')) return;
    cx.l.dmabuf = d.id;
    cx.k.mut('dmabufs', d.id).attachments = d.attachments.filter((x) => x !== a.id);
    cx.k.mut('attachments', a.id).listed = false;
    cx.unlock(d.resv);
    const detach = opsOf(cx.k, d.id)?.detach;
    if (!detach) return cx.goto('free');
    cx.call(detach, { dmabuf: d.id, attach: a.id }, 'r', 'free');
  },
  free: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    if (a.mapped !== null) {
      cx.emit('warn', 'dma_buf_detach', { report: 'attachment detached while still mapped', attach: a.id });
    }
    cx.emit('dmabuf', 'dma_buf_detach', { dmabuf: cx.l.dmabuf, attach: a.id });
    cx.k.remove('attachments', a.id);
    cx.ret(0);
  },
});

interface AttLocals {
  readonly [key: string]: Value;
  attach: number;
  r: number;
  x: number;
}

/** models dma_buf_pin(): resv held; ops->pin if the exporter has one, else 0. */
export const dma_buf_pin = path<AttLocals>()('dma_buf_pin', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    assertResvHeld(cx, a.dmabuf, 'dma_buf_pin');
    const pin = opsOf(cx.k, a.dmabuf)?.pin;
    if (!pin) return cx.goto('done');
    cx.call(pin, { attach: a.id }, 'r', 'done');
  },
  done: (cx) => {
    const r = cx.l.r ?? 0;
    if (r === 0) cx.k.mut('attachments', cx.l.attach).pinned = true;
    cx.emit('dmabuf', 'dma_buf_pin', { attach: cx.l.attach, ret: r });
    cx.ret(r);
  },
});

/** models dma_buf_unpin(): resv held; ops->unpin. */
export const dma_buf_unpin = path<AttLocals>()('dma_buf_unpin', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    assertResvHeld(cx, a.dmabuf, 'dma_buf_unpin');
    cx.k.mut('attachments', a.id).pinned = false;
    cx.emit('dmabuf', 'dma_buf_unpin', { attach: a.id });
    const unpin = opsOf(cx.k, a.dmabuf)?.unpin;
    if (!unpin) return cx.ret(0);
    cx.call(unpin, { attach: a.id }, 'r', 'done');
  },
  done: (cx) => cx.ret(0),
});

/**
 * models dma_buf_map_attachment(): resv held; pin first when
 * dma_buf_pin_on_map; ops->map_dma_buf (which fills attachment.mapped);
 * on error unpin again. Dynamic importers wait for no fences here.
 */
export const dma_buf_map_attachment = path<AttLocals>()('dma_buf_map_attachment', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    assertResvHeld(cx, a.dmabuf, 'dma_buf_map_attachment');
    if (pinOnMap(cx.k, a)) return cx.call(opsOf(cx.k, a.dmabuf)?.pin!, { attach: a.id }, 'r', 'map');
    cx.l.r = 0;
    cx.goto('map');
  },
  map: (cx) => {
    if (cx.l.r < 0) return cx.ret(cx.l.r);
    const a = cx.k.get('attachments', cx.l.attach);
    cx.call(opsOf(cx.k, a.dmabuf)?.map_dma_buf!, { attach: a.id }, 'r', 'mapped');
  },
  mapped: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    cx.emit('dmabuf', 'dma_buf_map_attachment', {
      dmabuf: a.dmabuf, attach: a.id, ret: cx.l.r,
      ...(a.mapped ? { ranges: a.mapped.map((p) => `0x${p.paddr.toString(16)}+0x${p.len.toString(16)}`).join(',') } : {}),
    });
    if (cx.l.r >= 0 || !pinOnMap(cx.k, a)) return cx.ret(cx.l.r);
    cx.call(opsOf(cx.k, a.dmabuf)?.unpin!, { attach: a.id }, 'x', 'failed');
  },
  failed: (cx) => cx.ret(cx.l.r),
});

/** models dma_buf_unmap_attachment(): resv held; ops->unmap_dma_buf, then unpin when pinned on map. */
export const dma_buf_unmap_attachment = path<AttLocals>()('dma_buf_unmap_attachment', 'entry', {
  entry: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    assertResvHeld(cx, a.dmabuf, 'dma_buf_unmap_attachment');
    cx.emit('dmabuf', 'dma_buf_unmap_attachment', { dmabuf: a.dmabuf, attach: a.id });
    cx.call(opsOf(cx.k, a.dmabuf)?.unmap_dma_buf!, { attach: a.id }, 'x', 'unpin');
  },
  unpin: (cx) => {
    const a = cx.k.get('attachments', cx.l.attach);
    if (!pinOnMap(cx.k, a)) return cx.ret(0);
    cx.call(opsOf(cx.k, a.dmabuf)?.unpin!, { attach: a.id }, 'x', 'done');
  },
  done: (cx) => cx.ret(0),
});

interface NotifyLocals {
  readonly [key: string]: Value;
  dmabuf: number;
  todo: readonly number[];
  i: number;
  x: number;
}

/**
 * models dma_buf_move_notify(): resv held by the exporter; every attachment
 * with importer_ops gets its importer's move_notify, in list order.
 */
export const dma_buf_move_notify = path<NotifyLocals>()('dma_buf_move_notify', 'entry', {
  entry: (cx) => {
    assertResvHeld(cx, cx.l.dmabuf, 'dma_buf_move_notify');
    cx.l.todo = cx.k.get('dmabufs', cx.l.dmabuf).attachments;
    cx.l.i = 0;
    cx.emit('dmabuf', 'dma_buf_move_notify', { dmabuf: cx.l.dmabuf, attachments: cx.l.todo.length });
    cx.goto('next');
  },
  next: (cx) => {
    const id = cx.l.todo[cx.l.i];
    if (id === undefined) return cx.ret(0);
    cx.l.i += 1;
    const a = cx.k.find('attachments', id);
    if (a === undefined || !a.dynamic) return cx.goto('next');
    const kind = cx.k.get('importers', a.importer).kind;
    cx.call(IMPORTER_MOVE_NOTIFY[kind], { attach: id }, 'x', 'next');
  },
});
