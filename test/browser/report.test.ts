/**
 * The HTML report in a real browser: Debian's chromium driven by
 * playwright-core (never a downloaded browser build). A check of
 * o_direct+cmd-disable on x86_64-pte-special-only (legacy design) gives two
 * violations; the test opens the report from file://, clicks one, steps with
 * the keyboard to the fault that installs the PMD leaf, and checks the lane,
 * the leaf's level and special bit, the highlighted change and the URL hash.
 * The screenshot is kept as test-artifacts/report.png.
 *
 * The first view is the verdict per design; its screenshot is kept as
 * test-artifacts/report-verdict.png.
 *
 * chromium is looked up on PATH (chromium, chromium-browser, then
 * /usr/bin/chromium); without it the test is skipped locally, and fails in
 * CI (CI=true), where .ci/run installs chromium.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
/** The first chromium on PATH (Debian's chromium, or chromium-browser elsewhere), else /usr/bin/chromium. */
function findChromium(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return '/usr/bin/chromium';
}
const CHROMIUM = findChromium();
const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Whether chromium is there; skips the test locally without it and fails in CI. */
function haveChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI'] === 'true') assert.fail('no chromium on PATH in CI: .ci/run must apt-get install chromium');
  t.skip('no chromium on PATH (apt-get install chromium); skipping the browser test');
  return false;
}

/** Debian's chromium, headless, with a fresh profile and no background networking. */
async function launch(dir: string): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1500, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

