// Browser tests of dark mode beyond the page itself (issue 13, "What to
// build" 4): the <lsrl-playground> web component follows the system's
// theme (or the host's theme="..."), and a downloaded graph SVG carries the
// colours of the theme on screen on its own opaque background, so it reads
// on a white page, a dark page or a transparent viewer.
// Run: node --test --test-concurrency=1 tests/web/page-theme.test.mjs (after bash scripts/build-site.sh)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launchBrowser, waitForRun, drawGraphs } from './helpers.mjs';

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

// Relative luminance and contrast ratio (WCAG 2) of CSS rgb()/#hex colours.
function channels(color) {
  const hex = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (hex) return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16));
  const m = color.match(/[\d.]+/g);
  assert.ok(m && m.length >= 3, `a colour: ${color}`);
  return m.slice(0, 3).map(Number);
}
function luminance(color) {
  const [r, g, b] = channels(color).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

async function openIn(colorScheme, url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto(url);
  return page;
}

const widgetColors = (page, id) => page.evaluate((i) => {
  const root = document.getElementById(i).shadowRoot;
  const frame = root.querySelector('.w-frame');
  const bar = root.querySelector('.w-bar');
  const panel = root.querySelector('.w-panel:not([hidden])');
  const css = (n, p) => getComputedStyle(n)[p];
  return { frame: css(frame, 'backgroundColor'), ink: css(frame, 'color'), bar: css(bar, 'backgroundColor'), panel: css(panel, 'backgroundColor') };
}, id);

test('the web component follows a dark system theme, and theme="light" pins it light', async () => {
  const page = await openIn('dark', `${server.url}examples/blog-post.html`);
  await page.waitForFunction(() => ['more-ones', 'running-sum'].every((id) => document.getElementById(id)?.dataset.state === 'ok'), null, { timeout: 60000 });
  const dark = await widgetColors(page, 'more-ones');
  for (const part of ['frame', 'bar', 'panel']) assert.ok(luminance(dark[part]) < 0.05, `dark ${part}: ${dark[part]}`);
  assert.ok(contrast(dark.ink, dark.panel) >= 4.5, `text reads on the dark panel: ${dark.ink} on ${dark.panel}`);
  await page.evaluate(() => document.getElementById('more-ones').setAttribute('theme', 'light'));
  const light = await widgetColors(page, 'more-ones');
  for (const part of ['frame', 'bar', 'panel']) assert.ok(luminance(light[part]) > 0.8, `light ${part}: ${light[part]}`);
  assert.ok(contrast(light.ink, light.panel) >= 4.5);
  // The other widget still follows the system.
  assert.ok(luminance((await widgetColors(page, 'running-sum')).panel) < 0.05);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const scheme of ['light', 'dark']) {
  test(`a downloaded graph SVG in ${scheme} mode has its own background and readable text`, async () => {
    const page = await openIn(scheme, server.url);
    await waitForRun(page);
    await drawGraphs(page);
    await page.locator('#program-graph').scrollIntoViewIfNeeded();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click('#program-graph-svg')]);
    const text = await readFile(await download.path(), 'utf8');
    // Read the file as a standalone document, on a page of the opposite
    // colour, the way a viewer shows it.
    const viewer = await page.context().newPage();
    await viewer.setContent(`<body style="margin:0;background:${scheme === 'dark' ? '#fff' : '#000'}"></body>`);
    const colors = await viewer.evaluate((svgText) => {
      const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
      const root = document.importNode(doc.documentElement, true);
      document.body.appendChild(root);
      const backdrop = root.querySelector('rect.backdrop');
      const box = backdrop?.getBBox();
      return {
        first: root.querySelector('rect')?.getAttribute('class'),
        backdrop: backdrop ? getComputedStyle(backdrop).fill : null,
        covers: box ? box.width >= root.viewBox.baseVal.width && box.height >= root.viewBox.baseVal.height : false,
        names: [...root.querySelectorAll('text.node-name')].map((t) => getComputedStyle(t).fill),
        kinds: [...root.querySelectorAll('text.node-kind')].map((t) => getComputedStyle(t).fill),
      };
    }, text);
    assert.equal(colors.first, 'backdrop', 'the background is drawn before anything else');
    assert.ok(colors.covers, 'and covers the whole drawing');
    assert.ok(scheme === 'dark' ? luminance(colors.backdrop) < 0.05 : luminance(colors.backdrop) > 0.8, `${scheme} background: ${colors.backdrop}`);
    assert.ok(colors.names.length >= 4);
    for (const fill of [...colors.names, ...colors.kinds]) {
      assert.ok(contrast(fill, colors.backdrop) >= 4.5, `text ${fill} on ${colors.backdrop}: ${contrast(fill, colors.backdrop).toFixed(2)}:1`);
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
