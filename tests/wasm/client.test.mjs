// LsrlClient (web/src/lsrl-client.js) talking to the real worker
// (web/src/worker.js) and module, in a Node worker thread standing in for a
// browser module worker: the protocol, the result shapes of docs/api.md,
// transfers, bad arguments, and cancelling a long run.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { repoDir, wasmDir } from './load-module.mjs';
import { installWorkerShim } from './web-worker-shim.mjs';
import { examples, nativeRun, writeTokensCsv } from './native.mjs';

installWorkerShim();
const { LsrlClient } = await import(pathToFileURL(path.join(repoDir, 'web', 'src', 'lsrl-client.js')).href);

function newClient() {
  return new LsrlClient({
    workerUrl: pathToFileURL(path.join(repoDir, 'web', 'src', 'worker.js')),
    moduleUrl: pathToFileURL(path.join(wasmDir, 'lsrl.mjs')).href,
    wasmBinary: fs.readFileSync(path.join(wasmDir, 'lsrl.wasm')),
  });
}

const exampleSource = (name) => examples().find((e) => e.name === name).source;

test('ready() gives the version and every target, dag first', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const { version, targets } = await client.ready();
  assert.match(version, /^\d+\.\d+\.\d+/);
  assert.equal(targets[0].name, 'dag');
  const names = targets.map((target) => target.name);
  for (const name of ['linear-rnn', 'gated-linear-rnn']) assert.ok(names.includes(name), `${name} is listed`);
  for (const target of targets) {
    assert.equal(typeof target.description, 'string');
    assert.equal(typeof target.available, 'boolean');
    assert.equal(typeof target.reason, 'string');
    assert.equal(typeof target.supports_multi, 'boolean');
    assert.equal(typeof target.has_activation_modes, 'boolean');
    assert.equal(typeof target.uses_linear_chains, 'boolean');
    assert.equal(typeof target.uses_max_length, 'boolean');
    if (!target.available) assert.ok(target.reason.length > 0, `${target.name} is unavailable without a reason`);
  }
});

test('compile and run more_ones with a trace: outputs equal lsrlc, shapes as documented', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const compiled = await client.compile(exampleSource('more_ones'), { target: 'gated-linear-rnn', filename: 'more_ones.lsrl' });
  assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
  assert.equal(typeof compiled.model_id, 'number');
  assert.equal(compiled.info.input_dim, 1);
  assert.equal(compiled.info.output_dim, 1);
  assert.equal(compiled.summary.target, 'gated-linear-rnn');
  assert.ok(compiled.summary.layers.length >= 1);
  assert.ok(compiled.summary.params > 0 && compiled.summary.nonzeros > 0);
  assert.equal(typeof compiled.summary.compile_ms, 'number');
  assert.ok(Array.isArray(compiled.graphs.program.nodes) && compiled.graphs.program.nodes.length > 0);

  const tokens = [[1], [0], [1], [1], [0], [0], [0], [1], [1]];
  const ran = await client.run(compiled.model_id, tokens, { trace: true, precision: 'f64' });
  assert.ok(ran.ok, JSON.stringify(ran.diagnostics));
  const native = nativeRun(path.join(repoDir, 'examples', 'more_ones.lsrl'),
                           ['--target', 'gated-linear-rnn', '--input-file', writeTokensCsv(tokens)]);
  assert.deepEqual(ran.outputs, native.outputs);
  assert.equal(typeof ran.run_ms, 'number');
  // Measured against the program on the same tokens: this target is exact.
  assert.deepEqual(ran.fidelity, { max_deviation: 0, wrong_tokens: null });
  assert.equal(ran.trace.steps, tokens.length);
  assert.ok(ran.trace.series.length > 0);
  for (const series of ran.trace.series) {
    assert.ok(series.values instanceof Float64Array, `${series.label}: values is a Float64Array`);
    assert.equal(series.values.length, ran.trace.steps * series.dim, `${series.label}: steps x dim values`);
    assert.equal(typeof series.label, 'string');
    assert.equal(typeof series.kind, 'string');
    assert.equal(typeof series.layer, 'number');
  }

  const dagCompiled = await client.compile(exampleSource('more_ones'), { target: 'dag' });
  const dagRun = await client.run(dagCompiled.model_id, tokens, { trace: true });
  assert.deepEqual(dagRun.outputs, native.outputs, 'dag and gated-linear-rnn agree');
  assert.equal(dagRun.fidelity, null, 'the program is not compared with itself');
  const labels = dagRun.trace.series.map((s) => s.label);
  for (const name of ['ctr1s', 'ctr0s', 'is_zero']) assert.ok(labels.includes(name), `the dag trace has ${name}`);
  const f16 = await client.run(dagCompiled.model_id, tokens, { precision: 'f16' });
  assert.ok(f16.ok);
  assert.equal(f16.trace, null, 'no trace unless asked');
});

