// Browser tests of the playground: the real page (build/site) with the real
// WebAssembly engine in its worker, driven in headless Debian Chromium.
// Run: node --test tests/web/   (after bash scripts/build-site.sh)
// Screenshots go to test-artifacts/web/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  startServer, launchBrowser, openPage, waitForRun, waitForStatus, setEditorText, outputRows, screenshot, drawGraphs,
} from './helpers.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

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

// more_ones's meaning (paper Fig. 1): 1 while the tokens so far hold more
// ones than zeros.
function moreOnesExpected(tokens) {
  let ones = 0;
  let zeros = 0;
  return tokens.map((t) => {
    if (t === 1) ones += 1;
    else zeros += 1;
    return ones > zeros ? 1 : 0;
  });
}

async function promptTokens(page) {
  const text = await page.inputValue('#prompt-text');
  return text.split(/[\s;]+/).filter(Boolean).map(Number);
}

async function editorText(page) {
  return page.evaluate(() => window.lsrlPlayground.editor.source);
}

// Puts the cursor right after the first occurrence of `needle` in the editor
// and types `text` there, as a user would.
async function typeAfter(page, needle, text) {
  const found = await page.evaluate((n) => {
    const view = window.lsrlPlayground.editor.view;
    const at = view.state.doc.toString().indexOf(n);
    if (at < 0) return false;
    view.focus();
    view.dispatch({ selection: { anchor: at + n.length } });
    return true;
  }, needle);
  assert.ok(found, `"${needle}" is in the editor`);
  await page.keyboard.type(text);
}

function lineOf(source, needle) {
  return source.slice(0, source.indexOf(needle)).split('\n').length;
}

