/**
 * The config region of a vfio-pci device (vfio_pci_config_rw,
 * vfio_config_do_rw, vfio_basic_config_write, vfio_pm_config_write,
 * vfio_lock_and_set_power_state, vfio_exp_config_write;
 * drivers/vfio/pci/vfio_pci_config.c, v6.19).
 *
 * Three writes matter for BAR mappings, and each takes memory_lock for
 * write (zapping first when the write can disable memory, then revoking the
 * device's dma-bufs with vfio_pci_dma_buf_move(vdev, true); before up_write,
 * vfio_pci_dma_buf_move(vdev, false) when memory decodes again):
 *   PCI_COMMAND        any value without PCI_COMMAND_MEMORY zaps (v6.19 zaps
 *                      on every such write, not only on an enabled→disabled edge)
 *   PM_CTRL → D3hot    zap, then the power state
 *   PCIe DEVCTL FLR    zap, then pci_try_reset_function()
 * Other writes are accepted and dropped; reads show the physical config
 * space with vfio's virtualised bits (INTx-disable in COMMAND; the FLR bit
 * always reads 0; the ROM BAR). The MSI-X capability reads straight from
 * the device (cap_perms[] default: vfio_direct_config_read) and has no
 * write function, so writes to it are dropped.
 *
 * Not modelled: the perm_bits tables (per-register virtualisation beyond the
 * above), vfio_bar_restore after a backdoor reset, INTx emulation, the
 * AF capability's FLR, D1/D2 (written states other than D0/D3hot leave the
 * power state as it is, as pci_set_power_state() fails without D1/D2 support).
 */
import type { PathName } from '../../kernel/sched/registry.js';
import { path } from '../../kernel/sched/path.js';
import { hex } from '../../kernel/events.js';
import type { Kernel } from '../../kernel/kernel.js';
import { EFAULT } from '../../uapi/errno.js';
import { leBytes, leValue } from '../../uapi/codec.js';
import {
  PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PCI_EXP_DEVCAP_FLR,
  PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK, PCI_ROM_ADDRESS,
} from '../../uapi/pci_regs.js';
import { CFG_SIZE, EXP_CAP, PM_CAP, pciConfigSpace } from '../../pci/config.js';
import { pciSetPowerState, pciWriteCommand } from '../../pci/device.js';
import type { PowerState } from '../../pci/types.js';
import { vdevName, vfioPciMemoryEnabled } from './device.js';
import { chunkWidth } from './rw.js';
import type { RegionRwLocals } from './rw.js';
import { copyToUser } from './uaccess.js';
import {
  downWriteMemoryLock, revokeDmaBufs, unrevokeDmaBufsIfEnabled, upWriteMemoryLock,
} from './memory-lock.js';

/** The config space as the user reads it through the device file. */
export function vconfigBytes(k: Kernel, vdev: number): number[] {
  const v = k.get('vfio', vdev);
  const dev = k.get('pci', v.pdev);
  const bytes = pciConfigSpace(dev);
  let cmd = (dev.command & ~PCI_COMMAND_INTX_DISABLE) | (v.vconfig_command & PCI_COMMAND_INTX_DISABLE);
  if (dev.noCommandMemory) cmd |= v.vconfig_command & PCI_COMMAND_MEMORY;
  const c = leBytes(cmd, 2);
  bytes[PCI_COMMAND] = c[0]!;
  bytes[PCI_COMMAND + 1] = c[1]!;
  // The ROM BAR is fully virtual (vfio_bar_fixup()): the user sees the base it had at
  // vfio_config_init(), never the enable bit pci_map_rom() sets on the device.
  const rom = leBytes(dev.rom ? dev.rom.base : 0, 4);
  for (let i = 0; i < 4; i++) bytes[PCI_ROM_ADDRESS + i] = rom[i]!;
  while (bytes.length < CFG_SIZE) bytes.push(0);
  return bytes;
}

/** Which special register a config write chunk at [pos, pos+width) hits. */
function writeTarget(pos: number, width: number, val: number): PathName | null {
  if (pos === PCI_COMMAND && width >= 2) return 'vfio_basic_config_write';
  if (pos === PM_CAP + PCI_PM_CTRL && width >= 2) return 'vfio_pm_config_write';
  const devctl = EXP_CAP + PCI_EXP_DEVCTL;
  if (pos <= devctl + 1 && pos + width > devctl + 1) {
    // the byte holding bit 15 of DEVCTL is in this chunk
    const byte = Math.floor(val / 256 ** (devctl + 1 - pos)) % 256;
    if (byte & (PCI_EXP_DEVCTL_BCR_FLR >> 8)) return 'vfio_exp_config_write';
  }
  return null;
}

/** models vfio_pci_config_rw(): aligned chunks of 4/2/1 bytes through vfio_config_do_rw(). */
export const vfio_pci_config_rw = path<RegionRwLocals>()('vfio_pci_config_rw', 'entry', {
  entry: (cx) => {
    if (cx.l.pos < 0 || cx.l.pos >= CFG_SIZE || cx.l.pos + cx.l.count > CFG_SIZE) return cx.ret(-EFAULT);
    cx.goto('chunk');
  },
  chunk: (cx) => {
    if (cx.l.done >= cx.l.count) {
      if (!cx.l.write) copyToUser(cx, 'ksys_pread64', 'buf', 0, cx.l.out, 'config data');
      return cx.ret(cx.l.done);
    }
    const pos = cx.l.pos + cx.l.done;
    const width = chunkWidth(pos, cx.l.count - cx.l.done);
    if (!cx.l.write) {
      cx.l.out = [...cx.l.out, ...vconfigBytes(cx.k, cx.l.vdev).slice(pos, pos + width)];
      cx.l.done += width;
      return cx.goto('chunk');
    }
    const val = leValue(cx.l.data.slice(cx.l.done, cx.l.done + width));
    cx.l.done += width;
    const target = writeTarget(pos, width, val);
    if (target === null) return cx.goto('chunk');
    cx.call(target, { vdev: cx.l.vdev, val, phys: 0, r: 0, x: 0 }, 'x', 'chunk');
  },
});