test('the check report opens in chromium: click a violation, step with the keys, permalink', async (t) => {
  if (!haveChromium(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'barmap-report-'));
  const html = join(dir, 'report.html');
  const r = spawnSync(process.execPath, [CLI, 'check', 'o_direct+cmd-disable', '--arch', 'x86_64-pte-special-only', '--design', 'legacy',
    '--out', join(dir, 'traces'), '--html', html], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.ok(!/https?:\/\//.test(readFileSync(html, 'utf8').replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')), 'the report loads nothing from the network');

  const ctx = await launch(dir);
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(html).href;
    await page.goto(url);
    assert.match(await page.title(), /barmap check/);
    // The first view is the verdict per design: what legacy breaks, its shortest trace and scenario.
    const verdict = page.locator('#verdict-sec');
    assert.ok(await verdict.isVisible());
    const box = await verdict.boundingBox();
    assert.ok(box && box.y < 200, `the verdict opens the page (y=${box?.y})`);
    const legacy = await page.locator('#verdict tr[data-design="legacy"]').allInnerTexts();
    assert.ok(legacy.some((l) => /gup-fast-agrees-with-gup\s+19\s+o_direct\+cmd-disable/.test(l)), legacy.join(' | '));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-verdict.png') });
    // The full matrix is one click away and fits the page.
    assert.equal(await page.locator('#matrix').isVisible(), false);
    await page.click('#matrix-details summary');
    const cell = page.locator('#matrix td.broken a', { hasText: 'broken 19' });
    assert.equal(await cell.count(), 1);
    const widths = await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]') as [number, number];
    assert.ok(widths[0] <= widths[1], `the matrix fits the page: ${widths.join(' > ')}`);
    assert.equal(await page.locator('#viewer.open').count(), 0);
    assert.ok(await page.locator('#plots svg polyline').count() >= 1, 'the search plot is drawn');
    // Before any violation is open, End opens the first one at its last step, scrolled into view.
    await page.keyboard.press('End');
    assert.equal(await page.locator('#viewer.open').count(), 1);
    assert.ok(await page.locator('#stepinfo').isVisible());
    const vbox = await page.locator('#viewer').boundingBox();
    assert.ok(vbox && vbox.y >= -1 && vbox.y < 200, `the viewer is scrolled to (y=${vbox?.y})`);
    assert.match(await page.locator('#stepinfo').innerText(), /BUG: /);

    await page.click('.violation-link[data-trace$="--gup-fast-agrees-with-gup"]');
    assert.equal(await page.locator('#viewer.open').count(), 1);
    assert.match(await page.locator('#vhead .bug').innerText(), /BUG: gup-fast-agrees-with-gup in o_direct\+cmd-disable/);
    assert.match(await page.locator('#vhead .rule').innerText(), /GUP-fast never takes a page/);
    const lanes = await page.locator('#lanes th.lane').allInnerTexts();
    assert.deepEqual(lanes.slice(0, 2), ['A-11', 'B-12']);
    assert.ok(lanes.includes('0000:01:00.0'), `a device lane: ${lanes.join(', ')}`);

    // Home, then → until the step that installs the PMD leaf.
    await page.keyboard.press('Home');
    assert.equal(await page.locator('#stepinfo').getAttribute('data-step'), '0');
    assert.match(await page.locator('#stepinfo').innerText(), /^setup · /);
    let steps = 0;
    while ((await page.locator('#state .sl.leaf.pmd.add').count()) === 0 && steps < 40) {
      await page.keyboard.press('ArrowRight');
      steps++;
    }
    const leaf = page.locator('#state .sl.leaf.pmd.add');
    assert.equal(await leaf.count(), 1, 'a step adds a PMD leaf');
    assert.equal(await leaf.innerText(), 'PMD 0x7e0000000000 → pfn 0x4000000 write');
    assert.match((await leaf.getAttribute('class')) ?? '', /nospecial/, 'no special bit on a PMD leaf of x86_64-pte-special-only');
    const row = page.locator('#lanes tbody tr.cur');
    assert.match(await row.locator('td[data-lane="A-11"]').innerText(), /vmf_insert_pfn_pmd: .*level=pmd pfn=0x4000000 .*-> VM_FAULT_NOPAGE/s);
    assert.equal(await row.locator('td[data-lane="B-12"]').innerText(), '');
    const id = 'o_direct_cmd-disable--legacy--x86_64-pte-special-only--gup-fast-agrees-with-gup';
    assert.equal(new URL(page.url()).hash, `#v=${id}&s=${steps}`);

    // ← goes back to before the insert: no leaf, and the hash follows.
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('#state .sl.leaf.pmd').count(), 0);
    assert.equal(new URL(page.url()).hash, `#v=${id}&s=${steps - 1}`);

    // The permalink restores the step on load.
    await page.goto(`${url}#v=${id}&s=${steps}`);
    await page.reload();
    assert.equal(await page.locator('#stepinfo').getAttribute('data-step'), String(steps));
    assert.match(await page.locator('#stepinfo').innerText(), new RegExp(`^t${steps} · A-11 `));
    assert.equal(await page.locator('#state .sl.leaf.pmd.add').count(), 1);
    assert.deepEqual(errors, []);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the report of the whole built-in suite opens in chromium and its violations open the viewer', async (t) => {
  if (!haveChromium(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'barmap-suite-report-'));
  const html = join(dir, 'suite.html');
  // No scenario: the built-in suite (every design x arch x scenario with a check: section).
  const r = spawnSync(process.execPath, [CLI, 'check', '--out', join(dir, 'traces'), '--html', html], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const ctx = await launch(dir);
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(html).href);
    assert.match(await page.title(), /barmap check/);
    // The verdict names every design; the matrix has one row per design x arch of the suite.
    const designs = await page.locator('#verdict td.design').allInnerTexts();
    for (const d of ['legacy', 'rfc', 'dmabuf-vma@1', 'dmabuf-vma@5', 'shared-base']) assert.ok(designs.includes(d), designs.join(', '));
    const heads = await page.locator('#matrix th.rowhead').allTextContents();
    for (const col of ['legacy/x86_64', 'rfc/arm64', 'dmabuf-vma@3/x86_64-pte-special-only', 'shared-base/x86_64']) {
      assert.ok(heads.some((h) => h.includes(col)), `matrix column ${col}: ${heads.join(' | ')}`);
    }
    // Stage 1 of Jason's progression misses the zap: its violation opens in the viewer.
    const id = 'fault_cmd-disable--dmabuf-vma_1--x86_64--zap-reaches-every-mapping';
    await page.click(`.violation-link[data-trace="${id}"]`);
    assert.equal(await page.locator('#viewer.open').count(), 1);
    assert.match(await page.locator('#vhead .bug').innerText(), /BUG: zap-reaches-every-mapping in fault\+cmd-disable/);
    await page.keyboard.press('End');
    assert.ok((await page.locator('#state .sl.leaf').count()) >= 1, 'the last step still shows the leaf the zap missed');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
