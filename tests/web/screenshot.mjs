// Takes the README's screenshots: by default docs/screenshot.png, the full
// page as it opens with the default example compiled and run; with options,
// an example on a target at a window width (scripts/screenshots.sh takes the
// discrete_ua-on-lstm pair at 1400 and 390 px).
// Usage: node tests/web/screenshot.mjs [--example NAME] [--target NAME]
//          [--width PX] [--height PX] [--out FILE]
// Needs build/site (bash scripts/build-site.sh).

import path from 'node:path';
import { startServer, launchBrowser, openPage, waitForRun, drawGraphs, repoDir } from './helpers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const example = option('--example', '');
const target = option('--target', '');
const width = Number(option('--width', '1440'));
const height = Number(option('--height', '900'));
const out = path.resolve(option('--out', path.join(repoDir, 'docs', 'screenshot.png')));

const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await openPage(browser, `${server.url}index.html`, { viewport: { width, height } });
  let count = await waitForRun(page);
  if (example) {
    await page.selectOption('#examples', example);
    count = await waitForRun(page, { after: count, timeout: 120000 });
  }
  if (target) {
    await page.selectOption('#target', target);
    count = await waitForRun(page, { after: count, timeout: 600000 });
  }
  await drawGraphs(page);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
} finally {
  await browser.close();
  await server.close();
}