type CfgWriteLocals = { vdev: number; val: number; phys: number; r: number; x: number };

/** models vfio_basic_config_write() at PCI_COMMAND. */
export const vfio_basic_config_write = path<CfgWriteLocals>()('vfio_basic_config_write', 'entry', {
  entry: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    cx.l.phys = cx.k.get('pci', v.pdev).command; // pci_user_read_config_word, before any lock
    cx.l.val &= 0xffff;
    if (!(cx.l.val & PCI_COMMAND_MEMORY)) {
      cx.call('vfio_pci_zap_and_down_write_memory_lock', { vdev: v.id, r: 0 }, 'x', 'revoke');
    } else {
      cx.goto('down_write');
    }
  },
  /** vfio_pci_dma_buf_move(vdev, true) right after the zap, memory_lock held for write. */
  revoke: revokeDmaBufs('write'),
  down_write: downWriteMemoryLock('write'),
  /** vfio_default_config_write() to the device, then the mem/io bits saved in vconfig; up_write. */
  write: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const dev = cx.k.get('pci', v.pdev);
    const before = vfioPciMemoryEnabled(cx.k, v.id);
    const phys = (cx.l.val & ~PCI_COMMAND_INTX_DISABLE) | (dev.command & PCI_COMMAND_INTX_DISABLE);
    pciWriteCommand(cx.k, dev.id, phys);
    const mask = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
    const vcmd = (v.vconfig_command & ~mask & ~PCI_COMMAND_INTX_DISABLE)
      | (cx.l.val & (mask | PCI_COMMAND_INTX_DISABLE));
    cx.k.mut('vfio', v.id).vconfig_command = vcmd;
    const after = vfioPciMemoryEnabled(cx.k, v.id);
    cx.emit('device', 'vfio_basic_config_write', {
      dev: dev.bdf, command: hex(cx.l.val), phys: hex(phys), memory: after ? 'enabled' : 'disabled',
      was: before ? 'enabled' : 'disabled',
    });
    // un-revoke the dma-bufs when memory decodes after the write
    unrevokeDmaBufsIfEnabled(cx, 'up_write');
  },
  up_write: upWriteMemoryLock('done'),
  done: (cx) => cx.ret(2),
});

/** models vfio_pm_config_write() at PM_CTRL + vfio_lock_and_set_power_state(). */
export const vfio_pm_config_write = path<CfgWriteLocals>()('vfio_pm_config_write', 'entry', {
  entry: (cx) => {
    const state = cx.l.val & PCI_PM_CTRL_STATE_MASK;
    if (state === 3) cx.call('vfio_pci_zap_and_down_write_memory_lock', { vdev: cx.l.vdev, r: 0 }, 'x', 'revoke');
    else cx.goto('down_write');
  },
  revoke: revokeDmaBufs('set'),
  down_write: downWriteMemoryLock('set'),
  /** vfio_pci_set_power_state(), then up_write. */
  set: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    const state = cx.l.val & PCI_PM_CTRL_STATE_MASK;
    const target: PowerState | null = state === 3 ? 'D3hot' : state === 0 ? 'D0' : null;
    if (target !== null) {
      pciSetPowerState(cx.k, v.pdev, target);
      cx.k.mut('vfio', v.id).power_state = target;
    }
    cx.emit('device', 'vfio_pci_set_power_state', {
      dev: vdevName(cx.k, v.id), requested: `D${state === 3 ? '3hot' : state}`, power: cx.k.get('pci', v.pdev).power,
      memory: vfioPciMemoryEnabled(cx.k, v.id) ? 'enabled' : 'disabled',
    });
    unrevokeDmaBufsIfEnabled(cx, 'up_write');
  },
  up_write: upWriteMemoryLock('done'),
  done: (cx) => cx.ret(2),
});

/** models vfio_exp_config_write(): the virtual FLR bit issues a function reset when DEVCAP has FLR. */
export const vfio_exp_config_write = path<CfgWriteLocals>()('vfio_exp_config_write', 'entry', {
  entry: (cx) => {
    const dev = cx.k.get('pci', cx.k.get('vfio', cx.l.vdev).pdev);
    const devcap = dev.flr ? PCI_EXP_DEVCAP_FLR : 0;
    if (!(devcap & PCI_EXP_DEVCAP_FLR)) return cx.ret(2);
    cx.call('vfio_pci_zap_and_down_write_memory_lock', { vdev: cx.l.vdev, r: 0 }, 'x', 'revoke');
  },
  revoke: revokeDmaBufs('reset'),
  reset: (cx) => {
    cx.call('pci_try_reset_function', { pdev: cx.k.get('vfio', cx.l.vdev).pdev, saved: 0 }, 'r', 'unrevoke');
  },
  unrevoke: (cx) => {
    const v = cx.k.get('vfio', cx.l.vdev);
    cx.emit('device', 'vfio_exp_config_write', { dev: vdevName(cx.k, v.id), flr: true, ret: cx.l.r });
    unrevokeDmaBufsIfEnabled(cx, 'up_write');
  },
  up_write: upWriteMemoryLock('done'),
  done: (cx) => cx.ret(2),
});
