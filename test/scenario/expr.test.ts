import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr, evalExpr, exprVars, ExprError } from '../../src/scenario/expr.js';

const ev = (s: string | number, vars: Record<string, number> = {}): number => evalExpr(parseExpr(s), vars);

test('numbers: decimal, hex, size suffixes', () => {
  assert.equal(ev(4096), 4096);
  assert.equal(ev('0x7f0000000000'), 0x7f0000000000);
  assert.equal(ev('4K'), 4096);
  assert.equal(ev('2M'), 2 * 1024 * 1024);
  assert.equal(ev('1G'), 2 ** 30);
  assert.equal(ev('0x10K'), 16 * 1024);
  assert.equal(ev('1_000'), 1000);
});

test('variables, region() and + / -', () => {
  const vars = { bar0: 0x7f0000000000, fd: 3 };
  assert.equal(ev('$bar0 + 0x1000', vars), 0x7f0000001000);
  assert.equal(ev('$bar0+4K-0x10', vars), 0x7f0000000ff0);
  assert.equal(ev('region(0)'), 0);
  assert.equal(ev('region(2) + 0x1000'), 2 * 2 ** 40 + 0x1000);
  assert.equal(ev('region(7) + PCI_COMMAND'), 7 * 2 ** 40 + 4);
  assert.equal(ev('-(2 + 3)'), -5);
  assert.equal(ev('-1'), -1);
  assert.deepEqual(exprVars(parseExpr('$a + region($b) - 1')), ['a', 'b']);
});

test('an unbound variable names the variable and how to bind it', () => {
  assert.throws(() => ev('$bar0 + 1', { fd: 3 }), (e: Error) => e instanceof ExprError && /\$bar0 is not set/.test(e.message) && /as: bar0/.test(e.message));
});

test('syntax errors are ExprErrors with a hint', () => {
  for (const bad of ['2Q', '$', '1 +', 'region(1', 'FOO', '(1', '1 2', '']) {
    assert.throws(() => parseExpr(bad), ExprError, bad);
  }
  assert.throws(() => parseExpr('FOO'), /unknown name 'FOO'.*\$FOO/);
  assert.throws(() => parseExpr(1.5), /not an integer/);
  assert.throws(() => parseExpr('0x20000000000000'), /53 bits/);
});
