// Browser tests of the conventions playground users expect: Ctrl/Cmd+Enter
// runs, Escape then Tab leaves the editor (and the page says so), dark mode
// that follows the system with a toggle, zoom/pan/fit and SVG download of
// graphs, one step cursor across the outputs, the trace and every heatmap,
// CSV and JSON downloads, an address that follows the state and a Share that
// says "copied", and axes and legends with ticks on every plot.
// Run: node --test --test-concurrency=1 tests/web/page-conventions.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launchBrowser, openPage, waitForRun, drawGraphs, outputRows } from './helpers.mjs';

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

const editorSource = (page) => page.evaluate(() => window.lsrlPlayground.editor.source);
const inEditor = (page) => page.evaluate(() => !!document.activeElement?.closest('#editor'));

async function downloadText(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click(selector)]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

test('Ctrl+Enter runs at once from the editor and the prompt, without typing a line', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  const before = await editorSource(page);
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+Enter');
  count = await waitForRun(page, { after: count });
  assert.equal(await editorSource(page), before, 'no blank line inserted');
  await page.click('#prompt-text');
  await page.keyboard.press('Control+Enter');
  await waitForRun(page, { after: count });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Tab indents in the editor; Escape then Tab leaves it, and the page says so', async () => {
  const page = await openPage(browser, server.url);
  await waitForRun(page);
  assert.match(await page.textContent('#editor-keys'), /Esc, then Tab/);
  await page.click('#editor .cm-content');
  const before = await editorSource(page);
  await page.keyboard.press('Tab');
  assert.notEqual(await editorSource(page), before, 'Tab indents');
  assert.equal(await inEditor(page), true);
  await page.keyboard.press('Escape');
  assert.match(await page.textContent('#editor-keys'), /Tab now moves the focus out of the editor/);
  const text = await editorSource(page);
  await page.keyboard.press('Tab');
  assert.equal(await inEditor(page), false, 'the focus left the editor');
  assert.equal(await editorSource(page), text, 'that Tab did not indent');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

const bodyLuminance = (page) => page.evaluate(() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
});

test('dark mode follows the system, and the theme button pins light or dark across a reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForRun(page);
  assert.ok(await bodyLuminance(page) < 0.2, 'a dark system gets a dark page');
  const editorBackground = await page.$eval('#editor .cm-editor', (e) => getComputedStyle(e).backgroundColor);
  assert.doesNotMatch(editorBackground, /255, 255, 255/, 'the editor is dark too');
  assert.match(await page.textContent('#theme-toggle'), /system/);
  await page.click('#theme-toggle');
  assert.match(await page.textContent('#theme-toggle'), /light/);
  assert.ok(await bodyLuminance(page) > 0.8, 'pinned light on a dark system');
  await page.reload();
  await waitForRun(page);
  assert.ok(await bodyLuminance(page) > 0.8, 'the choice survives a reload');
  await page.click('#theme-toggle');
  assert.match(await page.textContent('#theme-toggle'), /dark/);
  assert.ok(await bodyLuminance(page) < 0.2);
  await page.click('#theme-toggle');
  assert.match(await page.textContent('#theme-toggle'), /system/);
  await page.emulateMedia({ colorScheme: 'light' });
  assert.ok(await bodyLuminance(page) > 0.8, 'back to following the system');
  await context.close();
});

