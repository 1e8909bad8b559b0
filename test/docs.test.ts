/* The docs stand alone and stay true: every option of every command's --help is in the README, docs/ links resolve, nothing cites a file outside the repository. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliIn, ROOT } from './cli/helpers.js';

const { barmap } = cliIn('barmap-docs-');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f));

function commands(): string[] {
  const h = barmap('--help').stdout;
  return [...h.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

test('every command and every option its --help lists is in the README', () => {
  const cmds = commands();
  assert.ok(cmds.includes('check') && cmds.includes('compare') && cmds.includes('explain'), cmds.join(' '));
  for (const c of cmds) {
    assert.match(README, new RegExp(`barmap ${c}\\b`), `README shows barmap ${c}`);
    const help = barmap(c, '--help').stdout;
    for (const m of help.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)) {
      const opt = m[1]!;
      if (opt === '--help') continue;
      assert.ok(README.includes(opt), `README mentions ${c} ${opt}`);
    }
  }
});

test('links in docs/ and the README resolve, and nothing cites a file outside the repository', () => {
  for (const f of ['README.md', ...DOCS]) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    assert.doesNotMatch(text, /KERNEL\.md|\.\.\/shared/, `${f} cites only the repository, commits and lore`);
    for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(ROOT, dirname(f), target)), `${f}: link ${target} resolves`);
    }
  }
});