test('the page opens with more_ones compiled and run, showing its outputs', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  await waitForRun(page);
  assert.equal(await page.inputValue('#examples'), 'more_ones');
  assert.match(await editorText(page), /LinState/);
  const tokens = await promptTokens(page);
  assert.ok(tokens.length > 3, 'the default prompt has tokens');
  const rows = await outputRows(page);
  assert.deepEqual(rows.map((r) => r[0]), moreOnesExpected(tokens));
  // The other views are filled in too.
  assert.ok(await page.locator('#trace-table tr.linstate').count() >= 2, 'two LinState rows marked in the trace');
  assert.ok(await page.locator('#hidden canvas.hidden-heatmap').count() >= 1, 'a hidden-state heatmap');
  await drawGraphs(page);
  assert.ok(await page.locator('#program-graph svg g.node').count() >= 4, 'the program graph (before debranching)');
  assert.ok(await page.locator('#path-graph svg g.node').count() >= 2, 'the path graph (after debranching)');
  assert.match(await page.textContent('#summary-table'), /non-zeros/);
  // Every run of a compiled model is measured against the program.
  assert.match(await page.textContent('#fidelity'), /model = program on this input/);
  // Hovering a hidden-state cell tells layer, unit, step and value.
  const heat = page.locator('#hidden canvas.hidden-heatmap').first();
  await heat.scrollIntoViewIfNeeded();
  const box = await heat.boundingBox();
  await page.mouse.move(box.x + box.width - 2, box.y + 2);
  const tip = await page.locator('.tooltip').textContent();
  assert.match(tip, /layer 0/);
  assert.match(tip, new RegExp(`unit 0, step ${tokens.length - 1}`));
  assert.match(tip, /value -?\d/);
  await page.mouse.move(0, 0);
  await screenshot(page, 'opens-more-ones');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the compiled weights download as JSON', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  await waitForRun(page);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 15000 }),
    page.click('button[data-export="json"]'),
  ]);
  assert.match(download.suggestedFilename(), /\.json$/);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  // The file holds the weights of the model on the page: tensor for tensor,
  // value for value, what `lsrlc export` writes for the same program and options.
  const options = await page.evaluate(() => ({
    activations: document.querySelector('#activations')?.value,
    chains: document.querySelector('#linear-chains')?.value,
    maxLength: document.querySelector('#max-length')?.value,
  }));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lsrl-export-'));
  const source = path.join(dir, 'page.lsrl');
  const written = path.join(dir, 'native.json');
  await writeFile(source, await readFile(path.join(repoRoot, 'examples', 'more_ones.lsrl'), 'utf8'));
  const args = ['export', source, '--target', saved.metadata.target, '--format', 'json', '-o', written];
  if (options.activations) args.push('--activations', options.activations);
  if (options.chains) args.push('--linear-chains', options.chains);
  if (options.maxLength) args.push('--max-length', options.maxLength);
  execFileSync(path.join(repoRoot, 'build', 'lsrlc'), args, { stdio: 'ignore' });
  const native = JSON.parse(await readFile(written, 'utf8'));
  assert.ok(Object.keys(saved.tensors).length > 0, 'no tensors in the download');
  assert.deepEqual(Object.keys(saved.tensors), Object.keys(native.tensors));
  for (const [name, tensor] of Object.entries(native.tensors)) {
    assert.deepEqual(saved.tensors[name].shape, tensor.shape, name);
    assert.deepEqual(saved.tensors[name].data, tensor.data, name);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an error shows at its line without a crash, and fixing it recovers', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  const before = await waitForRun(page);
  const goodRows = await outputRows(page);
  const source = await editorText(page);
  const line = lineOf(source, 'f_not(');

  await typeAfter(page, 'f_not', 'x'); // f_notx: an unknown name
  await waitForStatus(page, 'error');
  const problem = page.locator('#problems .problem').first();
  await problem.waitFor();
  assert.equal(Number(await problem.getAttribute('data-line')), line);
  assert.match(await problem.textContent(), /f_notx/);
  // The editor underlines it on that line (CodeMirror's lint mark).
  await page.waitForSelector('#editor .cm-lintRange-error');
  const markedLine = await page.evaluate(() => {
    const view = window.lsrlPlayground.editor.view;
    const mark = document.querySelector('#editor .cm-lintRange-error');
    return view.state.doc.lineAt(view.posAtDOM(mark)).number;
  });
  assert.equal(markedLine, line);
  // Hovering the underline shows the message.
  await page.hover('#editor .cm-lintRange-error');
  const tip = page.locator('.cm-tooltip-lint');
  await tip.waitFor({ timeout: 5000 });
  assert.match(await tip.textContent(), /f_notx/);
  await page.mouse.move(0, 0);
  assert.ok(await page.locator('#outputs.stale').count() === 1, 'old outputs are marked stale, not removed');
  await screenshot(page, 'error-at-line');

  await page.keyboard.press('Backspace');
  await waitForRun(page, { after: before });
  assert.equal(await page.locator('#problems').isHidden(), true);
  assert.deepEqual(await outputRows(page), goodRows);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the editor completes primitives and sugar with their signatures', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  await waitForRun(page);
  const end = await page.evaluate(() => window.lsrlPlayground.editor.view.state.doc.length);
  await page.evaluate((pos) => {
    const view = window.lsrlPlayground.editor.view;
    view.focus();
    view.dispatch({ selection: { anchor: pos } });
  }, end);
  await page.keyboard.type('\nx = f_lar');
  const popup = page.locator('.cm-tooltip-autocomplete');
  await popup.waitFor({ timeout: 5000 });
  const option = popup.locator('li', { hasText: 'f_larger' }).first();
  assert.match(await option.textContent(), /\(x, y, mu=1000\)/);
  await page.keyboard.press('Escape');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('switching target and precision re-runs the model', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  let count = await waitForRun(page);
  const expected = moreOnesExpected(await promptTokens(page));
  const targets = await page.evaluate(() => window.lsrlPlayground.picker.targets.filter((t) => t.available !== false));
  const names = targets.map((t) => t.name);
  assert.ok(names.includes('linear-rnn') && names.includes('dag') && names.includes('gated-linear-rnn'));
  // Every available target, in the paper's activation mode, computes the
  // program exactly (f64); the activations menu is live only where the
  // target has two modes.
  const current = await page.inputValue('#target');
  for (const t of [...targets.filter((x) => x.name !== current), targets.find((x) => x.name === current)]) {
    await page.selectOption('#target', t.name);
    count = await waitForRun(page, { after: count, timeout: 60000 });
    assert.equal(await page.evaluate(() => document.body.dataset.target), t.name);
    assert.equal(await page.isDisabled('#activations'), !t.has_activation_modes, `activations menu on ${t.name}`);
    const got = (await outputRows(page)).map((r) => r[0]);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-6, `${t.name} step ${i}: ${v} vs ${expected[i]}`));
    // Every model is built for the program's input domain, never for the prompt.
    const builtFor = await page.locator('#summary-table tr[data-key="built for"] td').allTextContents();
    assert.equal(builtFor.length, 1, `built for on ${t.name}`);
    assert.match(builtFor[0], /^prompts of at most 4,?096 tokens/, `built for on ${t.name}`);
    // A compiled model's run is measured against the program; the program itself is not.
    if (t.name === 'dag') assert.equal(await page.locator('#fidelity').count(), 0);
    else assert.match(await page.textContent('#fidelity'), /model = program|vs the program/);
  }
  const withModes = targets.find((t) => t.has_activation_modes);
  if (withModes) {
    await page.selectOption('#target', withModes.name);
    count = await waitForRun(page, { after: count, timeout: 60000 });
    await page.selectOption('#activations', 'standard');
    count = await waitForRun(page, { after: count, timeout: 60000 });
    assert.equal(await page.evaluate(() => document.body.dataset.activations), 'standard');
    await page.selectOption('#activations', 'paper');
    await page.selectOption('#target', 'gated-linear-rnn');
    count = await waitForRun(page, { after: count, timeout: 60000 });
  }
  // Lower precisions round the intermediates (counts times mu = 10, up to
  // ~100 here): f32 keeps 24 bits, so outputs stay within ~1e-5 of 0/1; f16
  // keeps 11 bits, so values near 64 are spaced 2^-4 apart and the outputs
  // move by a few hundredths, still far closer to the right 0/1 than the wrong.
  const tolerance = { f32: 1e-5, f16: 0.1 };
  for (const precision of ['f32', 'f16']) {
    await page.selectOption('#precision', precision);
    count = await waitForRun(page, { after: count });
    assert.equal(await page.evaluate(() => document.body.dataset.precision), precision);
    const got = (await outputRows(page)).map((r) => r[0]);
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tolerance[precision],
      `${precision} step ${i}: ${v} vs ${expected[i]}`));
  }
  assert.match(await page.textContent('#status'), /f16/);
  // Unavailable targets are listed, disabled, with the reason.
  const disabled = await page.$$eval('#target option:disabled', (os) => os.map((o) => o.textContent));
  for (const text of disabled) assert.match(text, /unavailable/);
  await screenshot(page, 'target-precision');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('discrete_ua answers OTT for CAN through the query box', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  let count = await waitForRun(page);
  await page.selectOption('#examples', 'discrete_ua');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  const table = await page.$$eval('.pairs tbody tr', (trs) => trs.map((tr) => [
    tr.querySelector('.pair-key').value, tr.querySelector('.pair-value').value]));
  assert.ok(table.length >= 20, 'the country/capital table is filled in');
  const valueOf = (key) => table.find(([k]) => k === key)?.[1];

  await page.fill('#prompt-query', 'FRA');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  assert.equal(await page.textContent('#answer-text'), valueOf('FRA'));

  await page.fill('#prompt-query', 'CAN');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  assert.equal(valueOf('CAN'), 'OTT');
  assert.equal(await page.textContent('#answer-text'), 'OTT');
  assert.match(await page.textContent('#decoded-text'), /OTT$/);

  // Another f_ifelse form (a param menu): recompiled, still right.
  await page.selectOption('select[data-param="form"]', 'optimized');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  assert.equal(await page.textContent('#answer-text'), 'OTT');
  await screenshot(page, 'discrete-ua-can-ott');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('continuous_ua draws the target function and the in-context approximation', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  const count = await waitForRun(page);
  await page.selectOption('#examples', 'continuous_ua');
  await waitForRun(page, { after: count, timeout: 120000 });
  await page.waitForSelector('#approx[data-complete="true"]');
  for (const id of ['#approx-target', '#approx-model']) {
    const drawn = await page.$eval(`${id} canvas`, (canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let grey = 0;
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] === 128 && data[i + 1] === 128 && data[i + 2] === 128) grey += 1;
        colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      }
      const box = canvas.getBoundingClientRect();
      return { cells: canvas.width * canvas.height, grey, colours: colours.size, width: box.width, height: box.height };
    });
    assert.equal(drawn.cells, 144, `${id} is a 12 x 12 grid`);
    assert.equal(drawn.grey, 0, `${id} has a value in every cell`);
    assert.ok(drawn.colours > 10, `${id} shows a varying function`);
    assert.ok(drawn.width > 100 && drawn.height > 100, `${id} is visible`);
  }
  // sin(3*x1)*x2 with 6 cells per axis: the model returns f at the centre of
  // the query's cell, so it is off by at most |grad f| * (cell half-diagonal)
  // = sqrt(10) * sqrt(2) / 12 < 0.38.
  const maxError = Number(await page.getAttribute('#approx', 'data-max-error'));
  assert.ok(maxError < 0.38, `max |error| ${maxError}`);
  await screenshot(page, 'continuous-ua-heatmaps');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a share link opened in a fresh page reproduces program, target and outputs', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  let count = await waitForRun(page);
  await page.selectOption('#target', 'linear-rnn');
  count = await waitForRun(page, { after: count });
  await typeAfter(page, 'mu=10', '0'); // mu=100
  count = await waitForRun(page, { after: count });
  await page.fill('#prompt-text', '0 0 1 1 1 0 1');
  count = await waitForRun(page, { after: count });
  const program = await editorText(page);
  const outputs = await outputRows(page);
  assert.deepEqual(outputs.map((r) => r[0]), moreOnesExpected([0, 0, 1, 1, 1, 0, 1]));

  await page.click('#share');
  const link = await page.inputValue('#share-url');
  assert.match(link, /#z=|#j=/);
  await page.context().close();

  const fresh = await openPage(browser, link); // a new context: no localStorage
  await waitForRun(fresh);
  assert.equal(await editorText(fresh), program);
  assert.equal(await fresh.inputValue('#target'), 'linear-rnn');
  assert.equal(await fresh.inputValue('#prompt-text'), '0 0 1 1 1 0 1');
  assert.deepEqual(await outputRows(fresh), outputs);
  await screenshot(fresh, 'share-link-reopened');
  assert.deepEqual(fresh.errors, []);
  await fresh.context().close();
});

