// Browser tests of continuous_ua's approximation plot (issue 13, item 4): the
// error is measured at points off the prompt's cell centres and drawn as a map.
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

async function canvasCells(page, selector) {
  return page.$eval(`${selector} canvas`, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return { cells: canvas.width * canvas.height, colours: colours.size };
  });
}

// sin(3*x1)*x2: the model answers f at the centre of the query's prompt cell,
// so at a query inside a cell of side 1/12 its error is above 0 and at most
// |grad f| * (half-diagonal) <= sqrt(9 + 1) * sqrt(2) / 24 < 0.19. Centred
// queries with 12 (or 36) cells per axis read an error of exactly 0.
test('with 12 cells per axis the max error is measured off the cell centres and mapped', async () => {
  const page = await openPage(browser, server.url);
  let count = await waitForRun(page);
  await page.selectOption('#examples', 'continuous_ua');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.fill('#prompt-cells', '12');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  const maxError = Number(await page.getAttribute('#approx', 'data-max-error'));
  assert.ok(Number.isFinite(maxError), `max error is a number: ${maxError}`);
  assert.ok(maxError > 0.01, `the max error is not flattered by centred queries: ${maxError}`);
  assert.ok(maxError < 0.19, `and within the cell bound: ${maxError}`);
  const shown = await page.textContent('#approx-status');
  assert.match(shown, /off the cell centres/);
  const errorMap = await canvasCells(page, '#approx-error');
  assert.equal(errorMap.cells, 144, 'the error map is the 12 x 12 grid');
  assert.ok(errorMap.colours > 10, 'the error map varies');
  assert.ok(await page.locator('#approx-error-legend').count() === 1, 'the error map has its own legend');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