test('a compiled run reports its measured fidelity, as lsrlc run --json does, right or wrong', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  // discrete_ua's multiplicative forms on gru with the standard activations:
  // products in the sigmoid's linear region, every token right (docs/targets.md
  // section 9). Both reports must equal lsrlc's.
  const source = exampleSource('discrete_ua');
  for (const form of ['multiplicative_optimized', 'multiplicative']) {
    const compiled = await client.compile(source, { target: 'gru', activations: 'standard', filename: 'discrete_ua.lsrl',
                                                    params: { form } });
    assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
    const encoded = await client.encodeText('CANAUSVIECANOTT', compiled.model_id);
    assert.ok(encoded.ok);
    const ran = await client.run(compiled.model_id, encoded.tokens, {});
    assert.ok(ran.ok, JSON.stringify(ran.diagnostics));
    const native = nativeRun(path.join(repoDir, 'examples', 'discrete_ua.lsrl'),
                             ['--target', 'gru', '--activations', 'standard', '--param', `form=${form}`,
                              '--text', 'CANAUSVIECANOTT']);
    // The same model as lsrlc run's (no prompt changes the weights), the same report.
    assert.equal(ran.fidelity.wrong_tokens, native.fidelity.wrong_tokens, form);
    assert.equal(ran.fidelity.max_deviation, native.fidelity.max_deviation, form);
    assert.equal(ran.fidelity.wrong_tokens, 0, form);
    client.release(compiled.model_id);
  }
  // A model that is measurably off: continuous_ua's original form with its
  // Linear chains fused (one affine map per MLP layer rounds differently, and
  // lambda = 1e10 amplifies it: 0.34 on every target, docs/targets.md).
  const continuous = exampleSource('continuous_ua');
  const fused = await client.compile(continuous, { target: 'gru', linearChains: 'fuse', filename: 'continuous_ua.lsrl',
                                                   params: { form: 'original' } });
  assert.ok(fused.ok, JSON.stringify(fused.diagnostics));
  const prompt = await client.continuousPrompt('sin(3*x1)*x2', 2, 6, [0.3, 0.7]);
  assert.ok(prompt.ok);
  const ran = await client.run(fused.model_id, prompt.tokens, {});
  assert.ok(ran.ok, JSON.stringify(ran.diagnostics));
  const native = nativeRun(path.join(repoDir, 'examples', 'continuous_ua.lsrl'),
                           ['--target', 'gru', '--linear-chains', 'fuse', '--param', 'form=original',
                            '--prompt-fn', 'sin(3*x1)*x2', '--cells', '6', '--query', '0.3,0.7']);
  assert.equal(ran.fidelity.wrong_tokens, null, 'no vocabulary, no tokens to count');
  assert.equal(ran.fidelity.max_deviation, native.fidelity.max_deviation);
  assert.ok(ran.fidelity.max_deviation > 1e-3, JSON.stringify(ran.fidelity));
});

