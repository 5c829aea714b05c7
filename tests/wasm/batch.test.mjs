// Batched runs in the WebAssembly module: Session.runBatch gives every prompt
// exactly (bit for bit) what Session.run gives it alone, and what the native
// `lsrlc run --batch` prints for it; LsrlClient.runBatch through the real
// worker gives the same numbers; a bad prompt is named.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

import { loadModule, rows, flatten, repoDir, wasmDir } from './load-module.mjs';
import { examples, lsrlcPath } from './native.mjs';
import { installWorkerShim } from './web-worker-shim.mjs';

const module = await loadModule();
const session = new module.Session(1);
const source = examples().find((e) => e.name === 'discrete_ua').source;

// Deterministic prompts of letters (ids 1..26), of several lengths, some
// longer than the executors' 64-step chunks.
function prompts() {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % 26);
  };
  return [9, 1, 130, 64, 27].map((length) => Array.from({ length }, () => [next()]));
}

function runBatch(modelId, batch, precision = 'f64') {
  const flat = flatten(batch.flat());
  return session.runBatch(modelId, flat.data, batch.map((p) => p.length), 1, precision, true);
}

for (const target of ['dag', 'gated-linear-rnn', 'gru', 'lstm']) {
  test(`runBatch on ${target} equals run on each prompt alone, bit for bit`, () => {
    const compiled = session.compile(source, { target, filename: 'discrete_ua.lsrl' });
    assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
    const batch = prompts();
    const result = runBatch(compiled.model_id, batch);
    assert.ok(result.ok, JSON.stringify(result.diagnostics));
    assert.deepEqual(result.lengths, batch.map((p) => p.length));
    const all = rows(result.outputs);
    let next = 0;
    batch.forEach((prompt, i) => {
      const flat = flatten(prompt);
      const alone = session.run(compiled.model_id, flat.data, flat.steps, flat.dim, 'f64', false);
      assert.ok(alone.ok, JSON.stringify(alone.diagnostics));
      const mine = all.slice(next, next + prompt.length);
      next += prompt.length;
      // Object.is tells +0 from -0; deepStrictEqual compares with it.
      assert.deepStrictEqual(mine, rows(alone.outputs), `prompt ${i + 1}`);
      assert.equal(result.texts[i], alone.text);
      assert.deepEqual(result.fidelities[i], alone.fidelity);
    });
    session.release(compiled.model_id);
  });
}

test('runBatch agrees with lsrlc run --batch', () => {
  const compiled = session.compile(source, { target: 'gru', filename: 'discrete_ua.lsrl' });
  assert.ok(compiled.ok);
  const batch = prompts();
  const result = runBatch(compiled.model_id, batch);
  assert.ok(result.ok);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsrl-batch-'));
  const file = path.join(dir, 'prompts.txt');
  fs.writeFileSync(file, batch.map((p) => p.map((t) => String(t[0])).join(' ')).join('\n') + '\n');
  const program = path.join(repoDir, 'examples', 'discrete_ua.lsrl');
  const native = spawnSync(lsrlcPath, ['run', program, '--target', 'gru', '--batch', file, '--json'], { encoding: 'utf8' });
  assert.equal(native.status, 0, native.stderr);
  const parsed = JSON.parse(native.stdout);
  assert.equal(parsed.results.length, batch.length);
  const all = rows(result.outputs);
  let next = 0;
  parsed.results.forEach((one, i) => {
    assert.deepStrictEqual(all.slice(next, next + batch[i].length), one.outputs, `prompt ${i + 1}`);
    next += batch[i].length;
  });
  session.release(compiled.model_id);
});

test('runBatch names the prompt at fault and runs nothing', () => {
  const compiled = session.compile(source, { target: 'gru', filename: 'discrete_ua.lsrl' });
  const result = runBatch(compiled.model_id, [[[1], [2]], [[1], [99]]]);
  assert.equal(result.ok, false);
  assert.match(result.diagnostics[0].message, /^prompt 2: /);
  assert.equal(result.lengths.length, 0);
  const badLengths = session.runBatch(compiled.model_id, new Float64Array(3), [1, 1.5], 1, 'f64', true);
  assert.equal(badLengths.ok, false);
  session.release(compiled.model_id);
});

test('LsrlClient.runBatch through the worker gives one output array per prompt', async (t) => {
  installWorkerShim();
  const { LsrlClient } = await import(pathToFileURL(path.join(repoDir, 'web', 'src', 'lsrl-client.js')).href);
  const client = new LsrlClient({
    workerUrl: pathToFileURL(path.join(repoDir, 'web', 'src', 'worker.js')),
    moduleUrl: pathToFileURL(path.join(wasmDir, 'lsrl.mjs')).href,
    wasmBinary: fs.readFileSync(path.join(wasmDir, 'lsrl.wasm')),
  });
  t.after(() => client.dispose());
  const compiled = await client.compile(source, { target: 'lstm', filename: 'discrete_ua.lsrl' });
  assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
  const batch = prompts();
  const result = await client.runBatch(compiled.model_id, batch, { compareWithProgram: false });
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  assert.equal(result.outputs.length, batch.length);
  for (let i = 0; i < batch.length; i++) {
    const alone = await client.run(compiled.model_id, batch[i]);
    assert.deepStrictEqual(result.outputs[i], alone.outputs, `prompt ${i + 1}`);
    assert.equal(result.fidelities[i], null);
  }
});
