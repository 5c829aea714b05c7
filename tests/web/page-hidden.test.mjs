// Browser tests of the hidden-state view of a big model (issue 13, item 6):
// discrete_ua on lstm has ~84 layers; they fold into blocks of collapsed
// rows with a filter, and "show all" draws heatmaps only as they scroll near.
// Run: node --test --test-concurrency=1 tests/web/page-*.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, waitForRun } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('discrete_ua on lstm: layers fold, filter and draw lazily', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  await page.selectOption('#examples', 'discrete_ua');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.selectOption('#target', 'lstm');
  count = await waitForRun(page, { after: count, timeout: 240000 });
  const rows = page.locator('#hidden details.layer-row');
  const layers = await rows.count();
  assert.ok(layers > 40, `lstm's discrete_ua has many layers (${layers})`);
  assert.equal(await page.locator('#hidden .layer-plot').count(), 0, 'folded: no heatmap drawn yet');
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height < 12000, `the page stays readable: ${height} px (35,708 px before)`);
  // The filter: a layer's number picks that layer.
  await page.fill('#layer-filter', '40');
  assert.equal(await page.locator('#hidden details.layer-row:visible').count(), 1);
  assert.match(await page.textContent('#layer-filter-count'), /^1 of \d+ layers$/);
  // Opening it draws its heatmap.
  await page.click('#hidden details.layer-row[data-layer="40"] > summary');
  await page.waitForSelector('#hidden details.layer-row[data-layer="40"] canvas');
  await page.fill('#layer-filter', '');
  // Show all: every row opens, but heatmaps are drawn as they come near.
  await page.click('#layers-show-all');
  assert.equal(await page.locator('#hidden details.layer-row[open]').count(), layers);
  const drawnAtTop = await page.locator("#hidden .layer-plot").count();
  assert.ok(drawnAtTop < layers / 2, `not every heatmap is drawn at once (${drawnAtTop} of ${layers})`);
  const lastRow = page.locator(`#hidden details.layer-row[data-layer="${layers - 1}"]`);
  await lastRow.scrollIntoViewIfNeeded();
  await page.waitForSelector(`#hidden details.layer-row[data-layer="${layers - 1}"] .layer-plot`, { timeout: 10000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