test('the module builds the model lsrlc run builds, whatever the prompt, and reports its input domain', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const source = exampleSource('discrete_ua');
  const compiled = await client.compile(source, { target: 'gru', activations: 'standard', filename: 'discrete_ua.lsrl' });
  assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
  assert.equal(compiled.summary.calibration, undefined);
  assert.deepEqual(compiled.summary.input_domain, { lower: [0], upper: [26], bounds_source: 'vocabulary',
                                                   max_length: 4096, max_length_source: 'default' });
  const encoded = await client.encodeText('CANAUSVIECANOTT', compiled.model_id);
  assert.ok(encoded.ok);
  const ran = await client.run(compiled.model_id, encoded.tokens, {});
  assert.ok(ran.ok, JSON.stringify(ran.diagnostics));
  const native = nativeRun(path.join(repoDir, 'examples', 'discrete_ua.lsrl'),
                           ['--target', 'gru', '--activations', 'standard', '--text', 'CANAUSVIECANOTT']);
  assert.equal(ran.outputs.length, native.outputs.length);
  ran.outputs.forEach((row, i) => row.forEach((v, j) => {
    const want = native.outputs[i][j];
    assert.ok(Math.abs(v - want) <= 1e-12 * Math.max(1, Math.abs(want)), `step ${i}: ${v} vs lsrlc ${want}`);
  }));
  assert.equal(ran.text, native.text);
  // A prompt outside the domain is refused before running, saying what to declare.
  const outside = await client.run(compiled.model_id, [[1], [27]], {});
  assert.equal(outside.ok, false);
  assert.match(outside.diagnostics[0].message, /token 2, component 1 is 27, outside the input bounds \[0, 26\]/);
  assert.match(outside.diagnostics[0].message, /bounds=\[lo, hi\]/);
});

test('compile passes linearChains and maxLength on to the module', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const source = exampleSource('more_ones');
  const keep = await client.compile(source, { target: 'rnn' });
  const fuse = await client.compile(source, { target: 'rnn', linearChains: 'fuse' });
  assert.ok(keep.ok && fuse.ok, JSON.stringify([keep.diagnostics, fuse.diagnostics]));
  assert.equal(keep.summary.layer_bound.linear_chains, 'keep', 'keep is the default');
  assert.equal(fuse.summary.layer_bound.linear_chains, 'fuse');
  assert.ok(fuse.summary.layers.length < keep.summary.layers.length);

  const short = await client.compile(exampleSource('counter'), { target: 'hawk', maxLength: 2 });
  assert.ok(short.ok, JSON.stringify(short.diagnostics));
  const tooLong = await client.run(short.model_id, [[1], [2], [3]]);
  assert.equal(tooLong.ok, false);
  assert.match(tooLong.diagnostics[0].message, /the prompt has 3 tokens but the model was built for at most 2 .*maximum sequence length/);

  for (const [options, message] of [
    [{ target: 'rnn', linearChains: 'fused' }, /unknown linearChains 'fused'/],
    [{ target: 'hawk', maxLength: 0 }, /between 1 and 65536 tokens \(got 0\)/],
    [{ target: 'hawk', maxLength: '' }, /whole number of tokens/],
  ]) {
    const refused = await client.compile(source, options);
    assert.equal(refused.ok, false, JSON.stringify(options));
    assert.equal(refused.model_id, null);
    assert.match(refused.diagnostics[0].message, message);
  }
});

test('errors arrive as diagnostics, bad arguments too; nothing rejects', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const broken = await client.compile('input = Input(dim=1)\nreturn f_larg(input, input)\n', { target: 'dag' });
  assert.equal(broken.ok, false);
  assert.equal(broken.diagnostics[0].line, 2);
  assert.ok(broken.diagnostics[0].col >= 1);
  assert.match(broken.diagnostics[0].message, /f_larger/, 'suggests the closest name');

  const notText = await client.compile(42, {});
  assert.equal(notText.ok, false);
  assert.match(notText.diagnostics[0].message, /source/);
  const ragged = await client.run(1, [[1, 2], [3]]);
  assert.equal(ragged.ok, false);
  assert.match(ragged.diagnostics[0].message, /row 2/);
  const notTokens = await client.run(1, 'hello');
  assert.equal(notTokens.ok, false);
  const badId = await client.run('one', [[1]]);
  assert.equal(badId.ok, false);
  const unknown = await client.run(424242, [[1]]);
  assert.equal(unknown.ok, false);
  const badExport = await client.exportModel(424242, 'onnx');
  assert.equal(badExport.ok, false);
});

