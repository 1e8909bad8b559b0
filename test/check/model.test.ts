import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/scenario/load.js';
import { scenarioModel, SetupError } from '../../src/check/model.js';
import { findDesign } from '../../src/designs/index.js';
import { AS_BINDING } from './fixtures.js';

const legacy = findDesign('legacy')!;

test('an entry is offered once its variables are bound; as: binds when the action returns', () => {
  const m = scenarioModel(loadScenario(AS_BINDING, 'as.yaml'), { design: legacy });
  const tid = Number(Object.keys(m.model.initial.tasks)[0]);
  const offered = (s: typeof m.model.initial) => m.model.alphabet(s, tid).map((i) => ('action' in i ? i.action.op : i.op));
  assert.deepEqual(offered(m.model.initial), ['mmap']);
  const first = m.model.alphabet(m.model.initial, tid)[0]!;
  assert.ok('action' in first);
  let r = m.apply(m.model.initial, { tid, action: first.action, entry: first.entry });
  let s = r.state;
  const pid = s.tasks[tid]!.pid;
  assert.ok(Object.keys(s.processes[pid]!.vars).some((v) => v.startsWith('@as:')), 'pending binding kept in the state');
  while (s.tasks[tid]!.frames.length > 0) {
    r = m.apply(s, { tid });
    s = r.state;
  }
  assert.ok(r.events.some((e) => e.kind === 'return' && e.fn === 'mmap'));
  const vars = s.processes[pid]!.vars;
  assert.equal(typeof vars['m'], 'number');
  assert.ok(!Object.keys(vars).some((v) => v.startsWith('@')), 'pending binding gone');
  assert.deepEqual(offered(s), ['mmap', 'load']);
});

test('a setup that misses its expects cannot be explored', () => {
  const bad = AS_BINDING.replace('    as: fd\n', '    as: fd\n    expect: { ret: 7 }\n');
  assert.throws(() => scenarioModel(loadScenario(bad, 'bad.yaml'), { design: legacy }), SetupError);
});
