/**
 * Tests build small designs the old way (paths and tables by name); this
 * turns such a description into a one-patch stack over `base`.
 */
import type { Path } from '../../src/kernel/sched/path.js';
import type { Design, DmaBufOps, FileOperations, VmOperations } from '../../src/designs/types.js';
import type { Change } from '../../src/designs/patch.js';
import { addPath, patch, replacePath, setDmaBufOps, setFileOps, setVmOps, stack } from '../../src/designs/patch.js';

export function extendDesign(base: Design, over: {
  name: string; description: string; paths?: readonly Path[]; fileOps?: readonly FileOperations[];
  vmOps?: readonly VmOperations[]; dmaBufOps?: readonly DmaBufOps[];
}): Design {
  const changes: Change[] = [];
  for (const p of over.paths ?? []) changes.push(base.paths.has(p.name) ? replacePath(p) : addPath(p));
  const members = <T extends { name: string }>(t: T) => {
    const { name: _name, ...rest } = t;
    return rest;
  };
  for (const f of over.fileOps ?? []) changes.push(setFileOps(f.name, members(f)));
  for (const v of over.vmOps ?? []) changes.push(setVmOps(v.name, members(v)));
  for (const d of over.dmaBufOps ?? []) changes.push(setDmaBufOps(d.name, members(d)));
  return stack(base, { name: over.name, description: over.description, patches: [patch(`test: ${over.name}`, 'test', ...changes)] });
}
