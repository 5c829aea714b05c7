// One serialised form of the results: docs/schema/lsrl-result.schema.json.
// lsrlc's compile --json and run --json must validate against it; the wasm
// API's targets, diagnostics, program info, layers, PathModel layers, input
// domain, layer bound, fidelity and trace series must too, as they are (the
// same snake_case keys); and docs/api.md must name every key.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { loadModule, repoDir, rows, flatten } from './load-module.mjs';
import { spawnSync } from 'node:child_process';

import { examples, lsrlcPath, nativeRun, paramArgs } from './native.mjs';

const schema = JSON.parse(fs.readFileSync(path.join(repoDir, 'docs', 'schema', 'lsrl-result.schema.json'), 'utf8'));
const apiDoc = fs.readFileSync(path.join(repoDir, 'docs', 'api.md'), 'utf8');

// The part of JSON Schema the file uses: $ref into $defs, type (with
// 'integer' and type lists), enum, required, properties,
// additionalProperties, items, minimum, maximum. Returns the problems found,
// each with the path of the value.
function validate(value, node, where = '$', problems = []) {
  if (node.$ref) return validate(value, schema.$defs[node.$ref.replace('#/$defs/', '')], where, problems);
  const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (node.type) {
    const types = [].concat(node.type);
    const ok = types.some((t) => (t === 'integer' ? Number.isInteger(value) : typeOf(value) === t));
    if (!ok) {
      problems.push(`${where}: ${JSON.stringify(value)?.slice(0, 80)} is not ${types.join(' or ')}`);
      return problems;
    }
  }
  if (node.enum && !node.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of ${node.enum}`);
  if (typeof value === 'number') {
    if (node.minimum !== undefined && value < node.minimum) problems.push(`${where}: ${value} < ${node.minimum}`);
    if (node.maximum !== undefined && value > node.maximum) problems.push(`${where}: ${value} > ${node.maximum}`);
  }
  if (Array.isArray(value) && node.items) value.forEach((item, i) => validate(item, node.items, `${where}[${i}]`, problems));
  if (typeOf(value) === 'object') {
    for (const key of node.required || []) if (!(key in value)) problems.push(`${where}: no '${key}'`);
    for (const [key, item] of Object.entries(value)) {
      if (node.properties && key in node.properties) validate(item, node.properties[key], `${where}.${key}`, problems);
      else if (node.additionalProperties === false) problems.push(`${where}: '${key}' is not in the schema`);
      else if (typeof node.additionalProperties === 'object') validate(item, node.additionalProperties, `${where}.${key}`, problems);
    }
  }
  return problems;
}

function assertValid(value, def, what) {
  const problems = validate(value, { $ref: `#/$defs/${def}` });
  assert.deepEqual(problems, [], `${what}:\n${problems.slice(0, 10).join('\n')}`);
}

test('the validator refuses what the schema rules out', () => {
  const layer = { type: 'GRU', input_dim: 1, hidden_dim: 2, output_dim: 2, params: 3, nonzeros: 3, detail: '' };
  assert.deepEqual(validate(layer, { $ref: '#/$defs/layer' }), []);
  assert.equal(validate({ ...layer, hidden_dim: -1 }, { $ref: '#/$defs/layer' }).length, 1);
  assert.equal(validate({ ...layer, hiddenDim: 2 }, { $ref: '#/$defs/layer' }).length, 1, 'an unknown key');
  const { detail, ...withoutDetail } = layer;
  assert.equal(validate(withoutDetail, { $ref: '#/$defs/layer' }).length, 1, 'a missing key');
  assert.equal(validate({ ...layer, params: 1.5 }, { $ref: '#/$defs/layer' }).length, 1, 'not an integer');
});

const targets = ['dag', 'linear-rnn', 'gated-linear-rnn', 'gru', 'hawk'];

test('lsrlc compile --json validates for every example on several targets', () => {
  let validated = 0;
  for (const example of examples()) {
    for (const target of targets) {
      const compiled = spawnSync(lsrlcPath, ['compile', example.file, '--target', target, '--json',
        ...paramArgs(example.companion.params)], { encoding: 'utf8' });
      // A target that refuses the program (Multi on linear-rnn): nothing to validate.
      if (compiled.status !== 0) continue;
      assertValid(JSON.parse(compiled.stdout), 'compile_summary', `${example.name} on ${target}`);
      validated += 1;
    }
  }
  // dag and gated-linear-rnn take every example.
  assert.ok(validated >= 2 * examples().length, `only ${validated} summaries validated`);
});

test('lsrlc run --json validates, with a trace, text and fidelity', () => {
  const byName = Object.fromEntries(examples().map((e) => [e.name, e]));
  for (const target of ['dag', 'gru']) {
    assertValid(nativeRun(byName.more_ones.file, ['--target', target, '--input', '1 0 1 1', '--trace']), 'run_result',
      `more_ones on ${target}`);
  }
  const lookup = nativeRun(byName.discrete_ua.file, ['--target', 'gated-linear-rnn', '--text', 'CAN']);
  assert.equal(typeof lookup.text, 'string');
  assertValid(lookup, 'run_result', 'discrete_ua with text');
});

test('the wasm API\'s objects are the schema\'s, as they are', async () => {
  const module = await loadModule();
  const session = new module.Session(1);
  module.targets().forEach((t) => assertValid(t, 'target', `target ${t.name}`));
  const source = examples().find((e) => e.name === 'more_ones').source;
  for (const target of ['dag', 'gru']) {
    const compiled = session.compile(source, { target });
    assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
    assertValid(compiled.info, 'info', `${target} info`);
    const summary = compiled.summary;
    summary.layers.forEach((layer, i) => assertValid(layer, 'layer', `${target} summary.layers[${i}]`));
    (summary.path || []).forEach((layer, i) => assertValid(layer, 'path_layer', `${target} summary.path[${i}]`));
    assert.equal(summary.path === null, target === 'dag', 'the PathModel\'s layers on compiled targets only');
    assertValid(summary.input_domain, 'input_domain', `${target} summary.input_domain`);
    if (summary.layer_bound) assertValid(summary.layer_bound, 'layer_bound', `${target} summary.layer_bound`);
    const { data, steps, dim } = flatten([[1], [0], [1]]);
    const ran = session.run(compiled.model_id, data, steps, dim, 'f64', true);
    assert.ok(ran.ok, JSON.stringify(ran.diagnostics));
    if (ran.fidelity) assertValid(ran.fidelity, 'fidelity', `${target} fidelity`);
    for (const series of ran.trace.series) {
      const values = rows({ rows: ran.trace.steps, dim: series.dim, data: series.values });
      assertValid({ ...series, values }, 'trace_series', `${target} trace ${series.label}`);
    }
    session.release(compiled.model_id);
  }
  // A program with int, float and choice params: typed values, bounds, choices.
  const withParams = session.compile(examples().find((e) => e.name === 'discrete_ua').source, { target: 'dag' });
  assert.ok(withParams.ok && withParams.info.params.length > 0, JSON.stringify(withParams.diagnostics));
  assertValid(withParams.info, 'info', 'discrete_ua info');
  assert.ok(withParams.info.params.some((p) => p.kind === 'int' && typeof p.value === 'number'));
  assert.ok(withParams.info.params.some((p) => p.kind === 'choice' && typeof p.value === 'string'));
  session.release(withParams.model_id);
  // A constant f16 cannot hold, at its node, and the run in f16 it stops.
  const lambda = session.compile(examples().find((e) => e.name === 'discrete_ua').source,
    { target: 'hawk', params: [['form', 'original']] });
  assert.ok(lambda.ok, JSON.stringify(lambda.diagnostics));
  assert.ok(lambda.summary.precision_hazards.length > 0, 'discrete_ua holds lambda = 1e10');
  lambda.summary.precision_hazards.forEach((h, i) => assertValid(h, 'precision_hazard', `precision_hazards[${i}]`));
  const prompt = module.dictionaryPrompt('CAN', [['AUS', 'CAN'], ['CAN', 'OTT']], lambda.info.vocab);
  const { data: ids, steps: idSteps, dim: idDim } = flatten(rows(prompt.tokens));
  const stopped = session.run(lambda.model_id, ids, idSteps, idDim, 'f16', false);
  assert.equal(stopped.ok, false);
  assertValid(stopped.numeric_failure, 'numeric_failure', 'numeric_failure');
  stopped.diagnostics.forEach((d, i) => assertValid(d, 'diagnostic', `run diagnostics[${i}]`));
  session.release(lambda.model_id);
  const failed = session.compile('x = Input(dim=1)\nreturn y\n', { target: 'gru' });
  assert.equal(failed.ok, false);
  failed.diagnostics.forEach((d, i) => assertValid(d, 'diagnostic', `diagnostics[${i}]`));
  session.delete();
});

test('docs/api.md names every key of the schema', () => {
  const keys = new Set();
  const collect = (node) => {
    if (!node || typeof node !== 'object') return;
    if (node.properties) for (const key of Object.keys(node.properties)) keys.add(key);
    for (const child of Object.values(node)) collect(child);
  };
  collect(schema.$defs);
  const missing = [...keys].filter((key) => !new RegExp(`\\b${key}\\b`).test(apiDoc));
  assert.deepEqual(missing, [], `docs/api.md does not name: ${missing.join(', ')}`);
});
