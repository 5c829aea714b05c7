// The compile options beyond target and activations: linearChains (keep a
// Linear the compiler kept apart as a layer of its own, or fuse it into the
// MLP's affine maps), maxLength (Hawk/Griffin/Mamba's convolution window) and
// the paper's layer bound in the summary, in the WebAssembly module and
// against the native lsrlc.

import test from 'node:test';
import assert from 'node:assert/strict';

import { loadModule, rows, flatten } from './load-module.mjs';
import { examples, nativeCompileJson, nativeRun, writeTokensCsv } from './native.mjs';

const module = await loadModule();
const session = new module.Session(1);

const example = (name) => {
  const found = examples().find((e) => e.name === name);
  assert.ok(found, `examples/${name}.lsrl is missing`);
  return found;
};

function run(modelId, tokens) {
  const { data, steps, dim } = flatten(tokens);
  return session.run(modelId, data, steps, dim, 'f64', false);
}

// Largest |a - b| / max(1, |b|) over every output.
function relativeDeviation(actual, expected) {
  assert.equal(actual.length, expected.length, 'as many output steps');
  let worst = 0;
  actual.forEach((row, s) => row.forEach((a, u) => {
    const b = expected[s][u];
    worst = Math.max(worst, Math.abs(a - b) / Math.max(1, Math.abs(b)));
  }));
  return worst;
}

test('the target list says which targets read linearChains and maxLength', () => {
  const flags = Object.fromEntries(module.targets().map((t) => [t.name, [t.uses_linear_chains, t.uses_max_length]]));
  for (const name of ['dag', 'linear-rnn', 'gated-linear-rnn']) assert.deepEqual(flags[name], [false, false], name);
  for (const name of ['rnn', 'gated-rnn']) assert.deepEqual(flags[name], [true, false], name);
  // GRU and LSTM bound their values over maxLength steps (static range analysis).
  for (const name of ['gru', 'lstm', 'hawk', 'griffin', 'mamba']) assert.deepEqual(flags[name], [true, true], name);
});

// continuous_ua's original form cancels lambda = 1e10 in its f_ifelse: the
// compiler keeps those Linear chains apart, because fusing them rounds
// differently from the program.
test('continuous_ua (form=original) on rnn: keep follows the program, fuse has the paper\'s fewer layers', (t) => {
  const ua = example('continuous_ua');
  const prompt = ua.companion.prompt;
  const params = { ...ua.companion.params, form: 'original' };
  const paramPairs = Object.entries(params).map(([k, v]) => [k, String(v)]);
  const built = module.continuousPrompt(prompt.function, prompt.query.length, prompt.cells, prompt.query);
  assert.ok(built.ok, JSON.stringify(built.diagnostics));
  const tokens = rows(built.tokens);

  const dag = session.compile(ua.source, { target: 'dag', params: paramPairs });
  assert.ok(dag.ok, JSON.stringify(dag.diagnostics));
  assert.equal(dag.summary.layer_bound, null, 'dag has no layer bound');
  const dagRun = run(dag.model_id, tokens);
  assert.ok(dagRun.ok, JSON.stringify(dagRun.diagnostics));
  const programOutputs = rows(dagRun.outputs);

  const models = {};
  for (const linearChains of ['keep', 'fuse']) {
    const compiled = session.compile(ua.source, { target: 'rnn', params: paramPairs, linearChains });
    assert.ok(compiled.ok, `${linearChains}: ${JSON.stringify(compiled.diagnostics)}`);
    const bound = compiled.summary.layer_bound;
    assert.ok(bound, `${linearChains}: the summary has the layer bound`);
    assert.equal(bound.linear_chains, linearChains);
    assert.ok(bound.layers <= bound.bound, `${linearChains}: ${bound.layers} layers, bound ${bound.bound}`);
    assert.equal(bound.layers, compiled.summary.layers.length - 1, 'the bound counts the layers without the output head');
    assert.equal(typeof bound.rule, 'string');
    for (const key of ['path_layers', 'relu_layers', 'kept_linear_layers', 'product_layers']) {
      assert.ok(Number.isInteger(bound[key]) && bound[key] >= 0, `${linearChains}: ${key} = ${bound[key]}`);
    }
    // The same bound as lsrlc's compile --json.
    const native = nativeCompileJson(ua.file, ['--target', 'rnn', '--linear-chains', linearChains,
      ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])]);
    assert.deepEqual(
      [bound.bound, bound.layers, bound.path_layers, bound.relu_layers, bound.kept_linear_layers, bound.product_layers],
      ['bound', 'layers', 'path_layers', 'relu_layers', 'kept_linear_layers', 'product_layers'].map((k) => native.layer_bound[k]),
      `${linearChains}: the layer bound of lsrlc compile --json`);
    const ran = run(compiled.model_id, tokens);
    assert.ok(ran.ok, `${linearChains}: ${JSON.stringify(ran.diagnostics)}`);
    models[linearChains] = { compiled, outputs: rows(ran.outputs) };
  }

  const keepDeviation = relativeDeviation(models.keep.outputs, programOutputs);
  assert.ok(keepDeviation <= 1e-9, `keep deviates from the program by ${keepDeviation} (relative)`);
  assert.ok(models.fuse.compiled.summary.layers.length < models.keep.compiled.summary.layers.length,
    `fuse: ${models.fuse.compiled.summary.layers.length} layers, keep: ${models.keep.compiled.summary.layers.length}`);
  assert.equal(models.fuse.compiled.summary.layer_bound.kept_linear_layers, 0);
  assert.ok(models.keep.compiled.summary.layer_bound.kept_linear_layers > 0);
  t.diagnostic(`layers keep ${models.keep.compiled.summary.layers.length}, fuse ${models.fuse.compiled.summary.layers.length}; ` +
    `fuse deviates from the program by ${relativeDeviation(models.fuse.outputs, programOutputs)} (relative)`);
  for (const id of [dag.model_id, models.keep.compiled.model_id, models.fuse.compiled.model_id]) session.release(id);
});

