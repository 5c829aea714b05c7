// How fast the WebAssembly module runs the compiled discrete_ua model (n = 3,
// gated-linear-rnn) compared with the native lsrlc on the same machine: the
// figure for docs/benchmarks.md ("## WebAssembly"). Not a test (node --test
// does not pick it up); run it by hand:
//
//   node tests/wasm/bench-run-speed.mjs [--repeat 200] [--runs 7] [--no-browser]
//
// The input is the paper's prompt (query CAN + the 25 country/capital pairs of
// examples/discrete_ua.example.json) repeated --repeat times, one long
// sequence. Each side times the same core call, api::run (the run_ms that
// `lsrlc run --json` prints and the module returns), so process
// start, compilation and I/O are left out; the best of --runs runs counts.
// Measured: native lsrlc; the module in Node; the module in headless Chromium
// (Debian's /usr/bin/chromium through playwright-core from web/node_modules),
// behind the real worker and client, as the page runs it.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

import { loadModule, repoDir, rows, flatten, wasmDir } from './load-module.mjs';
import { lsrlcPath, nativeRun, writeTokensCsv } from './native.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}
const repeat = Number(option('--repeat', '200'));
const runs = Number(option('--runs', '7'));
const withBrowser = !process.argv.includes('--no-browser');
const forms = ['multiplicative', 'original'];
const precisions = ['f64', 'f32'];

const source = fs.readFileSync(path.join(repoDir, 'examples', 'discrete_ua.lsrl'), 'utf8');
const companion = JSON.parse(fs.readFileSync(path.join(repoDir, 'examples', 'discrete_ua.example.json'), 'utf8'));
const pairs = companion.prompt.pairs;

const module = await loadModule();
const session = new module.Session(1);

function bestTokensPerSecond(tokenCount, millis) {
  return tokenCount / (Math.min(...millis) / 1000);
}

const results = [];
let tokens = null;
for (const form of forms) {
  // The prompt (153 x --repeat tokens) is longer than the default maximum
  // length (4096): every side builds the model for the longest one allowed.
  const compiled = session.compile(source, { target: 'gated-linear-rnn', params: [['n', '3'], ['form', form]], filename: 'discrete_ua.lsrl', maxLength: 65536 });
  if (!compiled.ok) throw new Error(`discrete_ua (${form}) does not compile: ${compiled.diagnostics[0]?.rendered}`);
  if (!tokens) {
    const prompt = module.dictionaryPrompt(companion.prompt.query, pairs, compiled.info.vocab);
    const once = rows(prompt.tokens);
    tokens = Array.from({ length: repeat }, () => once).flat();
  }
  const csv = writeTokensCsv(tokens);
  const { data, steps, dim } = flatten(tokens);
  for (const precision of precisions) {
    const nativeMs = [];
    const nodeMs = [];
    for (let r = 0; r < runs; r++) {
      nativeMs.push(nativeRun(path.join(repoDir, 'examples', 'discrete_ua.lsrl'),
        ['--target', 'gated-linear-rnn', '--param', 'n=3', '--param', `form=${form}`, '--max-length', '65536', '--precision', precision, '--input-file', csv]).run_ms);
      const ran = session.run(compiled.model_id, data, steps, dim, precision, false);
      if (!ran.ok) throw new Error(ran.diagnostics[0].rendered);
      nodeMs.push(ran.run_ms);
    }
    results.push({ form, precision, tokens: steps, native: bestTokensPerSecond(steps, nativeMs), node: bestTokensPerSecond(steps, nodeMs) });
  }
  session.release(compiled.model_id);
}

// --- headless Chromium -------------------------------------------------------

async function measureInChromium() {
  const require = createRequire(path.join(repoDir, 'web', 'package.json'));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    console.error('bench: playwright-core is not installed in web/node_modules (cd web && npm install); skipping Chromium');
    return null;
  }
  const files = {
    '/lsrl.mjs': [path.join(wasmDir, 'lsrl.mjs'), 'text/javascript'],
    '/lsrl.wasm': [path.join(wasmDir, 'lsrl.wasm'), 'application/wasm'],
    '/src/worker.js': [path.join(repoDir, 'web', 'src', 'worker.js'), 'text/javascript'],
    '/src/lsrl-client.js': [path.join(repoDir, 'web', 'src', 'lsrl-client.js'), 'text/javascript'],
  };
  const page = `<!doctype html><meta charset="utf-8"><title>bench</title><script type="module">
    import { LsrlClient } from '/src/lsrl-client.js';
    window.bench = async (source, tokens, forms, precisions, runs) => {
      const client = new LsrlClient({ workerUrl: '/src/worker.js', moduleUrl: '/lsrl.mjs', wasmUrl: '/lsrl.wasm' });
      await client.ready();
      const out = [];
      for (const form of forms) {
        const compiled = await client.compile(source, { target: 'gated-linear-rnn', params: { n: 3, form }, maxLength: 65536 });
        if (!compiled.ok) throw new Error(compiled.diagnostics[0].rendered);
        for (const precision of precisions) {
          const millis = [];
          for (let r = 0; r < runs; r++) millis.push((await client.run(compiled.model_id, tokens, { precision })).run_ms);
          out.push({ form, precision, millis });
        }
      }
      client.dispose();
      return out;
    };
  </script>`;
  const server = http.createServer((request, response) => {
    const url = request.url.split('?')[0];
    if (url === '/' || url === '/index.html') {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(page);
    } else if (files[url]) {
      response.writeHead(200, { 'Content-Type': files[url][1] });
      response.end(fs.readFileSync(files[url][0]));
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => typeof window.bench === 'function');
    const version = browser.version();
    const measured = await tab.evaluate(([src, toks, f, p, r]) => window.bench(src, toks, f, p, r), [source, tokens, forms, precisions, runs]);
    return { version, measured };
  } finally {
    await browser.close();
    server.close();
  }
}

const browser = withBrowser ? await measureInChromium() : null;
if (browser) {
  for (const m of browser.measured) {
    const row = results.find((r) => r.form === m.form && r.precision === m.precision);
    row.chromium = bestTokensPerSecond(row.tokens, m.millis);
  }
}

// --- report ---------------------------------------------------------------------

const cpu = os.cpus()[0]?.model || 'unknown CPU';
console.log(`discrete_ua.lsrl, n = 3, gated-linear-rnn, ${tokens.length} tokens (the CAN prompt x ${repeat}), best of ${runs} runs, one thread`);
console.log(`${cpu}, ${os.cpus().length} cores; node ${process.version}${browser ? `; Chromium ${browser.version}` : ''}`);
console.log('');
console.log('| f_ifelse form | precision | native lsrlc tok/s | wasm in Node tok/s | ratio | wasm in Chromium tok/s | ratio |');
console.log('|---|---|---:|---:|---:|---:|---:|');
const fmt = (x) => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const ratio = (x, base) => (x === undefined ? 'n/a' : (x / base).toFixed(2));
for (const r of results) {
  console.log(`| ${r.form} | ${r.precision} | ${fmt(r.native)} | ${fmt(r.node)} | ${ratio(r.node, r.native)} | ${fmt(r.chromium)} | ${ratio(r.chromium, r.native)} |`);
}
