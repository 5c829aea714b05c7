// Shared by the browser tests and tests/web/measure.mjs: a static file server
// over build/site on a free localhost port, Debian's Chromium through
// playwright-core (no browser download), and small waiting helpers.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const siteDir = path.resolve(process.env.LSRL_SITE_DIR || path.join(repoDir, 'build', 'site'));
export const artifactsDir = path.join(repoDir, 'test-artifacts', 'web');

// playwright-core is a dependency of web/ (web/package.json); resolve it from there.
const requireFromWeb = createRequire(path.join(repoDir, 'web', 'package.json'));
const { chromium } = requireFromWeb('playwright-core');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// Serves `root` on 127.0.0.1 at a free port. Optionally gzips responses
// (gzip: true) the way a production static host would, and counts the bytes
// each response put on the wire (server.transferred: Map path -> bytes).
export function startServer(root = siteDir, { gzip = false } = {}) {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: build the site first (bash scripts/build-site.sh)`);
  }
  const transferred = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    let body = fs.readFileSync(file);
    const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      body = zlib.gzipSync(body, { level: 9 });
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = body.length;
    transferred.set(url.pathname, (transferred.get(url.pathname) || 0) + body.length);
    res.writeHead(200, headers);
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/`,
        transferred,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

// A new page that records console errors and uncaught exceptions, so a test
// can assert that nothing crashed.
export async function openPage(browser, url, { viewport = { width: 1400, height: 1000 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`);
  });
  if (url) await page.goto(url);
  return page;
}

// Waits until the page finished a run (body[data-status] is 'ok') with a run
// count above `after` (to wait for a re-run, pass the count seen before).
export async function waitForRun(page, { after = 0, timeout = 30000 } = {}) {
  await page.waitForFunction(
    (n) => document.body.dataset.status === 'ok' && Number(document.body.dataset.runCount || 0) > n,
    after, { timeout },
  );
  return runCount(page);
}

export async function runCount(page) {
  return page.evaluate(() => Number(document.body.dataset.runCount || 0));
}

export async function waitForStatus(page, status, timeout = 30000) {
  await page.waitForFunction((s) => document.body.dataset.status === s, status, { timeout });
}

// The outputs table as numbers: one array per step.
export async function outputRows(page) {
  return page.$$eval('#outputs-table tbody tr:not(.gap)', (rows) =>
    rows.map((tr) => Array.from(tr.querySelectorAll('td.num')).slice(1).map((td) => Number(td.textContent))));
}

// Replaces the editor's whole text the way a user would (select all, type).
export async function setEditorText(page, text) {
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.evaluate((t) => {
    const view = window.lsrlPlayground.editor.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t }, userEvent: 'input.paste' });
  }, text);
}

// Scrolls the lazily drawn graphs into view and waits until they are drawn
// (they are laid out only when visible), then scrolls back to the top.
export async function drawGraphs(page, timeout = 20000) {
  const hosts = await page.$$('#program-graph, #path-graph');
  for (const host of hosts) {
    await host.scrollIntoViewIfNeeded();
    await page.waitForFunction((h) => h.dataset.drawn !== 'false', host, { timeout });
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await drawGraphs(page).catch(() => {});
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}