test('the layer bound is null on the linear targets and present on every non-linear one', () => {
  const { source } = example('more_ones');
  for (const target of module.targets().filter((x) => x.available)) {
    const compiled = session.compile(source, { target: target.name });
    assert.ok(compiled.ok, `${target.name}: ${JSON.stringify(compiled.diagnostics)}`);
    const bound = compiled.summary.layer_bound;
    if (target.uses_linear_chains) assert.ok(bound && bound.layers <= bound.bound, `${target.name}: ${JSON.stringify(bound)}`);
    else assert.equal(bound, null, target.name);
    session.release(compiled.model_id);
  }
});

test('bad linearChains and maxLength values are refused with a message, never thrown', () => {
  const { source } = example('more_ones');
  const refusals = [
    [{ target: 'rnn', linearChains: 'Fuse' }, /linearChains 'Fuse'.*'keep' or 'fuse'/],
    [{ target: 'rnn', linearChains: 'auto' }, /linearChains 'auto'/],
    [{ target: 'rnn', linearChains: '' }, /linearChains ''/],
    [{ target: 'rnn', linearChains: 1 }, /linearChains '1'/],
    [{ target: 'hawk', maxLength: 0 }, /between 1 and 65536 tokens \(got 0\)/],
    [{ target: 'hawk', maxLength: -5 }, /between 1 and 65536 tokens \(got -5\)/],
    [{ target: 'hawk', maxLength: 65537 }, /between 1 and 65536 tokens \(got 65537\)/],
    [{ target: 'hawk', maxLength: 2.5 }, /whole number of tokens between 1 and 65536 \(got 2\.5\)/],
    [{ target: 'hawk', maxLength: 1e12 }, /whole number .*\(got 1000000000000\)/],
    [{ target: 'hawk', maxLength: NaN }, /whole number of tokens between 1 and 65536$/],
    [{ target: 'hawk', maxLength: Infinity }, /whole number/],
    [{ target: 'hawk', maxLength: null }, /whole number/],
    [{ target: 'hawk', maxLength: '4096' }, /whole number/],
    // The range is checked whatever the target (as lsrlc does).
    [{ target: 'dag', maxLength: 0 }, /between 1 and 65536/],
  ];
  for (const [options, message] of refusals) {
    let result;
    assert.doesNotThrow(() => { result = session.compile(source, options); }, JSON.stringify(options));
    assert.equal(result.ok, false, `${JSON.stringify(options)} compiled`);
    assert.equal(result.model_id, null);
    assert.equal(result.diagnostics[0].severity, 'error');
    assert.match(result.diagnostics[0].message, message, String(options.maxLength ?? options.linearChains));
  }
  // Left out, or undefined: the defaults (keep, 4096).
  for (const options of [{ target: 'hawk' }, { target: 'hawk', linearChains: undefined, maxLength: undefined }]) {
    const compiled = session.compile(source, options);
    assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
    assert.equal(compiled.summary.layer_bound.linear_chains, 'keep');
    session.release(compiled.model_id);
  }
});

// counter's hawk model holds its states in the causal convolution (lsrlc
// compile --target hawk --json: metadata.exact_up_to_tokens is the length).
test('maxLength: hawk runs exactly up to it, and a longer run fails saying to compile with a larger one', () => {
  const counter = example('counter');
  const tokens = [[2], [4], [6], [8], [10]];
  const native = nativeCompileJson(counter.file, ['--target', 'hawk', '--max-length', '5']);
  assert.equal(native.metadata.exact_up_to_tokens, 5, 'counter needs the horizon on hawk');

  const enough = session.compile(counter.source, { target: 'hawk', maxLength: 5 });
  assert.ok(enough.ok, JSON.stringify(enough.diagnostics));
  const ran = run(enough.model_id, tokens);
  assert.ok(ran.ok, JSON.stringify(ran.diagnostics));
  const nativeRan = nativeRun(counter.file, ['--target', 'hawk', '--max-length', '5', '--input-file', writeTokensCsv(tokens)]);
  const deviation = relativeDeviation(rows(ran.outputs), nativeRan.outputs);
  assert.ok(deviation <= 1e-9, `wasm deviates from lsrlc by ${deviation}`);
  session.release(enough.model_id);

  const tooShort = session.compile(counter.source, { target: 'hawk', maxLength: 4 });
  assert.ok(tooShort.ok, JSON.stringify(tooShort.diagnostics));
  const failed = run(tooShort.model_id, tokens);
  assert.equal(failed.ok, false, 'a run longer than maxLength fails');
  assert.equal(failed.diagnostics[0].severity, 'error');
  assert.match(failed.diagnostics[0].message, /the prompt has 5 tokens but the model was built for at most 4 .*maximum sequence length/);
  // The page's users meet the option by its name on the page, not lsrlc's flag.
  assert.match(failed.diagnostics[0].message, /\(set by maxLength, the page's max length\).*\(maxLength 5, the page's max length\)$/);
  assert.doesNotMatch(failed.diagnostics[0].message, /--max-length/);
  assert.ok(run(tooShort.model_id, tokens.slice(0, 4)).ok, 'up to maxLength tokens it runs');
  session.release(tooShort.model_id);
});
