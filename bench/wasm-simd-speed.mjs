// What 128-bit WebAssembly SIMD gains, and how the module compares with the
// native lsrlc: the same compiled models (discrete_ua, n = 3) on the same
// 65,536-token prompt, timed by the core itself (api::run's run_ms / runMs:
// the model alone, no parsing, compilation or comparison with the program),
// best of --runs, in
//   - native lsrlc (build/lsrlc, or $LSRLC),
//   - the page's module (build-wasm/, -msimd128),
//   - the same module built without SIMD (build-wasm-nosimd/:
//     emcmake cmake -S . -B build-wasm-nosimd -DLSRL_WASM_SIMD=OFF).
// Prints the rates and the ratios wasm/native and simd/no-simd. Not a test.
//
//   NODE_PATH=/usr/share/nodejs node bench/wasm-simd-speed.mjs [--runs 5]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--runs');
const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
const lsrlc = path.resolve(process.env.LSRLC || path.join(repoDir, 'build', 'lsrlc'));
const program = path.join(repoDir, 'examples', 'discrete_ua.lsrl');
const source = fs.readFileSync(program, 'utf8');
const targets = ['dag', 'gated-linear-rnn', 'gru', 'lstm'];
const steps = 65536;

// Emscripten 3.1.6's ES module reads __dirname and require in Node
// (tests/wasm/load-module.mjs says more); each build gets its own factory.
async function loadBuild(dir) {
  const moduleFile = path.join(dir, 'lsrl.mjs');
  if (!fs.existsSync(moduleFile)) return null;
  globalThis.__dirname = dir;
  globalThis.require = createRequire(moduleFile);
  const { default: create } = await import(pathToFileURL(moduleFile).href);
  return create({ wasmBinary: fs.readFileSync(path.join(dir, 'lsrl.wasm')), print: () => {}, printErr: () => {} });
}

// The query CAN, then letters 1..26 from a fixed linear congruential sequence.
const tokens = [3, 1, 14];
let seed = 1;
while (tokens.length < steps) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  tokens.push(1 + (seed % 26));
}
const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lsrl-simd-')), 'tokens.csv');
fs.writeFileSync(csv, tokens.join('\n') + '\n');

function nativeRate(target) {
  const millis = [];
  for (let r = 0; r < runs; r++) {
    const result = spawnSync(lsrlc, ['run', program, '--target', target, '--max-length', String(steps), '--input-file', csv, '--json'],
      { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(result.stderr);
    millis.push(JSON.parse(result.stdout).run_ms);
  }
  return steps / (Math.min(...millis) / 1000);
}

function wasmRate(module, target) {
  const session = new module.Session(1);
  const compiled = session.compile(source, { target, maxLength: steps, filename: 'discrete_ua.lsrl' });
  if (!compiled.ok) throw new Error(compiled.diagnostics[0].rendered);
  const data = Float64Array.from(tokens);
  const millis = [];
  for (let r = 0; r < runs; r++) {
    const ran = session.run(compiled.modelId, data, steps, 1, 'f64', false);
    if (!ran.ok) throw new Error(ran.diagnostics[0].rendered);
    millis.push(ran.runMs);
  }
  session.delete();
  return steps / (Math.min(...millis) / 1000);
}

const simd = await loadBuild(path.join(repoDir, 'build-wasm'));
const plain = await loadBuild(path.join(repoDir, 'build-wasm-nosimd'));
if (!simd) throw new Error('build-wasm/ has no lsrl.mjs: bash scripts/build-site.sh --engine-only');
const format = (x) => (x === null ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const ratio = (a, b) => (a === null || b === null ? 'n/a' : (a / b).toFixed(2));
console.log(`discrete_ua n = 3, ${steps} tokens, f64, best of ${runs} runs; ${os.cpus()[0].model}, load ${os.loadavg()[0].toFixed(1)}; node ${process.version}\n`);
console.log('| target | native tok/s | wasm -msimd128 tok/s | wasm no SIMD tok/s | wasm / native | simd / no simd |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const target of targets) {
  const native = nativeRate(target);
  const withSimd = wasmRate(simd, target);
  const without = plain ? wasmRate(plain, target) : null;
  console.log(`| ${target} | ${format(native)} | ${format(withSimd)} | ${format(without)} | ${ratio(withSimd, native)} | ${ratio(withSimd, without)} |`);
}