// The summary's counts: the model's layers, and the layer bound line
// ("N layers within the paper's bound of B (...)"), absent on linear targets.
async function summaryCounts(page) {
  const cell = (key) => page.locator(`#summary-table tr[data-key="${key}"] td`);
  const layers = Number(await cell('layers').textContent());
  const boundText = (await cell('layer bound').count()) ? await cell('layer bound').textContent() : null;
  const match = boundText && boundText.match(/^(\d+) layers within the paper's bound of (\d+) \(k \+ 2 per gated layer; /);
  return { layers, boundText, bounded: match ? Number(match[1]) : null, bound: match ? Number(match[2]) : null };
}

test('linear chains: fuse on a non-linear target recompiles with fewer layers, and a share link keeps it', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  let count = await waitForRun(page);
  const expected = moreOnesExpected(await promptTokens(page));
  assert.equal(await page.inputValue('#target'), 'gated-linear-rnn');
  assert.equal(await page.isDisabled('#linear-chains'), true, 'a linear target has no linear chains to fuse');
  assert.equal((await summaryCounts(page)).boundText, null, 'no layer bound on a linear target');

  await page.selectOption('#target', 'rnn');
  count = await waitForRun(page, { after: count });
  assert.equal(await page.isDisabled('#linear-chains'), false, 'rnn lowers Linear chains');
  assert.equal(await page.isDisabled('#max-length'), true, 'rnn has no convolution window');
  assert.match(await page.getAttribute('#linear-chains', 'title'), /keep.*f64.*fuse.*paper's layer count/);
  const kept = await summaryCounts(page);
  assert.equal(await page.inputValue('#linear-chains'), 'keep');
  assert.ok(kept.bound !== null && kept.bounded <= kept.bound, `keep: ${kept.boundText}`);
  assert.match(kept.boundText, /\d+ kept Linear/);

  await page.selectOption('#linear-chains', 'fuse');
  count = await waitForRun(page, { after: count });
  assert.equal(await page.evaluate(() => document.body.dataset.linearChains), 'fuse');
  const fused = await summaryCounts(page);
  assert.ok(fused.layers < kept.layers, `fuse: ${fused.layers} layers, keep: ${kept.layers}`);
  assert.ok(fused.bound !== null && fused.bounded <= fused.bound, `fuse: ${fused.boundText}`);
  assert.deepEqual((await outputRows(page)).map((r) => r[0]), expected, 'more_ones cancels no large constant');
  const outputs = await outputRows(page);
  await screenshot(page, 'linear-chains-fuse');
  assert.deepEqual(page.errors, []);

  await page.click('#share');
  const link = await page.inputValue('#share-url');
  await page.context().close();
  const fresh = await openPage(browser, link);
  await waitForRun(fresh);
  assert.equal(await fresh.inputValue('#target'), 'rnn');
  assert.equal(await fresh.inputValue('#linear-chains'), 'fuse');
  assert.deepEqual(await summaryCounts(fresh), fused);
  assert.deepEqual(await outputRows(fresh), outputs);
  assert.deepEqual(fresh.errors, []);
  await fresh.context().close();
});

test('max length: hawk refuses a run longer than it, a bad value shows the compiler\'s message, and a link keeps it', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  let count = await waitForRun(page);
  const tokens = await promptTokens(page);
  assert.equal(await page.isDisabled('#max-length'), true, 'gated-linear-rnn needs no maximum length');
  await page.selectOption('#target', 'hawk');
  count = await waitForRun(page, { after: count, timeout: 60000 });
  assert.equal(await page.isDisabled('#max-length'), false);
  assert.equal(await page.inputValue('#max-length'), '4096');

  // Shorter than the prompt: compiled, but the run is refused, with the way out.
  await page.fill('#max-length', String(tokens.length - 1));
  await waitForStatus(page, 'error');
  await page.waitForFunction(() => /maximum sequence length/.test(document.getElementById('problems').textContent));
  assert.match(await page.textContent('#problems'), new RegExp(`built for at most ${tokens.length - 1} \\(`));
  assert.ok(await page.locator('#outputs.stale').count() === 1, 'old outputs are marked stale');
  await screenshot(page, 'max-length-refused');

  // Out of range, and empty: the compiler's message, the box marked.
  for (const [text, message] of [['0', /between 1 and 65536 tokens \(got 0\)/], ['70000', /got 70000/], ['', /whole number of tokens/]]) {
    await page.fill('#max-length', text);
    await page.waitForFunction((m) => new RegExp(m).test(document.getElementById('status').textContent), message.source);
    assert.equal(await page.evaluate(() => document.body.dataset.status), 'error');
    assert.equal(await page.locator('#max-length.invalid').count(), 1, `"${text}" is marked invalid`);
  }

  await page.fill('#max-length', String(tokens.length));
  count = await waitForRun(page, { after: count, timeout: 60000 });
  assert.equal(await page.locator('#max-length.invalid').count(), 0);
  assert.deepEqual((await outputRows(page)).map((r) => r[0]), moreOnesExpected(tokens));
  assert.deepEqual(page.errors, []);

  await page.click('#share');
  const link = await page.inputValue('#share-url');
  await page.context().close();
  const fresh = await openPage(browser, link);
  await waitForRun(fresh, { timeout: 60000 });
  assert.equal(await fresh.inputValue('#target'), 'hawk');
  assert.equal(await fresh.inputValue('#max-length'), String(tokens.length));
  assert.deepEqual(fresh.errors, []);
  await fresh.context().close();
});

