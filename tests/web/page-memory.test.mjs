// Browser test of the engine's memory ceiling (issue 11, "What to build" 2):
// the WebAssembly module may grow to 2 GB (wasm/CMakeLists.txt); an
// operation that needs more than is left gets a clear message, the worker is
// replaced (its memory freed), the program stays in the editor and the page
// keeps working.
// Run: node --test --test-concurrency=1 tests/web/page-memory.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, waitForRun, outputRows } from './helpers.mjs';

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

test('running out of the engine\'s memory says so, replaces the worker and leaves the page usable', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page, { timeout: 60000 });
  const expected = await outputRows(page);
  // The test hook fills the module's memory up to its ceiling, leaving less
  // than 64 KB: compiling discrete_ua then needs more than there is.
  const filled = await page.evaluate(() => window.lsrlPlayground.client._call('testExhaustMemory', { leaveBytes: 64 << 10 }));
  assert.ok(filled.heapBytes >= 2 ** 31 - (64 << 20), `the module grew to its 2 GB ceiling: ${filled.heapBytes} bytes`);
  const workerBefore = await page.evaluate(() => window.lsrlPlayground.client._worker);
  await page.selectOption('#examples', 'discrete_ua');
  await page.waitForFunction(() => document.body.dataset.status === 'error', null, { timeout: 120000 });
  const status = await page.textContent('#status');
  assert.match(status, /out of memory/, status);
  assert.match(status, /restarted/, status);
  assert.equal(await page.evaluate(() => window.lsrlPlayground.client.restarts), 1, 'the worker was replaced once');
  assert.ok(await page.evaluate((w) => window.lsrlPlayground.client._worker !== w, workerBefore), 'by a new worker');
  assert.match(await page.evaluate(() => window.lsrlPlayground.editor.source), /discrete|lookup|vocab/i, 'the program stays in the editor');
  // The page is usable: the fresh engine compiles and runs the same program
  // (Ctrl+Enter), and the earlier example gives its outputs again.
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+Enter');
  count = await waitForRun(page, { after: count, timeout: 180000 });
  assert.equal(await page.textContent('#answer-text'), 'OTT');
  await page.selectOption('#examples', 'more_ones');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  assert.deepEqual(await outputRows(page), expected);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
