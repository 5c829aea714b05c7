// Browser tests of the classroom and embedding features (issue 12 items 1, 2):
// the exercises view grading reference solutions and starter codes, a wrong
// submission's first differing step, progress across a reload, a teacher's
// set from a link; the <lsrl-playground> web component in the blog-post
// example page and from the share dialog's snippet.
// Run: node --test --test-concurrency=1 tests/web/   (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, openPage, waitForRun, setEditorText, screenshot, repoDir } from './helpers.mjs';

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

const exercisesDir = path.join(repoDir, 'exercises');
const solutionsDir = path.join(repoDir, 'tests', 'exercises', 'solutions');
const exerciseIds = JSON.parse(fs.readFileSync(path.join(exercisesDir, 'index.json'), 'utf8')).exercises.map((f) => f.replace(/\.json$/, ''));

async function openExercises(page) {
  await waitForRun(page, { timeout: 60000 });
  await page.click('#exercises-button');
  await page.waitForSelector('#exercise-list .exercise-item');
}

async function selectExercise(page, id) {
  await page.click(`#exercise-list .exercise-item[data-id="${id}"] button`);
  await page.waitForFunction((i) => document.querySelector('#exercise-list .current')?.dataset.id === i, id);
}

// Clicks Check and returns the verdict and the per-check rows.
async function grade(page) {
  await page.evaluate(() => document.getElementById('exercise-verdict')?.remove());
  await page.click('#exercise-check');
  await page.waitForSelector('#exercise-verdict', { timeout: 60000 });
  return page.evaluate(() => ({
    verdict: document.getElementById('exercise-verdict').textContent,
    rows: Array.from(document.querySelectorAll('#exercise-results .exercise-checks tbody tr')).map((tr) => ({
      status: tr.dataset.status, firstStep: tr.dataset.firstStep, cells: Array.from(tr.cells).map((c) => c.textContent),
    })),
  }));
}

