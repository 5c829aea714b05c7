// Browser tests of the noise lab (issue 12, item 3: the paper's Fig. 4 in the
// page): on discrete_ua and continuous_ua a small sweep runs in the worker
// form by form, sigma = 0 measures 0 for every form, sigma = 1e-3 breaks the
// ReLU-based forms, the plot has one median line per form, and the table's
// numbers are the ones `lsrlc noise --json` prints for the same sigmas,
// trials, seed and target (build/lsrlc, or $LSRLC). Also: linear-rnn leaves
// the multiplicative forms out and says so, Cancel stops a sweep between two
// forms, the CSV holds every row, the main thread is never blocked for more
// than 100 ms, and axe-core finds nothing serious in the card in either theme.
// Run: node --test --test-concurrency=1 tests/web/noise-lab.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, openPage, waitForRun, repoDir, artifactsDir } from './helpers.mjs';
import { formatNumber } from '../../web/src/ui/dom.js';

const LSRLC = process.env.LSRLC || path.join(repoDir, 'build', 'lsrlc');
const RELU_FORMS = ['original', 'optimized', 'step'];
const ALL_FORMS = ['original', 'optimized', 'step', 'multiplicative', 'multiplicative_optimized'];

let server;
let browser;
let axeSource;

before(async () => {
  assert.ok(fs.existsSync(LSRLC), `${LSRLC} is missing: build lsrlc first (bash scripts/build-site.sh --engine-only)`);
  server = await startServer();
  browser = await launchBrowser();
  axeSource = await readFile(path.join(repoDir, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// What `lsrlc noise` prints for the example's own prompt and params.
function cliSweep(example, { sigmas, trials, seed, target }) {
  const out = execFileSync(LSRLC, ['noise', path.join('examples', `${example}.lsrl`), '--target', target,
    '--sigmas', sigmas.join(','), '--trials', String(trials), '--seed', String(seed), '--json'],
  { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000 });
  return JSON.parse(out);
}

async function openExample(name, { colorScheme = 'light' } = {}) {
  const page = await openPage(browser, null);
  if (colorScheme !== 'light') await page.emulateMedia({ colorScheme });
  await page.goto(server.url);
  const count = await waitForRun(page);
  await page.selectOption('#examples', name);
  await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#noise-lab-section:not([hidden])', { timeout: 10000 });
  // Long tasks on the main thread (the sweep itself runs in the worker), and
  // every progress line the card shows.
  await page.evaluate(() => {
    window.noiseLongTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.noiseLongTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
    window.noiseProgress = [];
    const status = document.getElementById('noise-status');
    new MutationObserver(() => window.noiseProgress.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
  });
  return page;
}

async function runSweep(page, { sigmas, trials, seed, target }, { timeout = 600000 } = {}) {
  await page.fill('#noise-sigmas', sigmas.join(', '));
  await page.fill('#noise-trials', String(trials));
  await page.fill('#noise-seed', String(seed));
  await page.selectOption('#noise-target', target);
  await page.evaluate(() => { window.noiseLongTasks.length = 0; });
  await page.click('#noise-run');
  await page.waitForSelector('#noise-lab[data-complete="true"]', { timeout });
}

// The table: form -> sigma -> values by trial (from each cell's data), and
// the text shown.
async function tableOf(page) {
  return page.$$eval('#noise-table tbody tr', (rows) => rows.map((tr) => ({
    form: tr.dataset.form,
    cells: [...tr.querySelectorAll('td')].map((td) => ({ sigma: Number(td.dataset.sigma), values: JSON.parse(td.dataset.values), text: td.textContent })),
  })));
}

function cellOf(table, form, sigma) {
  const row = table.find((r) => r.form === form);
  assert.ok(row, `the table has a row for ${form}`);
  const cell = row.cells.find((c) => c.sigma === sigma);
  assert.ok(cell, `the table has ${form} at sigma ${sigma}`);
  return cell;
}

function close(a, b) {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

// The plot: one median line per form, every trial a point.
async function plotOf(page) {
  return page.$eval('#noise-plot', (plot) => ({
    lines: [...plot.querySelectorAll('path.noise-median')].map((p) => ({ form: p.dataset.form, d: p.getAttribute('d') })),
    points: plot.querySelectorAll('.noise-marker').length,
    ticks: [...plot.querySelectorAll('.noise-tick.x')].map((t) => t.textContent),
    legend: [...document.querySelectorAll('.noise-legend li')].map((li) => li.textContent),
  }));
}

async function shootCard(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.locator('#noise-lab-section').screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}

async function axeOnCard(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document.getElementById('noise-lab-section'), {
      resultTypes: ['violations'], rules: { 'target-size': { enabled: true } },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

function compareWithCli(table, cli, { exact }) {
  let compared = 0;
  for (const r of cli.rows) {
    const cell = cellOf(table, r.form, r.sigma);
    const got = cell.values[r.trial];
    assert.ok(exact ? got === r.value : close(got, r.value), `${r.form} at sigma ${r.sigma}, trial ${r.trial}: the page has ${got}, lsrlc noise ${r.value}`);
    compared += 1;
  }
  return compared;
}

// The CLI's cell text: the median over trials and [min, max] (one trial: the value).
function cellText(cli, form, sigma) {
  const values = cli.rows.filter((r) => r.form === form && r.sigma === sigma).sort((a, b) => a.trial - b.trial).map((r) => r.value);
  const shown = (v) => (v === null || v === Infinity ? 'not finite' : formatNumber(v));
  if (values.length === 1) return shown(values[0]);
  const nums = values.map((v) => (v === null ? Infinity : v)).sort((a, b) => a - b);
  const n = nums.length;
  const med = n % 2 ? nums[(n - 1) / 2] : (nums[n / 2 - 1] === nums[n / 2] ? nums[n / 2] : (nums[n / 2 - 1] + nums[n / 2]) / 2);
  return `${shown(med)} [${shown(nums[0])}, ${shown(nums[n - 1])}]`;
}

// sigma = 1e-9 is where the multiplicative forms' trials differ (docs/experiments.md),
// so the comparison with the CLI tells the seeds apart.
test('discrete_ua: wrong tokens per form, as lsrlc noise counts them, drawn one line per form', async () => {
  const settings = { sigmas: [0, 1e-9, 1e-3], trials: 2, seed: 0, target: 'gated-linear-rnn' };
  const cli = cliSweep('discrete_ua', settings);
  assert.equal(cli.measure, 'wrong_tokens');
  const page = await openExample('discrete_ua');
  const about = await page.textContent('#noise-lab-section');
  assert.match(about, /fixed ones the compiler made/);
  assert.match(about, /nothing is tuned to the prompt/);
  assert.match(about, /docs\/experiments\.md/);
  await runSweep(page, settings);
  const progress = await page.evaluate(() => window.noiseProgress);
  for (let i = 1; i <= ALL_FORMS.length; i++) {
    assert.ok(progress.some((p) => p.includes(`form ${i} of ${ALL_FORMS.length}`)), `progress shows form ${i} of ${ALL_FORMS.length}: ${progress.join(' | ')}`);
  }
  assert.match(await page.textContent('#noise-measure'), new RegExp(`out of ${cli.out_of}`));
  const table = await tableOf(page);
  assert.deepEqual(table.map((r) => r.form), ALL_FORMS, 'one table row per form, in the program\'s order');
  for (const form of ALL_FORMS) {
    assert.deepEqual(cellOf(table, form, 0).values, [0, 0], `${form}: no wrong token without noise`);
    assert.equal(cellOf(table, form, 0).text, '0 [0, 0]');
  }
  for (const form of RELU_FORMS) {
    assert.ok(cellOf(table, form, 1e-3).values.every((v) => v > 0), `${form}: sigma 1e-3 gives wrong tokens`);
  }
  assert.equal(compareWithCli(table, cli, { exact: true }), ALL_FORMS.length * 3 * 2);
  for (const form of ALL_FORMS) {
    for (const sigma of settings.sigmas) assert.equal(cellOf(table, form, sigma).text, cellText(cli, form, sigma), 'the shown numbers are the CLI\'s');
  }
  const plot = await plotOf(page);
  assert.deepEqual(plot.lines.map((l) => l.form), ALL_FORMS, 'one median line per form');
  for (const line of plot.lines) assert.match(line.d, /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){2}$/, `${line.form}: a line through the three sigmas`);
  assert.equal(plot.points, ALL_FORMS.length * 3 * 2, 'every trial is a point');
  assert.deepEqual(plot.ticks, ['0', '1e-9', '1e-8', '1e-7', '1e-6', '1e-5', '1e-4', '1e-3'], 'sigma 0 has its own tick, left of the decades');
  assert.deepEqual(plot.legend, ALL_FORMS);
  // The CSV: a header and one line per form, sigma and trial.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-noise-csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'form,sigma,trial,wrong_tokens');
  assert.equal(csv.length, 1 + cli.rows.length);
  for (const r of cli.rows) assert.ok(csv.includes(`${r.form},${r.sigma},${r.trial},${r.value}`), `the CSV has ${r.form} ${r.sigma} ${r.trial}`);
  const longTasks = await page.evaluate(() => window.noiseLongTasks);
  assert.ok(longTasks.every((ms) => ms <= 100), `no main-thread task over 100 ms during the sweep: ${longTasks.join(', ')}`);
  await shootCard(page, 'noise-lab-discrete-ua');
  assert.deepEqual(await axeOnCard(page), [], 'axe-core on the card (light)');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('continuous_ua: the max error per form, 0 without noise, as lsrlc noise measures it', async () => {
  const settings = { sigmas: [0, 1e-3], trials: 1, seed: 0, target: 'gated-linear-rnn' };
  const cli = cliSweep('continuous_ua', settings);
  assert.equal(cli.measure, 'max_error');
  const page = await openExample('continuous_ua');
  await page.waitForSelector('#approx[data-complete="true"]', { timeout: 120000 });
  await runSweep(page, settings);
  assert.match(await page.textContent('#noise-measure'), /largest \|noisy − noise-free\|/);
  const table = await tableOf(page);
  assert.deepEqual(table.map((r) => r.form), ALL_FORMS);
  for (const form of ALL_FORMS) {
    assert.equal(cellOf(table, form, 0).values[0], 0, `${form}: error 0 without noise`);
    const noisy = cellOf(table, form, 1e-3).values[0];
    assert.ok(noisy === null || noisy > 0, `${form}: sigma 1e-3 moves the answer (${noisy})`);
  }
  assert.equal(compareWithCli(table, cli, { exact: true }), ALL_FORMS.length * 2);
  for (const r of cli.rows) assert.equal(cellOf(table, r.form, r.sigma).text, cellText(cli, r.form, r.sigma));
  const plot = await plotOf(page);
  assert.deepEqual(plot.lines.map((l) => l.form), ALL_FORMS);
  // The y axis is logarithmic, with 0 at its own tick at the bottom.
  const yTicks = await page.$$eval('#noise-plot .noise-tick.y', (ticks) => ticks.map((t) => t.textContent));
  assert.equal(yTicks[0], '0');
  assert.ok(yTicks.slice(1).every((t) => /^1e-?\d+$/.test(t) || t === 'not finite' || t === ''), `decade ticks: ${yTicks.join(' ')}`);
  const longTasks = await page.evaluate(() => window.noiseLongTasks);
  assert.ok(longTasks.every((ms) => ms <= 100), `no main-thread task over 100 ms during the sweep: ${longTasks.join(', ')}`);
  await shootCard(page, 'noise-lab-continuous-ua');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('linear-rnn leaves the multiplicative forms out and says so; the card passes axe-core in dark mode', async () => {
  const settings = { sigmas: [0], trials: 1, seed: 3, target: 'linear-rnn' };
  const page = await openExample('discrete_ua', { colorScheme: 'dark' });
  await runSweep(page, settings);
  const table = await tableOf(page);
  assert.deepEqual(table.map((r) => r.form), RELU_FORMS);
  const leftOut = await page.textContent('#noise-left-out');
  assert.match(leftOut, /multiplicative\b/);
  assert.match(leftOut, /multiplicative_optimized/);
  const cli = cliSweep('discrete_ua', settings);
  assert.deepEqual([...new Set(cli.rows.map((r) => r.form))], RELU_FORMS);
  for (const left of cli.left_out) assert.ok(leftOut.includes(left.message), `the page gives the compiler's reason for ${left.form}: ${left.message}`);
  compareWithCli(table, cli, { exact: true });
  await shootCard(page, 'noise-lab-linear-rnn-dark');
  assert.deepEqual(await axeOnCard(page), [], 'axe-core on the card (dark)');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Cancel stops a sweep between two forms; the forms done stay, and a new sweep runs', async () => {
  const page = await openExample('discrete_ua');
  await page.fill('#noise-sigmas', '0, 1e-9, 1e-7, 1e-5, 1e-3');
  // 20 trials: several seconds a sweep, so Cancel lands well before its end.
  await page.fill('#noise-trials', '20');
  await page.click('#noise-run');
  await page.waitForFunction(() => /form 2 of 5/.test(document.getElementById('noise-status').textContent), null, { timeout: 300000 });
  await page.click('#cancel');
  await page.waitForFunction(() => document.body.dataset.status === 'cancelled' && /^cancelled/.test(document.getElementById('status').textContent), null, { timeout: 30000 });
  await page.waitForFunction(() => /stopped/.test(document.getElementById('noise-status').textContent), null, { timeout: 30000 });
  assert.equal(await page.getAttribute('#noise-lab', 'data-complete'), 'false');
  assert.equal(await page.isEnabled('#noise-run'), true, 'Run sweep is back');
  await runSweep(page, { sigmas: [0], trials: 1, seed: 0, target: 'gated-linear-rnn' });
  assert.equal((await tableOf(page)).length, ALL_FORMS.length);
  assert.equal(await page.isHidden('#noise-stale'), true);
  // An edit of the program keeps the numbers but marks them as of the old one.
  const count = await page.evaluate(() => Number(document.body.dataset.runCount));
  await page.evaluate(() => {
    const view = window.lsrlPlayground.editor.view;
    view.dispatch({ changes: { from: 0, insert: '# my edit\n' }, userEvent: 'input.type' });
  });
  await waitForRun(page, { after: count, timeout: 120000 });
  assert.equal(await page.isVisible('#noise-stale'), true, 'the sweep is marked as of the program before the edit');
  assert.equal(await page.getAttribute('#noise-results', 'data-stale'), 'true');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a bad sigma list is refused with a message, and the card is hidden for a token prompt', async () => {
  const page = await openExample('discrete_ua');
  await page.fill('#noise-sigmas', '0, -1e-3');
  await page.click('#noise-run');
  assert.match(await page.textContent('#noise-error'), /not a standard deviation/);
  assert.equal(await page.getAttribute('#noise-sigmas', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#noise-lab', 'data-complete'), null, 'nothing ran');
  const count = await page.evaluate(() => Number(document.body.dataset.runCount));
  await page.selectOption('#examples', 'more_ones');
  await waitForRun(page, { after: count, timeout: 60000 });
  assert.equal(await page.isHidden('#noise-lab-section'), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
