/**
 * Building the kernel state a scenario starts from: importing devices
 * (dma-buf importers), PCI functions bound to vfio-pci, and processes with
 * their threads, all in user space.
 */
import { Kernel } from '../kernel/kernel.js';
import { emptyKernelState } from '../kernel/state.js';
import type { KernelState } from '../kernel/state.js';
import type { TraceEvent } from '../kernel/events.js';
import type { Design } from '../designs/types.js';
import { createPciDev } from '../pci/device.js';
import { vfioPciRegisterDevice } from '../vfio/pci/device.js';
import { createProcess } from '../kernel/sched/process.js';
import { newImporter } from '../dma-buf/importer-ops.js';
import type { World } from './schema.js';
import type { KernelConfig } from '../kernel/config.js';
import { ALWAYS_MOVE_NOTIFY_SUBJECT } from '../designs/revoke-v7.1/0003-always-move-notify.js';
import { importerIds } from './schema.js';

/** The world's initial state, and where each name landed. */
export interface BuiltWorld {
  readonly state: KernelState;
  /** Events the setup emitted (usually none). */
  readonly events: readonly TraceEvent[];
  /** Device name -> PCI address. */
  readonly devices: { readonly [name: string]: string };
  /** Importer name -> id in the importers table (what dmabuf_attach passes). */
  readonly importers: { readonly [name: string]: number };
}

/**
 * The build options of the world's kernel. A design whose stack removes an
 * option keeps it as the stack leaves it: the v7.1 revoke series builds
 * move-notify always (3/8, "dma-buf: Always build with DMABUF_MOVE_NOTIFY").
 */
export function kernelConfig(world: World, design: Design): KernelConfig {
  const always = (design.patches ?? []).some((p) => p.subject === ALWAYS_MOVE_NOTIFY_SUBJECT);
  return { DMABUF_MOVE_NOTIFY: world.config.CONFIG_DMABUF_MOVE_NOTIFY || always };
}

/** Build the initial state of a world for an arch profile and a design. */
export function buildWorld(world: World, arch: string, design: Design, defects: readonly string[] = []): BuiltWorld {
  const k = new Kernel(emptyKernelState(arch, design.name, defects, kernelConfig(world, design), world.thp), design);
  // Importers first, on the empty state: their ids are what the loader resolved `importer:` names to.
  const importers: Record<string, number> = {};
  const ids = importerIds(world.importers);
  for (const imp of world.importers) {
    const id = newImporter(k, imp.name, imp.kind, imp.peer2peer);
    if (ids.get(imp.name) !== id) throw new Error(`importer ${imp.name} got id ${id}, the loader resolved it to ${ids.get(imp.name)}`);
    importers[imp.name] = id;
  }
  const devices: Record<string, string> = {};
  for (const d of world.devices) {
    const pdev = createPciDev(k, {
      bdf: d.bdf,
      vendor: d.vendor,
      device: d.device,
      bars: d.bars.map((b) => ({ index: b.index, size: b.size, base: b.base, is64: b.is64, prefetchable: b.prefetchable, ...(b.io ? { io: true } : {}) })),
      structPages: d.structPages,
      noCommandMemory: d.noCommandMemory,
      flr: d.flr,
      ...(d.rom ? { rom: d.rom } : {}),
      ...(d.msix ? { msix: d.msix } : {}),
      nonMappableBars: d.nonMappableBars,
    });
    vfioPciRegisterDevice(k, pdev, d.driver);
    devices[d.name] = d.bdf;
  }
  for (const p of world.processes) createProcess(k, p.name, p.threads);
  return { state: k.finish(), events: k.events, devices, importers };
}