test('every reference solution passes all its checks and every starter code fails at least one', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  await openExercises(page);
  assert.ok(exerciseIds.length >= 12);
  for (const id of exerciseIds) {
    await selectExercise(page, id);
    const starter = await page.evaluate(() => window.lsrlPlayground.state.source);
    assert.match(starter, /Input\(/, `${id}: the starter code is in the editor`);
    const starterGrade = await grade(page);
    assert.ok(starterGrade.rows.some((r) => r.status !== 'pass'), `${id}: the starter fails a check (${starterGrade.verdict})`);
    assert.doesNotMatch(starterGrade.verdict, /^Passed/);

    await setEditorText(page, fs.readFileSync(path.join(solutionsDir, `${id}.lsrl`), 'utf8'));
    const solved = await grade(page);
    assert.match(solved.verdict, /^Passed: all \d+ checks/, `${id}: ${JSON.stringify(solved.rows)}`);
    assert.ok(solved.rows.length >= 3 && solved.rows.every((r) => r.status === 'pass'));
    assert.equal(await page.locator(`#exercise-list .exercise-item[data-id="${id}"].done`).count(), 1, `${id} marked done`);
  }
  assert.match(await page.textContent('#exercise-progress'), new RegExp(`^${exerciseIds.length} of ${exerciseIds.length} passed`));
  await screenshot(page, 'exercises-all-passed');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a wrong submission shows the first differing step, expected against got', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  await openExercises(page);
  await selectExercise(page, 'running_sum');
  // Off by one token: the sum of all tokens but the current one.
  await setEditorText(page, 'input = Input(dim=1)\nreturn LinState(input, A=[[1]], B=[[1]], init_state=[[0]]) - input\n');
  const graded = await grade(page);
  assert.match(graded.verdict, /^0 of 3 checks passed/);
  // check 1: tokens 1 2 3, expected 1 3 6, got 0 1 3: step 0 (the first token, as in the
  // outputs table) differs first.
  assert.equal(graded.rows[0].status, 'fail');
  assert.equal(graded.rows[0].firstStep, '0');
  assert.deepEqual(graded.rows[0].cells.slice(2, 5), ['0', '1', '0']);
  const marked = await page.$$eval('#exercise-results .exercise-steps tr.first-difference td', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(marked, ['0', '1', '1', '0']);
  await screenshot(page, 'exercise-wrong-submission');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('progress survives a reload, and corrupt saved progress is ignored with a notice', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  await openExercises(page);
  await selectExercise(page, 'count_zeros');
  const solution = fs.readFileSync(path.join(solutionsDir, 'count_zeros.lsrl'), 'utf8');
  await setEditorText(page, solution);
  assert.match((await grade(page)).verdict, /^Passed/);
  await page.reload();
  await openExercises(page);
  assert.equal(await page.locator('#exercise-list .exercise-item[data-id="count_zeros"].done').count(), 1);
  await selectExercise(page, 'count_zeros');
  assert.equal(await page.evaluate(() => window.lsrlPlayground.state.source), solution, 'the last attempt comes back');
  assert.equal(await page.locator('#exercises-notice').count(), 0);

  await page.evaluate(() => localStorage.setItem('lsrl-playground:exercises:v1', '{"sets": {"x": {"y": 7}}'));
  await page.reload();
  await openExercises(page);
  assert.match(await page.textContent('#exercises-notice'), /unreadable/);
  assert.equal(await page.locator('#exercise-list .exercise-item.done').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a teacher\'s set from #exercises=URL is shown as text, never as HTML', async () => {
  const page = await openPage(browser, null);
  const evil = '<img src=x onerror="window.hacked=1">';
  const exercise = {
    format: 'lsrl-exercise/1', id: 'teacher_sum', title: `Sum ${evil}`, statement: `Add the tokens. ${evil}`,
    starter: 'input = Input(dim=1)\nreturn input\n', hints: [`hint ${evil}`], target: 'linear-rnn', tolerance: 0.001,
    checks: [{ name: 'short', input: [[1], [2]], expected: [[1], [3]] }],
  };
  await page.route('**/teacher/index.json', (route) => route.fulfill({
    contentType: 'application/json', body: JSON.stringify({ format: 'lsrl-exercise-index/1', title: 'Course 101', exercises: ['sum.json', 'broken.json'] }),
  }));
  await page.route('**/teacher/sum.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(exercise) }));
  await page.route('**/teacher/broken.json', (route) => route.fulfill({ contentType: 'application/json', body: '{"format": "lsrl-exercise/1"' }));
  await page.goto(`${server.url}index.html#exercises=${encodeURIComponent(`${server.url}teacher/index.json`)}`);
  await page.waitForSelector('#exercise-list .exercise-item[data-id="teacher_sum"]', { timeout: 60000 });
  await page.waitForFunction(() => window.lsrlPlayground.state.source.includes('return input'));
  assert.match(await page.textContent('#exercises-panel h2'), /Course 101/);
  assert.match(await page.textContent('#exercises-panel'), /broken\.json: not JSON/);
  assert.ok((await page.textContent('#exercise-statement')).includes(evil));
  assert.equal(await page.locator('#exercises-panel img').count(), 0);
  assert.equal(await page.evaluate(() => window.hacked), undefined);
  const graded = await grade(page);
  assert.match(graded.verdict, /^0 of 1 checks passed/);
  assert.equal(graded.rows[0].firstStep, '1');
  // The hash still names the set after the playground's runs (a reload keeps it).
  assert.match(await page.evaluate(() => window.location.hash), /^#exercises=/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// ---- the web component ------------------------------------------------------

async function widgetOutputs(page, id) {
  return page.evaluate((i) => document.getElementById(i).outputs, id);
}

test('the blog-post example embeds two live widgets without touching the host page', async () => {
  const page = await openPage(browser, `${server.url}examples/blog-post.html`);
  await page.waitForFunction(() => ['more-ones', 'running-sum'].every((id) => document.getElementById(id)?.dataset.state === 'ok'), null, { timeout: 60000 });
  // The outputs are right: more_ones (paper Fig. 1) on 1 0 1 1 0 0 0, and a running sum of 1 2 3 4.
  assert.deepEqual(await widgetOutputs(page, 'more-ones'), [[1], [0], [1], [1], [1], [0], [0]]);
  assert.deepEqual(await widgetOutputs(page, 'running-sum'), [[1], [3], [6], [10]]);
  // ... and shown inside each widget.
  const shown = await page.evaluate(() => Array.from(document.getElementById('running-sum').shadowRoot.querySelectorAll('.outputs-table tbody tr'))
    .map((tr) => Number(tr.querySelectorAll('td.num')[1].textContent)));
  assert.deepEqual(shown, [1, 3, 6, 10]);
  // The panels asked for: a trace in the first, hidden states in the second.
  assert.ok(await page.evaluate(() => document.getElementById('more-ones').shadowRoot.querySelectorAll('.trace table tr').length > 2));
  assert.ok(await page.evaluate(() => document.getElementById('running-sum').shadowRoot.querySelectorAll('canvas').length >= 1));
  assert.equal(await page.evaluate(() => document.getElementById('running-sum').shadowRoot.querySelector('.w-program').closest('section').hidden), true);

  // The host's styles stay the host's, and do not reach into the widgets.
  const styles = await page.evaluate(() => {
    const widget = document.getElementById('more-ones').shadowRoot;
    const css = (node, prop) => getComputedStyle(node)[prop];
    return {
      hostParagraph: css(document.querySelector('p.lede'), 'color'),
      hostFont: css(document.body, 'fontFamily'),
      widgetFont: css(widget.querySelector('.w-frame'), 'fontFamily'),
      widgetColor: css(widget.querySelector('.w-frame'), 'color'),
      widgetTableBorder: css(widget.querySelector('.outputs-table'), 'borderTopWidth'),
      widgetSectionOutline: css(widget.querySelector('section'), 'outlineStyle'),
      widgetTextarea: css(widget.querySelector('.w-program'), 'backgroundColor'),
    };
  });
  assert.equal(styles.hostParagraph, 'rgb(51, 34, 17)');
  assert.match(styles.hostFont, /Georgia/);
  assert.doesNotMatch(styles.widgetFont, /Georgia/);
  assert.notEqual(styles.widgetColor, 'rgb(51, 34, 17)');
  assert.notEqual(styles.widgetTableBorder, '4px');
  assert.equal(styles.widgetSectionOutline, 'none');
  assert.notEqual(styles.widgetTextarea, 'rgb(255, 255, 0)');
  // The host's own script runs and keeps working.
  assert.equal(await page.evaluate(() => document.body.dataset.hostScript), 'ran');
  assert.ok(Number(await page.textContent('#host-runs')) >= 2, 'the host heard both widgets run');
  await page.click('#host-button');
  await page.click('#host-button');
  assert.equal(await page.textContent('#host-clicks'), '2');

  // Editing the prompt inside a widget re-runs it.
  const field = page.locator('#more-ones .w-prompt');
  await field.fill('1 1 0');
  await page.waitForFunction(() => document.getElementById('more-ones').outputs?.length === 3, null, { timeout: 30000 });
  assert.deepEqual(await widgetOutputs(page, 'more-ones'), [[1], [1], [1]]);
  await screenshot(page, 'blog-post-widgets');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the share dialog offers a web-component snippet that runs the same program', async () => {
  const page = await openPage(browser, `${server.url}index.html`);
  const count = await waitForRun(page, { timeout: 60000 });
  await page.selectOption('#target', 'linear-rnn');
  await waitForRun(page, { after: count });
  await page.click('#embed');
  assert.match(await page.inputValue('#embed-snippet'), /^<iframe /);
  const snippet = await page.inputValue('#component-snippet');
  assert.match(snippet, /^<script type="module" src="[^"]+\/lsrl-playground\.js"><\/script>\n<lsrl-playground example="more_ones" target="linear-rnn" prompt="[^"]+"/);
  const tokens = snippet.match(/prompt="([^"]+)"/)[1].split(/\s+/).map(Number);
  let ones = 0;
  const expected = tokens.map((t) => {
    ones += t === 1 ? 1 : -1;
    return [ones > 0 ? 1 : 0];
  });
  // An edited program goes in as the element's text, HTML-escaped.
  await setEditorText(page, '# a < b & "c"\ninput = Input(dim=1)\nreturn input * 2\n');
  await page.click('#embed');
  // The dialog is rebuilt asynchronously: wait for the new snippet.
  await page.waitForFunction(() => document.getElementById('component-snippet')?.value.includes('&lt;'));
  const edited = await page.inputValue('#component-snippet');
  assert.match(edited, /<lsrl-playground target="linear-rnn"[^>]*>\n# a &lt; b &amp; &quot;c&quot;\ninput = Input\(dim=1\)/);

  const host = await openPage(browser, null);
  await host.route('**/host-page.html', (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html><h1>notes</h1>${snippet}${edited.replace(/^<script[^\n]*\n/, '').replace('<lsrl-playground', '<lsrl-playground id="edited"')}` }));
  await host.goto(`${server.url}host-page.html`);
  await host.waitForFunction(() => Array.from(document.querySelectorAll('lsrl-playground')).every((w) => w.dataset.state === 'ok'), null, { timeout: 60000 });
  assert.deepEqual(await host.evaluate(() => document.querySelector('lsrl-playground').outputs), expected);
  assert.deepEqual(await host.evaluate(() => document.getElementById('edited').outputs), tokens.map((t) => [2 * t]));
  assert.deepEqual(host.errors, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
  await host.context().close();
});
