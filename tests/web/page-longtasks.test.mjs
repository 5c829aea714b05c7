// Browser tests that the page never blocks (issue 13, "What it must show"):
// a PerformanceObserver ('longtask') watches the main thread while the test
// drives a 100,001-token prompt, a 3,000-line program with its graph drawn,
// and continuous_ua with 100 x 100 cells and its approximation plot; no task
// may take over 100 ms and nothing may throw.
// Run: node --test --test-concurrency=1 tests/web/page-longtasks.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, openPage, waitForRun, setEditorText, drawGraphs,
} from './helpers.mjs';

let server;
let browser;

// The budget of the issue: a task over 100 ms is a visible freeze.
const LONG_TASK_MS = 100;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// A page whose main-thread tasks over 50 ms are recorded from the start
// (the observer is installed before any of the page's scripts run).
async function watchedPage() {
  const page = await openPage(browser, null);
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__longTasks.push({ start: Math.round(entry.startTime), duration: Math.round(entry.duration) });
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(server.url);
  return page;
}

// Tasks over the budget since `since` (performance.now() of the page).
async function longTasksSince(page, since) {
  return page.evaluate(({ since: t, limit }) => window.__longTasks.filter((e) => e.start >= t && e.duration > limit),
    { since, limit: LONG_TASK_MS });
}

const now = (page) => page.evaluate(() => performance.now());

// Runs a scenario (a function of a fresh page that returns the page's long
// tasks); on a machine shared with other work a task can be stretched past
// the budget by the scheduler alone, so a scenario that shows long tasks runs
// once more in a new page, and only tasks that come back fail the test: a
// real long task (the 1.2 s graph layout this test found) shows every time.
async function withoutLongTasks(scenario) {
  const first = await scenario();
  if (first.length === 0) return;
  console.log(`long tasks on the first try (retrying once): ${JSON.stringify(first)}`);
  assert.deepEqual(await scenario(), [], 'main-thread tasks over 100 ms, on two tries');
}

// Lets the last frames and idle callbacks (lazy drawings) run before counting.
async function settle(page, ms = 1500) {
  await page.waitForTimeout(ms);
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

test('a 100,001-token prompt runs or says its limit with no main-thread task over 100 ms', () => withoutLongTasks(async () => {
  const page = await watchedPage();
  let count = await waitForRun(page, { timeout: 60000 });
  const since = await now(page);
  await page.fill('#prompt-text', '1 '.repeat(100_001));
  await page.waitForFunction((n) => document.body.dataset.status === 'error'
    || (document.body.dataset.status === 'ok' && Number(document.body.dataset.runCount) > n), count, { timeout: 180000 });
  const status = await page.textContent('#status');
  if (await page.evaluate(() => document.body.dataset.status) === 'error') {
    assert.match(status, /100001 tokens/, `the limit is stated: ${status}`);
    assert.match(status, /max_length/, `and how to raise it: ${status}`);
  } else {
    count = await waitForRun(page, { after: count });
    assert.match(await page.textContent('#outputs'), /100001 steps/);
  }
  await settle(page);
  const long = await longTasksSince(page, since);
  assert.deepEqual(page.errors, []);
  await page.context().close();
  return long;
}));

test('a 3,000-line program shows its graph with no main-thread task over 100 ms', () => withoutLongTasks(async () => {
  const page = await watchedPage();
  let count = await waitForRun(page, { timeout: 60000 });
  const lines = ['x = Input(dim=1)', 'y = x'];
  for (let i = 0; i < 3000; i += 1) lines.push('y = y + x');
  lines.push('return y');
  await page.selectOption('#target', 'dag');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  const since = await now(page);
  await setEditorText(page, lines.join('\n'));
  count = await waitForRun(page, { after: count, timeout: 240000 });
  await drawGraphs(page, 120000);
  assert.ok(await page.locator('#program-graph svg g.node').count() > 0, 'the graph is drawn');
  // The whole graph too, one click away.
  const toggle = page.locator('#graphs button', { hasText: /draw all/ });
  if (await toggle.count()) {
    await toggle.click();
    await drawGraphs(page, 120000);
  }
  // Scroll through the page (lazy views draw as they come near).
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await settle(page);
  assert.equal(await page.locator('#program-graph .graph-error').count(), 0);
  const long = await longTasksSince(page, since);
  assert.deepEqual(page.errors, []);
  await page.context().close();
  return long;
}));

test('continuous_ua with 100 x 100 cells draws its approximation with no main-thread task over 100 ms', () => withoutLongTasks(async () => {
  const page = await watchedPage();
  let count = await waitForRun(page, { timeout: 60000 });
  await page.selectOption('#examples', 'continuous_ua');
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  // 100 x 100 cells and the query: a prompt of 10,001 tokens, so the model
  // is built for that length (the default is 4096).
  const source = await page.evaluate(() => window.lsrlPlayground.editor.source);
  await setEditorText(page, source.replace('Input(dim=', 'Input(max_length=10001, dim='));
  count = await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  const since = await now(page);
  await page.fill('#prompt-cells', '100');
  await page.waitForFunction((n) => document.body.dataset.status === 'error'
    || (document.body.dataset.status === 'ok' && Number(document.body.dataset.runCount) > n), count, { timeout: 600000 });
  const status = await page.textContent('#status');
  assert.equal(await page.evaluate(() => document.body.dataset.status), 'ok', status);
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 600000 });
  assert.match(await page.textContent('#outputs'), /10001 steps/);
  await settle(page);
  const long = await longTasksSince(page, since);
  assert.deepEqual(page.errors, []);
  await page.context().close();
  return long;
}));