test('the editor content survives a reload (localStorage)', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  let count = await waitForRun(page);
  await typeAfter(page, 'mu=10', '0');
  count = await waitForRun(page, { after: count });
  const program = await editorText(page);
  await page.waitForTimeout(500); // the autosave is debounced
  await page.reload();
  await waitForRun(page);
  assert.equal(await editorText(page), program);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('embed.html works inside an iframe', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  const count = await waitForRun(page);
  await page.selectOption('#target', 'linear-rnn');
  await waitForRun(page, { after: count });
  const outputs = await outputRows(page);
  await page.click('#embed');
  const snippet = await page.inputValue('#embed-snippet');
  assert.match(snippet, /^<iframe src="[^"]+embed\.html#/);

  // A host page of another origin (about:blank) with the snippet in it.
  const host = await openPage(browser, null);
  await host.setContent(`<!doctype html><h1>my course notes</h1>${snippet}`);
  const frame = host.frameLocator('iframe');
  await frame.locator('body[data-status="ok"]').waitFor({ timeout: 30000 });
  const embedded = await frame.locator('#outputs-table tbody tr').evaluateAll((rows) =>
    rows.map((tr) => Array.from(tr.querySelectorAll('td.num')).slice(1).map((td) => Number(td.textContent))));
  assert.deepEqual(embedded, outputs);
  assert.equal(await frame.locator('#editor-section').isHidden(), true, 'compact: no editor unless asked');
  const back = await frame.locator('#full-link').getAttribute('href');
  assert.match(back, /index\.html#/);
  await screenshot(host, 'embed-in-iframe');
  assert.deepEqual(host.errors, []);
  await page.context().close();
  await host.context().close();
});

test('a long job (4096 tokens through a heavy program) can be cancelled and the page stays responsive', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  let count = await waitForRun(page);
  // A job of many seconds within the limits (a prompt longer than the
  // model's maximum length, or a run of more than 2e9 multiply-adds, is
  // refused at once): 4096 tokens through a 600 x 600 layer (1.5e9
  // multiply-adds) in f16, whose arithmetic is emulated in software.
  const heavy = ['x = Input(dim=1, max_length=4096)', 'W = ones(600, 600) / 600', 'h = Linear(x, ones(600, 1), zeros(600))',
                 'h = Linear(ReLU(h), W, zeros(600))', 'return Linear(h, ones(1, 600) / 600, [0])'];
  await page.selectOption('#precision', 'f16');
  await setEditorText(page, heavy.join('\n'));
  await page.fill('#prompt-text', '1 '.repeat(4096));
  await page.waitForFunction(() => /running|drawing/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => document.body.dataset.status), 'busy', 'still working after seconds');

  // The page answers while the worker computes: timers fire on time.
  const lags = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 0));
      out.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return out;
  });
  assert.ok(Math.max(...lags) < 250, `main thread lags ${lags.map((l) => l.toFixed(0)).join(', ')} ms`);
  assert.equal(await page.evaluate(() => document.body.dataset.status), 'busy', 'the job is still running');

  const started = Date.now();
  await page.click('#cancel');
  await waitForStatus(page, 'cancelled', 5000);
  assert.ok(Date.now() - started < 5000);
  assert.equal(await page.isDisabled('#cancel'), true);

  // Everything still works: a small prompt runs again on the fresh worker.
  await page.selectOption('#precision', 'f64');
  await page.fill('#prompt-text', '1 0 1');
  await waitForRun(page, { after: count, timeout: 120000 });
  assert.ok((await outputRows(page)).length > 0);
  await screenshot(page, 'after-cancel');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// A hand-made link in the page's own format (#j= base64url JSON).
