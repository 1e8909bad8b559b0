import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourLine, outputFormat, shouldColour } from '../../src/report/format.js';

test('--format wins, --json is its alias, unknown names are refused', () => {
  assert.equal(outputFormat(undefined, undefined), 'text');
  assert.equal(outputFormat(undefined, true), 'json');
  assert.equal(outputFormat('html', true), 'html');
  assert.equal(outputFormat('xml', false), null);
});

test('colour on a terminal only, never with NO_COLOR', () => {
  assert.equal(shouldColour(true, {}), true);
  assert.equal(shouldColour(false, {}), false);
  assert.equal(shouldColour(true, { NO_COLOR: '1' }), false);
  assert.equal(shouldColour(true, { TERM: 'dumb' }), false);
  assert.equal(shouldColour(false, { FORCE_COLOR: '1' }), true);
});

test('an event line keeps its text and columns, with the result coloured by what it means', () => {
  const line = '  A-11     [t5]      vfio_pci_mmap_huge_fault: order=9 pfn=0x4000000 -> VM_FAULT_SIGBUS';
  const c = colourLine(line);
  // eslint-disable-next-line no-control-regex
  assert.equal(c.replace(/\x1b\[[0-9;]*m/g, ''), line);
  assert.match(c, /\x1b\[1;31mVM_FAULT_SIGBUS/);
  assert.match(colourLine('  B-12     [t3]      BUG: no-leaf-on-disabled-bar: report=x'), /\x1b\[1;31mBUG:/);
  assert.equal(colourLine('plain words'), 'plain words');
});
