// Browser tests of the resizable panes (issue 13, "What to build" 4): the
// splitter between the program and the outputs columns and the editor's
// height handle move with a pointer and with the keyboard alone, say their
// value to assistive tech, and keep the sizes across a reload.
// Run: node --test --test-concurrency=1 tests/web/page-panes.test.mjs (after bash scripts/build-site.sh)

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

const widths = (page) => page.evaluate(() => ({
  left: document.querySelector('main.layout > .column.left').getBoundingClientRect().width,
  right: document.querySelector('main.layout > .column.right').getBoundingClientRect().width,
  editor: document.querySelector('#editor .cm-editor').getBoundingClientRect().height,
}));

test('the columns and the editor resize with the keyboard and a pointer, and keep their sizes', async () => {
  const page = await openPage(browser, server.url, { viewport: { width: 1400, height: 900 } });
  await waitForRun(page);
  const splitter = page.locator('#column-splitter');
  assert.equal(await splitter.getAttribute('role'), 'separator');
  assert.equal(await splitter.getAttribute('aria-orientation'), 'vertical');
  const start = await widths(page);
  const value = async () => Number(await splitter.getAttribute('aria-valuenow'));
  const v0 = await value();
  // The keyboard: focus it (Tab reaches it), arrows move it.
  await splitter.focus();
  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowRight');
  assert.equal(await value(), v0 + 10);
  let now = await widths(page);
  assert.ok(now.left > start.left + 100 && now.right < start.right - 100, `wider program column: ${JSON.stringify([start, now])}`);
  await page.keyboard.press('Home');
  assert.equal(await value(), 25);
  now = await widths(page);
  assert.ok(now.left < start.left - 200, 'Home: the narrowest program column');
  await page.keyboard.press('Enter');
  assert.equal(await value(), v0, 'Enter resets');
  // A pointer drags it.
  const box = await splitter.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 280, box.y + 40, { steps: 5 });
  await page.mouse.up();
  now = await widths(page);
  assert.ok(Math.abs(now.left - (start.left - 280)) < 40, `dragged 280 px left: ${start.left} -> ${now.left}`);
  const dragged = await value();
  // The editor's height: the handle under it.
  const handle = page.locator('#editor-splitter');
  assert.equal(await handle.getAttribute('aria-orientation'), 'horizontal');
  await handle.focus();
  await page.keyboard.press('Shift+ArrowDown');
  now = await widths(page);
  assert.ok(Math.abs(now.editor - (start.editor + 120)) < 4, `editor 120 px taller: ${start.editor} -> ${now.editor}`);
  // A reload keeps both.
  await page.reload();
  await waitForRun(page);
  assert.equal(await value(), dragged);
  const reloaded = await widths(page);
  assert.ok(Math.abs(reloaded.left - now.left) < 2 && Math.abs(reloaded.editor - now.editor) < 2, JSON.stringify([now, reloaded]));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('at 390 px the column splitter is gone (one column) and the editor handle stays', async () => {
  const page = await openPage(browser, server.url, { viewport: { width: 390, height: 844 } });
  await waitForRun(page);
  assert.equal(await page.isVisible('#column-splitter'), false);
  assert.equal(await page.isVisible('#editor-splitter'), true);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
