// Browser tests of accessibility and small screens: axe-core (injected into
// the page) finds no serious or critical violation in light and dark mode at
// 1400 and 390 px; at 390 px the outputs are on the first screen, nothing
// is wider than the screen, plot legends are not clipped and every tap
// target is at least 24 px; and the keyboard alone reaches every control,
// plot and graph node, with a visible focus.
// Run: node --test --test-concurrency=1 tests/web/page-access.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, waitForRun, drawGraphs, repoDir } from './helpers.mjs';

let server;
let browser;
let axeSource;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  axeSource = await readFile(path.join(repoDir, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openAt(width, height, colorScheme) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto(server.url);
  await waitForRun(page);
  return page;
}

// An edit, so the "edited" badge and the reset button are on screen too.
async function editProgram(page) {
  const count = await page.evaluate(() => Number(document.body.dataset.runCount));
  await page.evaluate(() => {
    const view = window.lsrlPlayground.editor.view;
    view.dispatch({ changes: { from: 0, insert: '# my edit\n' }, userEvent: 'input.type' });
  });
  await waitForRun(page, { after: count });
  assert.equal(await page.isVisible('#edited-badge'), true);
}

for (const [width, height] of [[1400, 900], [390, 844]]) {
  for (const scheme of ['light', 'dark']) {
    test(`axe-core: no serious or critical violations at ${width} px in ${scheme} mode`, async () => {
      const page = await openAt(width, height, scheme);
      await editProgram(page);
      await drawGraphs(page);
      // Evaluated through the DevTools protocol: the page's CSP allows no
      // inline script, and the test must not loosen it.
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, {
          resultTypes: ['violations'],
          rules: { 'target-size': { enabled: true } },
        });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      });
      assert.deepEqual(violations, []);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }
}

// What axe-core finds serious or critical in the page as it is now.
async function axeFindings(page, context = 'document') {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  return page.evaluate(async (within) => {
    const result = await window.axe.run(within === 'document' ? document : document.querySelector(within), {
      resultTypes: ['violations'],
      rules: { 'target-size': { enabled: true } },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  }, context);
}

// The parts that are not on the first view: the Share and Embed panels, the
// exercises panel (with an exercise open) and continuous_ua's plots.
for (const [width, height] of [[1400, 900], [390, 844]]) {
  for (const scheme of ['light', 'dark']) {
    test(`axe-core on the share and embed panels, the exercises and the approximation plots at ${width} px in ${scheme} mode`, async () => {
      const page = await openAt(width, height, scheme);
      const count = await page.evaluate(() => Number(document.body.dataset.runCount));
      await page.selectOption('#examples', 'continuous_ua');
      await waitForRun(page, { after: count, timeout: 120000 });
      await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
      assert.deepEqual(await axeFindings(page), [], 'with continuous_ua\'s plots');
      await page.click('#share');
      await page.waitForSelector('#share-panel:not([hidden]) #share-note');
      assert.deepEqual(await axeFindings(page), [], 'with the Share panel open');
      await page.click('#embed');
      await page.waitForSelector('#share-panel:not([hidden]) textarea');
      assert.deepEqual(await axeFindings(page), [], 'with the Embed panel open');
      await page.keyboard.press('Escape');
      await page.click('#exercises-button');
      await page.waitForSelector('#exercises-panel:not([hidden]) button');
      const open = page.locator('#exercises-panel button', { hasText: /^1\. / }).first();
      await open.click();
      await page.waitForSelector('#exercises-panel:not([hidden]) textarea, #exercises-panel:not([hidden]) [role="status"], #exercises-panel:not([hidden]) h3', { timeout: 10000 });
      assert.deepEqual(await axeFindings(page), [], 'with the exercises panel open');
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }
}

test('at 390 px: outputs on the first screen, no sideways scrolling, legends whole, 24 px tap targets', async () => {
  const page = await openAt(390, 844, 'light');
  await editProgram(page);
  const outputsTop = await page.$eval('#outputs-table', (t) => t.getBoundingClientRect().top);
  assert.ok(outputsTop < 844 - 100, `the outputs table starts on the first screen (at ${outputsTop} px)`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'nothing wider than the screen');
  // Every legend fits the screen and the box that holds it.
  const legends = await page.$$eval('.legend', (list) => list.map((legend) => {
    const box = legend.getBoundingClientRect();
    let clipped = box.left < 0 || box.right > document.documentElement.clientWidth;
    for (let up = legend.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX === 'visible') continue;
      const outer = up.getBoundingClientRect();
      if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) clipped = true;
    }
    return { clipped, width: box.width };
  }));
  assert.ok(legends.length >= 2);
  assert.deepEqual(legends.filter((l) => l.clipped), [], 'no legend clipped');
  const small = await page.evaluate(() => [...document.querySelectorAll('button, select, input, textarea, summary, [tabindex="0"]')]
    .filter((e) => e.offsetParent !== null && e.getAttribute('tabindex') !== '-1')
    .map((e) => ({ what: `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${e.type || ''}`.trim(), box: e.getBoundingClientRect() }))
    .filter(({ box }) => box.width < 24 || box.height < 24)
    .map(({ what, box }) => `${what} ${Math.round(box.width)}x${Math.round(box.height)}`));
  assert.deepEqual(small, [], 'tap targets of at least 24 x 24 px');
  await page.context().close();
});

test('the keyboard alone reaches every control, plot and graph node, with a visible focus', async () => {
  const page = await openAt(1400, 900, 'light');
  await drawGraphs(page);
  // From the first control of the page onwards.
  await page.focus('#examples');
  const reached = new Set(['#examples']);
  let outlines = 0;
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const style = getComputedStyle(e);
      return {
        id: e.id,
        tag: e.tagName.toLowerCase(),
        cls: typeof e.className === 'string' ? e.className : e.getAttribute('class') || '',
        inEditor: !!e.closest('#editor'),
        outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        isCmContent: e.classList.contains('cm-content'),
      };
    });
    if (!at) continue;
    if (at.inEditor) {
      reached.add('editor');
      await page.keyboard.press('Escape'); // the next Tab leaves the editor
      continue;
    }
    if (at.outlined) outlines += 1;
    if (at.id) reached.add(`#${at.id}`);
    if (at.tag === 'canvas' && at.cls.includes('hidden-heatmap')) reached.add('heatmap');
    if (at.tag === 'g' && at.cls.includes('node')) reached.add('graph node');
    if (reached.has('#path-graph-svg') && reached.has('graph node') && at.id === 'path-graph') break;
  }
  for (const wanted of ['#examples', '#target', '#theme-toggle', '#share', 'editor', '#prompt-text', '#step-cursor',
    '#download-outputs-csv', '#download-trace-json', 'heatmap', '#program-graph-fit', '#program-graph', 'graph node',
    '#path-graph-svg']) {
    assert.ok(reached.has(wanted), `Tab reaches ${wanted} (reached: ${[...reached].join(' ')})`);
  }
  assert.ok(outlines > 20, `focused elements show a 2 px outline (${outlines})`);
  // Enter on a graph node puts the editor on its line.
  const node = page.locator('#program-graph g.node.clickable').first();
  await node.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => !!document.activeElement?.closest('#editor')), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
