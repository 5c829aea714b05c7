// Browser tests of the precision warning (issue 13, item 3): discrete_ua in
// f16 holds lam = 1e10, beyond f16's 65,504; the page says so next to the
// result instead of claiming bit-for-bit fidelity, and the decoded text stays
// inside its card.
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

test('discrete_ua in f16 names lam, the format and the fix; f64 has no warning', async () => {
  const page = await openPage(browser, server.url, { viewport: { width: 390, height: 844 } });
  let count = await waitForRun(page);
  await page.selectOption('#examples', 'discrete_ua');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  assert.equal(await page.locator('#precision-warning').count(), 0, 'no warning in f64');
  await page.selectOption('#precision', 'f16');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  const warning = await page.textContent('#precision-warning');
  assert.match(warning, /lam = 1e10 /, warning);
  assert.match(warning, /f16/);
  assert.match(warning, /65,504/);
  assert.match(warning, /f32 or f64/);
  const fidelity = await page.textContent('#fidelity');
  assert.doesNotMatch(fidelity, /^model = program/, `no fidelity claim: ${fidelity}`);
  // The decoded text wraps inside the outputs card at 390 px.
  const inside = await page.evaluate(() => {
    const text = document.getElementById('decoded-text').getBoundingClientRect();
    const card = document.getElementById('outputs').getBoundingClientRect();
    return text.right <= card.right + 0.5 && text.left >= card.left - 0.5;
  });
  assert.ok(inside, 'the decoded text stays inside its card');
  // In f32, 1e10 is in range: no warning.
  await page.selectOption('#precision', 'f32');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  assert.equal(await page.locator('#precision-warning').count(), 0, 'no warning in f32');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
