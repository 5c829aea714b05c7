// Browser tests of the param controls and the example reset (issue 13, item 7):
// lam = 1e10 reads whole in its box, sliders over [1e3, 1e15] are logarithmic,
// and after edits one control brings the example back.
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

test('discrete_ua: lam reads 1e10 uncut, and its slider is logarithmic', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  await page.selectOption('#examples', 'discrete_ua');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  const box = page.locator('#param-lam');
  assert.equal(await box.inputValue(), '1e10');
  const fits = await box.evaluate((e) => e.scrollWidth <= e.clientWidth);
  assert.ok(fits, 'the whole value is visible in the box');
  const slider = page.locator('input[data-param-slider="lam"]');
  assert.equal(await slider.getAttribute('data-scale'), 'log');
  // The slider's middle is the range's geometric middle: 1e9 in [1e3, 1e15].
  await slider.evaluate((e) => {
    e.value = String((Number(e.min) + Number(e.max)) / 2);
    e.dispatchEvent(new Event('input', { bubbles: true }));
  });
  assert.equal(await box.inputValue(), '1e9');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  // Typing a value moves the slider to its logarithm.
  await box.fill('1e12');
  assert.equal(Number(await slider.inputValue()), 12);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('after an edit, "reset to the example" brings back its program', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  const original = await page.evaluate(() => window.lsrlPlayground.editor.source);
  assert.equal(await page.isVisible('#reset-example'), false, 'no reset before an edit');
  await page.evaluate(() => {
    const view = window.lsrlPlayground.editor.view;
    view.dispatch({ changes: { from: 0, insert: '# my edit\n' }, userEvent: 'input.type' });
  });
  count = await waitForRun(page, { after: count });
  assert.equal(await page.isVisible('#edited-badge'), true);
  assert.equal(await page.isVisible('#reset-example'), true);
  await page.click('#reset-example');
  count = await waitForRun(page, { after: count });
  assert.equal(await page.evaluate(() => window.lsrlPlayground.editor.source), original);
  assert.equal(await page.isVisible('#edited-badge'), false);
  assert.equal(await page.isVisible('#reset-example'), false);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