test('prompt helpers return tokens as number[][]', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const parsed = await client.parseTokens('1,2; 3,4', 2);
  assert.deepEqual(parsed.tokens, [[1, 2], [3, 4]]);
  const csv = await client.parseCsv('1,2\n3,4\n', 2);
  assert.deepEqual(csv.tokens, [[1, 2], [3, 4]]);

  const vocab = '?ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const asArrays = await client.dictionaryPrompt('CAN', [['CAN', 'OTT'], ['FRA', 'PAR']], vocab);
  const asObjects = await client.dictionaryPrompt('CAN', [{ key: 'CAN', value: 'OTT' }, { key: 'FRA', value: 'PAR' }], vocab);
  const asMap = await client.dictionaryPrompt('CAN', { CAN: 'OTT', FRA: 'PAR' }, vocab);
  assert.ok(asArrays.ok);
  assert.equal(asArrays.tokens.length, 3 + 2 * 6);
  assert.deepEqual(asObjects.tokens, asArrays.tokens);
  assert.deepEqual(asMap.tokens, asArrays.tokens);

  const continuous = await client.continuousPrompt('sin(3*x1)*x2', 2, 3, [0.3, 0.7]);
  assert.ok(continuous.ok);
  assert.equal(continuous.tokens.length, 1 + 3 * 3);
  const values = await client.evaluateFunction('x1 + 2*x2', 2, [[0, 0], [0.5, 0.25], [1, 1]]);
  assert.ok(values.ok);
  assert.deepEqual(values.values, [[0], [1], [3]]);
  const badPoints = await client.evaluateFunction('x1', 2, [[0.5]]);
  assert.equal(badPoints.ok, false);

  const discrete = await client.compile(exampleSource('discrete_ua'), { target: 'dag', params: { n: 3 } });
  assert.ok(discrete.ok, JSON.stringify(discrete.diagnostics));
  const encoded = await client.encodeText('CAN', discrete.model_id);
  assert.deepEqual(encoded.tokens, [[3], [1], [14]]);
});

test('exportModel gives the bytes and a file name; dag has nothing to export', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const compiled = await client.compile(exampleSource('more_ones'), { target: 'gated-linear-rnn', filename: 'more_ones.lsrl' });
  const exported = await client.exportModel(compiled.model_id, 'json');
  assert.ok(exported.ok, JSON.stringify(exported.diagnostics));
  assert.ok(exported.bytes instanceof Uint8Array);
  assert.equal(exported.filename, 'more_ones-gated-linear-rnn.json');
  const parsed = JSON.parse(new TextDecoder().decode(exported.bytes));
  assert.ok(parsed.tensors && parsed.metadata, 'the JSON export has metadata and tensors');

  const dag = await client.compile(exampleSource('more_ones'), { target: 'dag' });
  const none = await client.exportModel(dag.model_id, 'json');
  assert.equal(none.ok, false);
  assert.match(none.diagnostics[0].message, /dag/);
});

test('release frees a model', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const compiled = await client.compile(exampleSource('more_ones'), { target: 'dag' });
  const released = await client.release(compiled.model_id);
  assert.equal(released.released, true);
  const after = await client.run(compiled.model_id, [[1]]);
  assert.equal(after.ok, false);
  assert.match(after.diagnostics[0].message, /compile again/);
});

