// Browser tests of the page's limits (issue 13, items 1 and 2): a long prompt
// runs or says its limit, a big program's graph is drawn without a page
// error and never leaves an older drawing on screen.
// Run: node --test --test-concurrency=1 tests/web/page-*.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  startServer, launchBrowser, openPage, waitForRun, setEditorText, drawGraphs,
} from './helpers.mjs';

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

// A model is built for prompts of at most T tokens (the program's max_length,
// 4096 by default, at most 65,536): a longer prompt is not silently emptied
// or cut, it is refused with the limit and the way to raise it.
test('a 100,001-token prompt (200,002 characters) is kept and refused with its limit', async () => {
  const page = await openPage(browser, server.url);
  await waitForRun(page, { timeout: 60000 });
  const tokens = 100_001;
  await page.fill('#prompt-text', '1 '.repeat(tokens));
  await page.waitForFunction(() => document.body.dataset.status === 'error', null, { timeout: 120000 });
  const said = `${await page.textContent('#status')} ${await page.textContent('body')}`;
  assert.match(said, /100001 tokens/, 'the message counts the prompt');
  assert.match(said, /4096/, 'the message names the limit');
  assert.match(said, /max_length/, 'the message says how to raise it');
  assert.doesNotMatch(await page.textContent('#status'), /empty/);
  assert.equal(await page.inputValue('#prompt-text').then((t) => t.length), 2 * tokens, 'the box keeps the prompt');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a prompt with a problem never leaves the count of an earlier prompt', async () => {
  const page = await openPage(browser, server.url);
  await waitForRun(page, { timeout: 60000 });
  assert.match(await page.textContent('#prompt-count'), /\d+ tokens?/);
  await page.fill('#prompt-text', '1 0 banana 1');
  await page.waitForFunction(() => document.body.dataset.status === 'error', null, { timeout: 30000 });
  const shown = await page.textContent('#prompt-count');
  assert.doesNotMatch(shown, /\d+ tokens?/, `the count under the box: ${shown}`);
  assert.match(shown, /not run/);
  await page.context().close();
});

test('a 3,000-line program draws its graph with no page error and no stale drawing', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page, { timeout: 60000 });
  // The dag target: the program's graph without compiling 3,000 debranching
  // steps (slow on a loaded machine, and not what this test is about).
  await page.selectOption('#target', 'dag');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  await drawGraphs(page);
  assert.ok(await page.locator('#program-graph svg g.node[data-id]').count() >= 4, 'more_ones is drawn first');
  assert.ok(await page.locator('#program-graph svg text', { hasText: 'ctr1s' }).count() >= 1);
  const lines = ['x = Input(dim=1)', 'y = x'];
  for (let i = 0; i < 3000; i += 1) lines.push('y = y + x');
  lines.push('return y');
  await setEditorText(page, lines.join('\n'));
  count = await waitForRun(page, { after: count, timeout: 180000 });
  // Straight after the run, before any new layout: the old drawing is gone.
  assert.equal(await page.locator('#program-graph svg text', { hasText: 'ctr1s' }).count(), 0,
    'more_ones\'s drawing does not stay under the new captions');
  await drawGraphs(page, 60000);
  const caption = await page.textContent('#graphs figcaption');
  assert.match(caption, /of \d{4,} nodes|\d{4,} nodes/, `caption names the big graph: ${caption}`);
  // The drawing has every node; only those near the view are in the DOM.
  const drawn = Number(await page.getAttribute('#program-graph svg', 'data-nodes'));
  assert.ok(drawn >= 3000, `the program graph has its nodes (${drawn})`);
  const inDom = await page.locator('#program-graph svg g.node').count();
  assert.ok(inDom > 0 && inDom < drawn / 2, `virtualised: ${inDom} of ${drawn} nodes in the DOM`);
  assert.equal(await page.locator('#program-graph .graph-error').count(), 0);
  // The full drawing (every node) is one click away, and draws too.
  const toggle = page.locator('#graphs button', { hasText: /draw all/ });
  if (await toggle.count()) {
    await toggle.click();
    await drawGraphs(page, 60000);
    assert.ok(Number(await page.getAttribute('#program-graph svg', 'data-nodes')) >= drawn);
  }
  // The y's on the final output's path are the output's ancestors: the
  // drawing's output node is there, at the end of the chain, drawn once the
  // box scrolls to it.
  await page.$eval('#program-graph', (host) => { host.scrollTop = host.scrollHeight; });
  await page.waitForSelector('#program-graph svg g.node.output', { timeout: 10000 });
  assert.equal(await page.locator('#program-graph svg g.node.output').count(), 1);
  // The SVG file has every node, not only those in the DOM.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.click('#program-graph-svg')]);
  const file = await readFile(await download.path(), 'utf8');
  const inFile = (file.match(/<g class="node /g) || []).length;
  assert.equal(inFile, Number(await page.getAttribute('#program-graph svg', 'data-nodes')), 'every node in the file');
  // The trace table holds its 3,000 variables a batch at a time: scrolling
  // near its end brings the next batch.
  const variables = Number(await page.getAttribute('#trace-table', 'data-variables'));
  assert.ok(variables >= 3000, `variables: ${variables}`);
  const shown = () => page.$$eval('#trace-table tbody tr', (rows) => rows.length);
  const first = await shown();
  assert.ok(first < variables / 4, `a first batch (${first} rows)`);
  await page.$eval('#trace .table-scroll', (box) => { box.scrollTop = box.scrollHeight; });
  await page.waitForFunction((n) => document.querySelectorAll('#trace-table tbody tr').length > n, first, { timeout: 10000 });
  await page.click('#trace-more');
  assert.ok(await shown() >= 3 * first, 'and the button brings one more');
  assert.deepEqual(page.errors, [], 'no uncaught error (the old layout overflowed the stack)');
  await page.context().close();
});
