// Measures the page in headless Chromium and (with --write) puts the figures
// in docs/benchmarks.md under "## Browser" (replacing that section only):
//   - time from navigation to the default example's outputs on screen
//     (cold loads, a fresh browser context each, over localhost);
//   - bytes of wasm + JS the page loads, gzip-compressed as a static host
//     would serve them.
// Usage: node tests/web/measure.mjs [--runs N] [--write]
// Needs build/site (bash scripts/build-site.sh).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, launchBrowser, openPage, repoDir, siteDir } from './helpers.mjs';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || (args.includes('--runs') ? 0 : 9);
const write = args.includes('--write');

const FIRST_OUTPUT_GOAL_MS = 1500;
const GZIP_GOAL_BYTES = 1024 * 1024;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function measureFirstOutput(browser, url) {
  const page = await openPage(browser, null);
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.firstOutputMs, null, { timeout: 30000 });
  const result = await page.evaluate(() => ({
    ms: Number(document.body.dataset.firstOutputMs),
    rows: document.querySelectorAll('#outputs-table tbody tr').length,
    example: document.getElementById('examples').value,
  }));
  if (page.errors.length) throw new Error(`page errors: ${page.errors.join('; ')}`);
  await page.context().close();
  return result;
}

async function measureTransfer(browser) {
  const server = await startServer(siteDir, { gzip: true });
  try {
    const page = await openPage(browser, `${server.url}index.html`);
    await page.waitForFunction(() => document.body.dataset.status === 'ok', null, { timeout: 30000 });
    await page.context().close();
    const loaded = [...server.transferred].filter(([file]) => /\.(js|mjs|wasm)$/.test(file));
    return { files: loaded, total: loaded.reduce((a, [, bytes]) => a + bytes, 0) };
  } finally {
    await server.close();
  }
}

function chromiumVersion() {
  try {
    return execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return 'chromium (version unknown)';
  }
}

function section({ times, transfer, rows }) {
  const med = median(times);
  const worst = Math.max(...times);
  const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
  const cpu = os.cpus()[0]?.model || 'unknown CPU';
  const lines = [
    '## Browser',
    '',
    `Measured by \`node tests/web/measure.mjs --runs ${times.length} --write\` (after \`bash scripts/build-site.sh\`) in headless`,
    `${chromiumVersion()} over localhost, on ${os.cpus().length} × ${cpu}, ${new Date().toISOString().slice(0, 10)}`,
    `(1-minute load average ${os.loadavg()[0].toFixed(1)} at the end: other builds were sharing the machine when this is well above ${os.cpus().length}).`,
    '',
    '| measure | result | goal |',
    '|---|---|---|',
    `| navigation to the default example's outputs on screen (median of ${times.length} cold loads) | ${med.toFixed(0)} ms (worst ${worst.toFixed(0)} ms) | < ${FIRST_OUTPUT_GOAL_MS} ms ${med < FIRST_OUTPUT_GOAL_MS ? '(met)' : '(NOT met)'} |`,
    `| wasm + JS the page loads, gzip-compressed | ${kib(transfer.total)} | < 1 MiB ${transfer.total < GZIP_GOAL_BYTES ? '(met)' : '(NOT met)'} |`,
    '',
    `"On screen" is two animation frames after the ${rows} output rows of more_ones entered the DOM`,
    '(performance.now() since navigation start, recorded by the page in `body[data-first-output-ms]`);',
    'each load uses a fresh browser context, so nothing comes from the cache. Sizes are what the',
    'test server sent with `Content-Encoding: gzip` (level 9) on a cold load:',
    '',
    '| file | gzip bytes |',
    '|---|---|',
    ...transfer.files.map(([file, bytes]) => `| ${file} | ${bytes} |`),
    '',
  ];
  return lines.join('\n');
}

function writeSection(text) {
  const file = path.join(repoDir, 'docs', 'benchmarks.md');
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = doc.search(/^## Browser\s*$/m);
  if (start >= 0) {
    const rest = doc.slice(start + 1);
    const next = rest.search(/^## /m);
    doc = doc.slice(0, start) + text + (next >= 0 ? `\n${rest.slice(next)}` : '');
  } else {
    doc = `${doc.replace(/\s*$/, '')}\n\n${text}`;
  }
  fs.writeFileSync(file, doc.endsWith('\n') ? doc : `${doc}\n`);
  console.log(`wrote the "## Browser" section of ${path.relative(process.cwd(), file)}`);
}

const browser = await launchBrowser();
const server = await startServer();
try {
  // One warm-up load (Chromium's own start-up, disk cache of the OS), then the measured cold loads.
  await measureFirstOutput(browser, `${server.url}index.html`);
  const times = [];
  let rows = 0;
  for (let i = 0; i < Math.max(1, runs); i++) {
    const r = await measureFirstOutput(browser, `${server.url}index.html`);
    if (r.example !== 'more_ones' || r.rows === 0) throw new Error(`unexpected first view: ${JSON.stringify(r)}`);
    times.push(r.ms);
    rows = r.rows;
  }
  const transfer = await measureTransfer(browser);
  const text = section({ times, transfer, rows });
  console.log(text);
  if (write) writeSection(text);
} finally {
  await server.close();
  await browser.close();
}
