// Browser tests of the page's model cache and Cancel (issue 13, "What to
// build" 2): compiled models are kept by program and options, so switching
// back costs no compile; Cancel stops a job between worker calls and keeps
// the worker with its models; a new mu recompiles the model but reuses what
// does not depend on it (f at the plot's points, the prompts).
// Run: node --test --test-concurrency=1 tests/web/page-cache.test.mjs (after bash scripts/build-site.sh)

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

// Counts the page's calls into the engine, by method, from now on.
async function countCalls(page) {
  await page.evaluate(() => {
    window.__calls = {};
    const client = window.lsrlPlayground.client;
    if (client.__counted) return;
    client.__counted = true;
    for (const method of ['compile', 'run', 'parseTokens', 'continuousPrompt', 'evaluateFunction', 'encodeText', 'dictionaryPrompt']) {
      const original = client[method].bind(client);
      client[method] = (...args) => {
        window.__calls[method] = (window.__calls[method] || 0) + 1;
        return original(...args);
      };
    }
  });
}
const calls = (page) => page.evaluate(() => ({ ...window.__calls }));
const resetCalls = (page) => page.evaluate(() => { window.__calls = {}; });

test('switching back to a target compiled before needs no compile', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  const first = await outputRows(page);
  await countCalls(page);
  await page.selectOption('#target', 'gru');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  await page.selectOption('#target', 'linear-rnn');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  await resetCalls(page);
  await page.selectOption('#target', 'gru');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  await page.selectOption('#target', 'gated-linear-rnn');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  assert.equal((await calls(page)).compile || 0, 0, 'both models came from the cache');
  assert.deepEqual(await outputRows(page), first);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Cancel during the approximation keeps the worker and its models; a new mu reuses f and the prompts', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  await page.selectOption('#examples', 'continuous_ua');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  await countCalls(page);
  // 40 cells per axis: 1,601 tokens per query, 144 queries: long enough to cancel midway.
  await page.fill('#prompt-cells', '40');
  await page.waitForFunction(() => /ran \d+ of 144 queries/.test(document.getElementById('approx-status')?.textContent || ''), null, { timeout: 120000 });
  const worker = await page.evaluate(() => { window.__worker = window.lsrlPlayground.client._worker; return true; });
  assert.ok(worker);
  await page.click('#cancel');
  await page.waitForFunction(() => document.body.dataset.status === 'cancelled' && /^cancelled;/.test(document.getElementById('status').textContent), null, { timeout: 10000 });
  assert.equal(await page.evaluate(() => window.lsrlPlayground.client._worker === window.__worker), true, 'the worker was kept');
  assert.equal(await page.getAttribute('#approx', 'data-complete'), 'false', 'the plot was not finished');
  // Back to 6 cells: the model compiled before the cancel is still there.
  await resetCalls(page);
  await page.fill('#prompt-cells', '6');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  assert.equal((await calls(page)).compile || 0, 0, `no compile after the cancel: ${JSON.stringify(await calls(page))}`);
  // A new mu: a new model, but f at the plot's points and every prompt are reused.
  await resetCalls(page);
  const mu = page.locator('#params input[data-param="mu"]');
  await mu.fill('2000');
  await mu.press('Enter');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  const after = await calls(page);
  assert.ok((after.compile || 0) >= 1, `mu changes the model: ${JSON.stringify(after)}`);
  assert.equal(after.evaluateFunction || 0, 0, `f is not evaluated again: ${JSON.stringify(after)}`);
  assert.equal(after.continuousPrompt || 0, 0, `no prompt is built again: ${JSON.stringify(after)}`);
  assert.ok((after.run || 0) >= 145, 'the model runs the main prompt and the 144 queries');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
