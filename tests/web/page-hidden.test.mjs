// Browser tests of the hidden-state view of a big model (issue 13, item 6):
// discrete_ua on lstm has ~84 layers; they fold into blocks of collapsed
// rows with a filter, and "show all" draws heatmaps only as they scroll near.
// Run: node --test --test-concurrency=1 tests/web/page-*.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, waitForRun, setEditorText, outputRows } from './helpers.mjs';

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
  // The summary folds its list of layer widths: a short line, the rest one click away.
  const widths = page.locator('#summary-table tr[data-key="layer widths"] details');
  assert.equal(await widths.count(), 1, 'the widths are folded');
  assert.equal(await widths.evaluate((d) => d.open), false);
  const line = await widths.locator('summary').textContent();
  assert.ok(line.length < 160 && /more\)$/.test(line), `a short folded line: ${line}`);
  const full = await widths.locator('div').textContent();
  const listed = full.split(', ').reduce((n, entry) => n + Number((entry.match(/×(\d+)$/) || [0, 1])[1]), 0);
  const layerCount = Number(await page.textContent('#summary-table tr[data-key="layers"] td'));
  assert.equal(listed, layerCount, `the full list accounts for every layer (${full.slice(0, 80)}…)`);
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

// 16 LinStates in a chain, each reading the ReLU of the one before: 17
// layers on linear-rnn, enough to fold, and quick to compile.
function chainProgram(links = 16) {
  const lines = ['x = Input(dim=1)', 's = x'];
  for (let i = 0; i < links; i += 1) lines.push('s = LinState(ReLU(s), A=[[0.5]], B=[[1]], init_state=[[0]])');
  lines.push('return s');
  return `${lines.join('\n')}\n`;
}

test('the step cursor shows on folded, closed and filtered-out layer rows', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  await page.selectOption('#target', 'linear-rnn');
  count = await waitForRun(page, { after: count });
  await setEditorText(page, chainProgram());
  await page.fill('#prompt-text', '1 2 3 4 5 6 7 8');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  const rows = page.locator('#hidden details.layer-row');
  const layers = await rows.count();
  assert.ok(layers > 12, `the chain folds (${layers} layers)`);
  assert.equal(await page.locator('#hidden details.layer-row[open]').count(), 0, 'every row closed');
  // The cursor moves from the outputs: every closed row names the step and
  // the layer's magnitude there; the last layer's state at step 5 is the
  // program's output at step 5.
  await page.click('#outputs-table tbody tr[data-step="5"]');
  const notes = await page.$$eval('#hidden details.layer-row > summary .row-cursor', (list) => list.map((n) => ({ step: n.dataset.step, text: n.textContent })));
  assert.equal(notes.length, layers);
  assert.ok(notes.every((n) => n.step === '5' && /step 5: \|.+\| ≤ [\d.e+-]+/.test(n.text)), JSON.stringify(notes.slice(0, 3)));
  const outputAt5 = (await outputRows(page))[5][0];
  const last = notes[layers - 1].text.match(/≤ (\S+)$/)[1];
  assert.equal(Number(last), Math.abs(outputAt5), `the last layer at step 5 holds the output ${outputAt5}`);
  // A closed block names the step too.
  await page.click('#hidden details.layer-block > summary >> nth=0');
  assert.match(await page.textContent('#hidden details.layer-block >> nth=0'), /▸ step 5/);
  // A row hidden by the filter follows the cursor while hidden; shown again
  // and opened, its heatmap marks the same step.
  await page.fill('#layer-filter', '1');
  await page.fill('#step-cursor', '2');
  await page.fill('#layer-filter', '');
  assert.match(await page.textContent(`#hidden details.layer-row[data-layer="${layers - 1}"] > summary`), /step 2:/);
  await page.click(`#hidden details.layer-row[data-layer="${layers - 1}"] > summary`);
  await page.waitForSelector(`#hidden details.layer-row[data-layer="${layers - 1}"] .plot-marker[data-column="2"]:not([hidden])`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