test('graphs zoom, pan and fit, and download as SVG', async () => {
  const page = await openPage(browser, server.url);
  await waitForRun(page);
  await drawGraphs(page);
  const host = page.locator('#program-graph');
  await host.scrollIntoViewIfNeeded();
  const width = () => page.$eval('#program-graph svg', (s) => Number(s.getAttribute('width')));
  const scale = async () => Number(await host.getAttribute('data-scale'));
  const natural = await width();
  assert.equal(await scale(), 1);
  await page.click('#program-graph-zoom-in');
  await page.click('#program-graph-zoom-in');
  assert.ok(Math.abs(await scale() - 1.5625) < 1e-3);
  assert.ok(await width() > natural * 1.5);
  // Dragging pans the zoomed drawing.
  const box = await host.boundingBox();
  const left = await host.evaluate((h) => h.scrollTop);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 120, { steps: 4 });
  await page.mouse.up();
  assert.ok(await host.evaluate((h) => h.scrollTop) > left, 'dragging up scrolls down');
  // Ctrl+wheel zooms out around the pointer; fit shows the whole drawing.
  await page.mouse.move(box.x + 40, box.y + 40);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, 300);
  await page.keyboard.up('Control');
  assert.ok(await scale() < 1.5625, 'Ctrl+wheel zoomed out');
  await page.click('#program-graph-fit');
  const fitted = await page.$eval('#program-graph', (h) => {
    const s = h.querySelector('svg');
    return { w: Number(s.getAttribute('width')), h: Number(s.getAttribute('height')), cw: h.clientWidth, mh: parseFloat(getComputedStyle(h).maxHeight) };
  });
  assert.ok(fitted.w <= fitted.cw && fitted.h <= fitted.mh, `fits: ${JSON.stringify(fitted)}`);
  // The keyboard: + zooms when the box has the focus.
  await host.focus();
  const beforeKey = await scale();
  await page.keyboard.press('+');
  assert.ok(await scale() > beforeKey);
  const file = await downloadText(page, '#program-graph-svg');
  assert.equal(file.name, 'program-graph.svg');
  assert.match(file.text, /^<\?xml[^]*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(file.text, /ctr1s/);
  assert.match(file.text, /<style>/, 'the file carries its styles');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('one step cursor: an output row, a trace column and a heatmap column move it everywhere', async () => {
  const page = await openPage(browser, server.url);
  await waitForRun(page);
  const state = () => page.evaluate(() => ({
    step: document.body.dataset.step,
    outputRows: [...document.querySelectorAll('#outputs-table tr.cursor')].map((r) => r.dataset.step),
    traceColumns: [...new Set([...document.querySelectorAll('#trace-table .cursor')].map((c) => c.dataset.step))],
    traceCells: document.querySelectorAll('#trace-table .cursor').length,
    traceRows: document.querySelectorAll('#trace-table tr').length,
    markers: [...document.querySelectorAll('#hidden .plot-marker')].map((m) => (m.hidden ? null : m.dataset.column)),
    box: document.getElementById('step-cursor')?.value,
  }));
  await page.click('#outputs-table tbody tr[data-step="3"]');
  let s = await state();
  assert.equal(s.step, '3');
  assert.deepEqual(s.outputRows, ['3']);
  assert.deepEqual(s.traceColumns, ['3']);
  assert.equal(s.traceCells, s.traceRows, 'the column is marked in every trace row');
  assert.ok(s.markers.length >= 2, 'a marker on each heatmap');
  assert.ok(s.markers.every((m) => m === '3'), `heatmap markers: ${s.markers}`);
  assert.equal(s.box, '3');
  // The trace table moves it.
  await page.click('#trace-table tbody td[data-step="6"] >> nth=0');
  s = await state();
  assert.deepEqual([s.step, s.outputRows[0], s.markers[0]], ['6', '6', '6']);
  // The keyboard on a heatmap: focus it, arrows walk the cells and read them out.
  const heatmap = page.locator('#hidden canvas.hidden-heatmap').first();
  await heatmap.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  s = await state();
  assert.equal(s.step, '1');
  assert.deepEqual(s.outputRows, ['1']);
  assert.match(await page.locator('#hidden .plot-readout').first().textContent(), /unit 0, step 1 · value /);
  // The step box and its buttons.
  await page.click('button[aria-label="next step"]');
  s = await state();
  assert.deepEqual([s.step, s.box, s.traceColumns[0]], ['2', '2', '2']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('outputs and trace download as CSV and JSON with the values on screen', async () => {
  const page = await openPage(browser, server.url);
  await waitForRun(page);
  const rows = await outputRows(page);
  const tokens = (await page.inputValue('#prompt-text')).split(/\s+/).filter(Boolean).map(Number);
  const csv = await downloadText(page, '#download-outputs-csv');
  assert.equal(csv.name, 'outputs.csv');
  const lines = csv.text.trim().split('\n');
  assert.equal(lines[0], 'step,input,output');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',').map(Number)), rows.map((r, i) => [i, tokens[i], r[0]]));
  const json = JSON.parse((await downloadText(page, '#download-outputs-json')).text);
  assert.equal(json.steps, rows.length);
  assert.deepEqual(json.outputs, rows);
  const traceCsv = await downloadText(page, '#download-trace-csv');
  const traceLines = traceCsv.text.trim().split('\n');
  assert.equal(traceLines.length, rows.length + 1);
  const header = traceLines[0].split(',');
  assert.ok(header.includes('ctr1s') && header.includes('ctr0s'), `trace columns: ${header}`);
  // ctr1s counts the ones so far.
  const ones = traceLines.slice(1).map((l) => Number(l.split(',')[header.indexOf('ctr1s')]));
  let seen = 0;
  assert.deepEqual(ones, tokens.map((t) => (seen += t === 1 ? 1 : 0)));
  const traceJson = JSON.parse((await downloadText(page, '#download-trace-json')).text);
  assert.equal(traceJson.steps, rows.length);
  assert.deepEqual(traceJson.series.find((x) => x.label === 'ctr1s').values, ones);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the address follows the state as it changes, and Share says the link is copied', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  await page.goto(server.url);
  let count = await waitForRun(page);
  await page.waitForFunction(() => /^#z=/.test(window.location.hash));
  const first = await page.evaluate(() => window.location.hash);
  await page.fill('#prompt-text', '0 0 0 1 1 1 1');
  count = await waitForRun(page, { after: count });
  await page.waitForFunction((h) => window.location.hash !== h && /^#z=/.test(window.location.hash), first);
  const address = await page.evaluate(() => window.location.href);
  // The address alone (a fresh context: no saved state) reproduces the view.
  const fresh = await openPage(browser, address);
  await waitForRun(fresh);
  assert.equal(await fresh.inputValue('#prompt-text'), '0 0 0 1 1 1 1');
  await fresh.context().close();
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share-note')?.textContent.includes('copied'));
  assert.equal(await page.textContent('#share'), 'Copied ✓');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.inputValue('#share-url'));
  await context.close();
});

test('every plot has axis labels and ticks, and every colour legend has ticks', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  const plots = () => page.$$eval('canvas.heatmap', (canvases) => canvases.map((c) => {
    const plot = c.closest('.plot');
    return {
      inPlot: !!plot,
      xLabel: plot?.querySelector('.plot-xlabel')?.textContent || '',
      xTicks: plot?.querySelectorAll('.plot-xticks .tick').length || 0,
      yLabel: plot?.querySelector('.plot-ylabel')?.textContent || '',
      yTicks: plot?.querySelectorAll('.plot-yticks .tick').length || 0,
    };
  }));
  const legends = () => page.$$eval('.legend', (list) => list.map((l) => l.querySelectorAll('.legend-ticks .tick').length));
  const hidden = await plots();
  assert.ok(hidden.length >= 2);
  for (const p of hidden) {
    assert.ok(p.inPlot && p.xTicks >= 2 && p.yTicks >= 1, JSON.stringify(p));
    assert.match(p.xLabel, /time step/);
    assert.match(p.yLabel, /unit/);
  }
  assert.ok((await legends()).every((n) => n >= 3));
  await page.selectOption('#examples', 'continuous_ua');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  const approx = (await plots()).filter((p) => /x1/.test(p.xLabel));
  assert.equal(approx.length, 3, 'target, model and error plots');
  for (const p of approx) assert.ok(p.xTicks >= 3 && p.yTicks >= 3 && /x2/.test(p.yLabel), JSON.stringify(p));
  const approxLegends = await page.$$eval('#approx .legend', (list) => list.map((l) => l.querySelectorAll('.legend-ticks .tick').length));
  assert.equal(approxLegends.length, 2);
  assert.ok(approxLegends.every((n) => n >= 3));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
