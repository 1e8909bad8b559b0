/**
 * pci_try_reset_function() (drivers/pci/pci.c, v6.19) as a path: the
 * function is woken to D0, its config state saved and its command register
 * cleared (pci_dev_save_and_disable), reset, then its state restored
 * (pci_dev_restore). Between those steps memory decoding is physically off,
 * so an access that reaches the BAR in the window is an Unsupported Request.
 *
 * Not modelled: the device lock (pci_dev_trylock never fails, so no -EAGAIN),
 * reset methods other than FLR, reset_prepare/reset_done handlers.
 */
import { path } from '../kernel/sched/path.js';
import { hex } from '../kernel/events.js';
import { ENOTTY } from '../uapi/errno.js';
import {
  PCI_COMMAND_DISABLED, pciFunctionReset, pciResetSupported, pciSetPowerState, pciWriteCommand,
} from './device.js';

type Locals = {
  /** pci table id. */
  pdev: number;
  /** The command register pci_save_state() saved. */
  saved: number;
};

export const pci_try_reset_function = path<Locals>()('pci_try_reset_function', 'entry', {
  entry: (cx) => {
    const dev = cx.k.get('pci', cx.l.pdev);
    if (!pciResetSupported(dev)) {
      cx.ret(-ENOTTY);
      return;
    }
    pciSetPowerState(cx.k, dev.id, 'D0');
    cx.l.saved = dev.command;
    pciWriteCommand(cx.k, dev.id, PCI_COMMAND_DISABLED);
    cx.emit('device', 'pci_dev_save_and_disable', { dev: dev.bdf, command: hex(PCI_COMMAND_DISABLED), saved: hex(dev.command) });
    cx.goto('reset');
  },
  reset: (cx) => {
    pciFunctionReset(cx.k, cx.l.pdev);
    const dev = cx.k.get('pci', cx.l.pdev);
    cx.emit('device', 'pcie_flr', { dev: dev.bdf, resets: dev.resets });
    cx.goto('restore');
  },
  restore: (cx) => {
    pciWriteCommand(cx.k, cx.l.pdev, cx.l.saved);
    cx.emit('device', 'pci_dev_restore', { dev: cx.k.get('pci', cx.l.pdev).bdf, command: hex(cx.l.saved) });
    cx.ret(0);
  },
});