test('cancel() stops a long run at once, rejects it with .cancelled, and the client keeps working', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  // The longest prompt a model may be built for (65,536 tokens) through the
  // slowest compiled run (lstm with its sigmoid and tanh layers): about 5 s in
  // Node on the development machine, so a cancel after 100 ms lands mid-run on
  // any machine up to 50 times faster. A prompt over the model's maxLength
  // would be refused in a millisecond and never reach the cancel.
  const maxLength = 65536;
  const compiled = await client.compile(exampleSource('discrete_ua'), { target: 'lstm', params: { n: 3 }, maxLength });
  assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
  assert.equal(compiled.summary.input_domain.max_length, maxLength);
  const huge = Array.from({ length: maxLength }, (_, i) => [1 + (i % 26)]);
  const started = Date.now();
  const running = client.run(compiled.model_id, huge);
  const pendingExport = client.exportModel(compiled.model_id, 'json');  // queued behind the run
  await new Promise((resolve) => setTimeout(resolve, 100));
  client.cancel();
  await assert.rejects(running, (error) => error.cancelled === true);
  await assert.rejects(pendingExport, (error) => error.cancelled === true);
  assert.ok(Date.now() - started < 5000, 'cancelled promptly');

  await client.ready();
  const old = await client.run(compiled.model_id, [[1]]);
  assert.equal(old.ok, false, 'models of the old worker are gone');
  const again = await client.compile(exampleSource('more_ones'), { target: 'dag' });
  assert.ok(again.ok);
  assert.ok(again.model_id > compiled.model_id, 'a new worker never reuses a model id');
  const ran = await client.run(again.model_id, [[1], [0], [1]]);
  assert.ok(ran.ok);
});

// The noise lab's sweep (noiseSweep) is the command line's (`lsrlc noise
// --json`): the same rows, value for value, for the same sigmas, trials and
// seed; the forms linear-rnn cannot hold are left out with their message.
test('noiseSweep gives what lsrlc noise prints, dictionary and continuous', async (t) => {
  const client = newClient();
  t.after(() => client.dispose());
  const { execFileSync } = await import('node:child_process');
  const { lsrlcPath, examplesDir } = await import('./native.mjs');
  for (const [name, target] of [['discrete_ua', 'linear-rnn'], ['continuous_ua', 'gated-linear-rnn']]) {
    const example = examples().find((e) => e.name === name);
    const prompt = example.companion.prompt;
    const sweepPrompt = prompt.kind === 'dictionary'
      ? { kind: 'dictionary', pairs: prompt.pairs }
      : { kind: 'continuous', function: prompt.function, cells: prompt.cells, query: prompt.query };
    const params = Object.fromEntries(Object.entries(example.companion.params || {}).filter(([k]) => k !== 'form'));
    const got = await client.noiseSweep(example.source, {
      target, params, filename: `${name}.lsrl`, sigmas: [0, 1e-7, 1e-3], trials: 2, seed: 5, prompt: sweepPrompt,
    });
    assert.equal(got.ok, true, JSON.stringify(got.diagnostics));
    const native = JSON.parse(execFileSync(lsrlcPath, ['noise', path.join(examplesDir, `${name}.lsrl`), '--target', target,
      '--sigmas', '0,1e-7,1e-3', '--trials', '2', '--seed', '5', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    assert.equal(got.measure, native.measure);
    assert.equal(got.queries, native.queries);
    assert.deepEqual(got.rows, native.rows);
    assert.ok(got.rows.some((r) => r.sigma === 0 && r.value === 0));
    assert.ok(got.rows.filter((r) => r.sigma === 0).every((r) => r.value === 0), 'no noise, no error');
    if (target === 'linear-rnn') {
      assert.deepEqual(got.left_out.map((l) => l.form).sort(), ['multiplicative', 'multiplicative_optimized']);
      assert.match(got.left_out[0].message, /Multi/);
    }
  }
  const bad = await client.noiseSweep(exampleSource('discrete_ua'), { target: 'lstm', sigmas: [0], trials: 1, prompt: { kind: 'dictionary', pairs: [['CAN', 'OTT']] } });
  assert.equal(bad.ok, false);
  assert.match(bad.diagnostics[0].message, /gated-linear-rnn/);
});