function linkFor(base, state) {
  const json = Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
  return `${base}#j=${json}`;
}

test('markup and <script> in a shared link show up as text, never as HTML', async () => {
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b id="injected">bold</b>';
  const source = [
    `# ${evil}`,
    'input = Input(dim=1)',
    'ctr1s = LinState(input, A=[[1]], B=[[1]], init_state=[[0]])',
    'return ctr1s',
    '',
  ].join('\n');
  const state = {
    v: 1,
    example: `<svg onload="window.__xss=4">`,
    source,
    params: {},
    target: 'linear-rnn',
    activations: 'paper',
    precision: 'f64',
    prompt: { kind: 'tokens', text: `1 0 ${evil}` },
  };
  for (const pageName of ['index.html', 'embed.html?editor=1']) {
    const page = await openPage(browser, linkFor(`${server.url}${pageName}`, state));
    await waitForStatus(page, 'error'); // the prompt is not numbers: a prompt error, shown as text
    await page.waitForTimeout(300);
    const probe = await page.evaluate(() => ({
      xss: window.__xss,
      injected: !!document.getElementById('injected'),
      images: document.querySelectorAll('img').length,
      scripts: Array.from(document.scripts).map((s) => s.src),
      svgOnload: document.querySelectorAll('svg[onload]').length,
      editor: window.lsrlPlayground.editor?.source ?? null,
      problems: document.getElementById('problems').textContent,
      status: document.getElementById('status').textContent,
    }));
    assert.equal(probe.xss, undefined, `${pageName}: no script ran`);
    assert.equal(probe.injected, false, `${pageName}: no element injected`);
    assert.equal(probe.images, 0);
    assert.equal(probe.svgOnload, 0);
    assert.ok(probe.scripts.every((src) => src.includes('/assets/')), 'only the page\'s own scripts');
    assert.equal(probe.editor, source, `${pageName}: the program is shown as text`);
    // The prompt error quotes the offending text: shown literally.
    assert.match(probe.problems, /<img/, `${pageName}: the error shows the markup as text`);
    if (pageName === 'index.html') {
      assert.equal(await page.inputValue('#prompt-text'), `1 0 ${evil}`, 'the prompt is shown as text');
      // The editor shows the markup literally.
      assert.match(await page.textContent('#editor .cm-content'), /<script>window\.__xss=2<\/script>/);
    }
    await screenshot(page, `markup-as-text-${pageName.replace(/[^a-z]+/g, '-')}`);
    assert.deepEqual(page.errors.filter((e) => !/Content Security Policy/.test(e)), []);
    await page.context().close();
  }
});

// A damaged link, or one that inflates past the state cap (a decompression
// bomb), opens the default example with a notice saying why, as text.
test('a damaged or oversized share link opens the default page with a notice', async () => {
  const { deflateRawSync } = await import('node:zlib');
  const bomb = Buffer.concat([Buffer.from('{"prompt": "1", "source": "'), Buffer.alloc(16 << 20, 0x61), Buffer.from('"}')]);
  for (const hash of ['#z=not-deflate-data<script>', `#z=${deflateRawSync(bomb).toString('base64url')}`]) {
    const page = await openPage(browser, `${server.url}index.html${hash}`);
    await waitForRun(page);
    assert.equal(await page.inputValue('#examples'), 'more_ones');
    const notice = page.locator('#link-notice');
    await notice.waitFor();
    assert.match(await notice.textContent(), /could not be read/);
    assert.equal(await page.locator('#link-notice script').count(), 0);
    await page.click('#link-notice button');
    assert.equal(await page.locator('#link-notice').count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});
