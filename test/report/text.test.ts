import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextTrace, formatArgs, formatValue, formatState } from '../../src/report/text.js';
import { jsonEvent, jsonState } from '../../src/report/json.js';
import type { TraceEvent } from '../../src/kernel/events.js';
import type { StateDump } from '../../src/report/state.js';

const fault: TraceEvent = {
  tid: 3, kind: 'fault', fn: 'vfio_pci_mmap_huge_fault',
  args: { order: 18, addr: '0x7f0000000000', pfn: '0x4000000', ret: 'VM_FAULT_FALLBACK' },
};

test('an event prints ftrace-like: task-tid, step, function, key=value, -> result last', () => {
  const t = new TextTrace({ lastStep: 12 });
  assert.equal(
    t.event(fault, 'A', 4),
    '  A-3      [step 4]  vfio_pci_mmap_huge_fault: order=18 addr=0x7f0000000000 pfn=0x4000000 -> VM_FAULT_FALLBACK',
  );
});

test('columns stay aligned across tasks and steps', () => {
  const t = new TextTrace({ lastStep: 12 });
  const a = t.event(fault, 'A', 4);
  const b = t.event({ ...fault, tid: 17 }, 'child', 11);
  assert.equal(a.indexOf('vfio_pci'), b.indexOf('vfio_pci'));
  const c = t.event({ tid: 0, kind: 'device', fn: 'pcie_flr', args: {} }, '', 'setup');
  assert.match(c, /^  <kernel>-0 +\[setup\] +pcie_flr:$/);
});

test('values: strings with spaces are quoted, booleans and numbers plain', () => {
  assert.equal(formatValue('a b'), '"a b"');
  assert.equal(formatValue(''), '""');
  assert.equal(formatValue(true), 'true');
  assert.equal(formatValue(12), '12');
  assert.equal(formatArgs({ result: '-EINVAL', fd: 3 }), 'fd=3 -> -EINVAL');
  assert.equal(formatArgs({}), '');
});

const dump: StateDump = {
  processes: [{
    name: 'P', pid: 4, exited: false,
    threads: [{ name: 'A', tid: 5, at: 'user', pending: [], lastRet: '0' }, { name: 'B', tid: 6, at: 'vfio_pci_mmap_huge_fault:start', waits: 'vfio 0000:01:00.0->memory_lock(read)', pending: ['SIGBUS'], lastRet: 'null' }],
    vars: { fd: '0', bar0: '0x7f0000000000' },
    vmas: [{ start: '0x7f0000000000', end: '0x7f0000200000', pgoff: '0x0', flags: 'VM_READ|VM_SHARED|VM_PFNMAP', file: 'file12(vfio)', ops: 'vfio_pci_mmap_ops', i_mmap: 'inode3' }],
    leaves: [{ addr: '0x7f0000000000', level: 'pmd', pfn: '0x4000000', special: true, write: true }],
    fds: [{ fd: 0, file: 'file12(vfio)', cloexec: true }],
  }],
  files: [{ id: 12, name: 'vfio-device:0000:01:00.0', f_count: 2 }],
  devices: [{ bdf: '0000:01:00.0', command: '0x2', memory: true, power: 'D0', resets: 1, vfio: { open_count: 1, vconfig_memory: true, power_state: 'D0', pm_runtime_engaged: false } }],
  locks: [{ lock: 'vfio 0000:01:00.0->memory_lock', holders: ['C-7(write)'], waiters: ['B-6(read)'] }],
  pagerefs: { '0x4000000': 1 },
};

test('the state dump lists VMAs, leaves, fds, files, devices and locks', () => {
  const lines = formatState(dump, 3);
  assert.equal(lines[0], '  -- state after step 3 --');
  const text = lines.join('\n');
  assert.match(text, /process P \(pid 4\): A-5 user; B-6 vfio_pci_mmap_huge_fault:start waits vfio 0000:01:00\.0->memory_lock\(read\) pending SIGBUS/);
  assert.match(text, /vars: \$fd=0 \$bar0=0x7f0000000000/);
  assert.match(text, /vma 0x7f0000000000-0x7f0000200000 pgoff=0x0 VM_READ\|VM_SHARED\|VM_PFNMAP file=file12\(vfio\) ops=vfio_pci_mmap_ops i_mmap=inode3/);
  assert.match(text, /pmd 0x7f0000000000 pfn=0x4000000 special write/);
  assert.match(text, /fd 0 -> file12\(vfio\) cloexec/);
  assert.match(text, /file12 vfio-device:0000:01:00\.0 f_count=2/);
  assert.match(text, /device 0000:01:00\.0: command=0x2 memory=on power=D0 resets=1 \| vfio open_count=1 vconfig_memory=on/);
  assert.match(text, /lock vfio 0000:01:00\.0->memory_lock: held by C-7\(write\); waiting B-6\(read\)/);
  assert.match(text, /page refs: 0x4000000=1/);
});

test('JSON lines: one object per event and per state dump', () => {
  const e = JSON.parse(jsonEvent(fault, 'A', 4)) as Record<string, unknown>;
  assert.deepEqual(e, { type: 'event', step: 4, task: 'A', tid: 3, kind: 'fault', fn: 'vfio_pci_mmap_huge_fault', args: fault.args });
  const line = jsonState(dump, 3);
  assert.ok(!line.includes('\n'));
  const s = JSON.parse(line) as { type: string; step: number; state: StateDump };
  assert.equal(s.type, 'state');
  assert.deepEqual(s.state, dump);
});
