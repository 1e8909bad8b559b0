/* The kernel's build options as world options (src/kernel/config.ts, src/scenario/world.ts kernelConfig). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/kernel/config.js';
import { emptyKernelState } from '../../src/kernel/state.js';
import { openSteps, runYaml } from '../helpers/scenario-text.js';
import { EOPNOTSUPP } from '../../src/uapi/errno.js';

const MAP = `${openSteps()}  - thread: A
    dmabuf_export: { fd: $fd, region: bar0, ranges: [{ offset: 0, length: 16K }] }
    as: buf
  - thread: G
    dmabuf_attach: { importer: gpu, fd: $buf }
    as: att
  - thread: G
    dmabuf_map: { attachment: $att }
`;

test('move-notify is on unless the world turns it off', () => {
  assert.equal(DEFAULT_CONFIG.DMABUF_MOVE_NOTIFY, true);
  assert.equal(emptyKernelState('x86_64', 'legacy').config.DMABUF_MOVE_NOTIFY, true);
  assert.equal(runYaml(MAP).steps[3]!.ret, 0);
  const off = runYaml(MAP, { world: '  config: { CONFIG_DMABUF_MOVE_NOTIFY: false }' });
  assert.equal(off.steps[0]!.state.config.DMABUF_MOVE_NOTIFY, false);
  assert.equal(off.steps[3]!.ret, -EOPNOTSUPP, 'dma_buf_pin_on_map: VFIO pin refuses');
});

test('the v7.1 revoke series builds move-notify always (3/8)', () => {
  const r = runYaml(MAP, { world: '  config: { CONFIG_DMABUF_MOVE_NOTIFY: false }', design: 'revoke@v7.1' });
  assert.equal(r.steps[0]!.state.config.DMABUF_MOVE_NOTIFY, true);
  assert.equal(r.steps[3]!.ret, 0);
});
