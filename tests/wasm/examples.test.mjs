// Every example, with the default prompt of its companion (NAME.example.json),
// gives the same outputs in the WebAssembly module as in the native lsrlc:
// to 1e-12 on dag, linear-rnn and gated-linear-rnn (the same C++ code and
// IEEE arithmetic on both sides), and on the other targets to 1e-9 relative,
// with the same decoded text. Those targets' standard-mode constructions call
// tanh/exp (glibc's natively, musl's in wasm, which may differ in the last
// bit), and a GRU product amplifies such a difference by its design gain;
// on 2026-12-05 every example and target gave a difference of exactly 0.
// Every target and every example is compared: a target the module calls
// unavailable fails, a refusal must be one the docs name (a Multi on rnn or
// linear-rnn, GRU's products beyond their static bounds) and lsrlc's `compile`
// must refuse the same way, and no deviation is skipped.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

import { loadModule, rows, flatten } from './load-module.mjs';
import { examples, lsrlcPath, nativeRun, paramArgs, writeTokensCsv } from './native.mjs';

const module = await loadModule();
const session = new module.Session(1);
// dag first, then every target, in the paper's activations, and in the
// standard ones where they differ.
const targets = module.targets();
const configurations = [
  ...targets.map((t) => ({ target: t.name, activations: 'paper' })),
  ...targets.filter((t) => t.has_activation_modes).map((t) => ({ target: t.name, activations: 'standard' })),
];

test('every target the module lists is available', () => {
  assert.ok(targets.length >= 10, `only ${targets.length} targets listed`);
  for (const t of targets) assert.ok(t.available, `${t.name} is listed as unavailable`);
});

// `lsrlc compile FILE ARGS` -> { status, stderr }: the native refusal (no
// input involved, unlike `run`).
function nativeCompile(file, args) {
  const result = spawnSync(lsrlcPath, ['compile', file, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  return { status: result.status, stderr: result.stderr };
}

// The refusals the docs name: a Multi on the targets without products, and
// GRU's paper-mode products whose static bounds need offsets it cannot hold.
function documentedRefusal(target, message) {
  if ((target === 'rnn' || target === 'linear-rnn') && /Multi/.test(message)) return true;
  return target === 'gru' && /declare tighter input bounds/.test(message);
}
const exactTargets = new Set(['dag', 'linear-rnn', 'gated-linear-rnn']);

test('the native lsrlc to compare with exists', () => {
  assert.ok(fs.existsSync(lsrlcPath), `${lsrlcPath} is missing: build it (cmake --build build --target lsrlc)`);
});

test('there are examples, each with a companion prompt', () => {
  const all = examples();
  assert.ok(all.length >= 3, 'expected at least more_ones, continuous_ua and discrete_ua');
  for (const example of all) assert.ok(example.companion.prompt, `${example.name}.example.json has no prompt`);
});

// The companion's prompt as tokens, built by the module (the page's way), and
// the lsrlc arguments that give the same input.
function promptFor(example, compiled) {
  const prompt = example.companion.prompt;
  const info = compiled.info;
  let result;
  if (prompt.kind === 'tokens') {
    result = module.parseTokens(prompt.text, info.input_dim);
  } else if (prompt.kind === 'text') {
    result = session.encodeText(prompt.text, compiled.model_id);
    assert.ok(result.ok, JSON.stringify(result.diagnostics));
    return { tokens: rows(result.tokens), nativeInput: ['--text', prompt.text] };
  } else if (prompt.kind === 'continuous') {
    result = module.continuousPrompt(prompt.function, prompt.query.length, prompt.cells, prompt.query);
  } else if (prompt.kind === 'dictionary') {
    assert.ok(info.vocab, `${example.name} has a dictionary prompt but no vocab`);
    result = module.dictionaryPrompt(prompt.query, prompt.pairs, info.vocab);
  } else {
    assert.fail(`${example.name}: unknown prompt kind ${prompt.kind}`);
  }
  assert.ok(result.ok, `${example.name}: prompt: ${JSON.stringify(result.diagnostics)}`);
  const tokens = rows(result.tokens);
  return { tokens, nativeInput: ['--input-file', writeTokensCsv(tokens)] };
}

function assertClose(actual, expected, tolerance, relative, what) {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} output steps, lsrlc has ${expected.length}`);
  let worst = 0;
  for (let s = 0; s < expected.length; s++) {
    assert.equal(actual[s].length, expected[s].length, `${what}: step ${s + 1} width`);
    for (let u = 0; u < expected[s].length; u++) {
      const a = actual[s][u];
      const b = expected[s][u];
      const scale = relative ? Math.max(1, Math.abs(b)) : 1;
      const difference = Math.abs(a - b) / scale;
      assert.ok(Number.isFinite(a) === Number.isFinite(b) && (difference <= tolerance || a === b),
                `${what}: step ${s + 1} unit ${u}: wasm ${a}, lsrlc ${b}`);
      if (Number.isFinite(difference)) worst = Math.max(worst, difference);
    }
  }
  return worst;
}

for (const example of examples()) {
  const params = example.companion.params || {};
  for (const { target, activations } of configurations) {
    const name = activations === 'paper' ? target : `${target} (${activations})`;
    const targetArgs = ['--target', target, ...(activations === 'paper' ? [] : ['--activations', activations])];
    test(`${example.name} on ${name}: wasm outputs equal lsrlc's`, (t) => {
      const compiled = session.compile(example.source, {
        target, activations, filename: `${example.name}.lsrl`,
        params: Object.entries(params).map(([k, v]) => [k, String(v)]),
      });
      if (!compiled.ok) {
        // Only a documented refusal, with a position, and lsrlc refuses the
        // same program with the same message.
        const message = compiled.diagnostics[0]?.message ?? '';
        assert.ok(documentedRefusal(target, message), `${example.name} on ${name}: refused: ${compiled.diagnostics[0]?.rendered}`);
        assert.ok(compiled.diagnostics[0].line > 0, `${example.name} on ${name}: the refusal names no line`);
        const native = nativeCompile(example.file, [...targetArgs, ...paramArgs(params)]);
        assert.equal(native.status, 1, `${example.name} on ${name}: wasm refused (${message}) but lsrlc compiles it`);
        assert.ok(native.stderr.includes(message), `${example.name} on ${name}: lsrlc refuses differently:\n${native.stderr}`);
        t.diagnostic(`refused on ${name}: ${message}`);
        return;
      }
      try {
        const { tokens, nativeInput } = promptFor(example, compiled);
        const { data, steps, dim } = flatten(tokens);
        const ran = session.run(compiled.model_id, data, steps, dim, 'f64', false);
        assert.ok(ran.ok, `${example.name}: run: ${JSON.stringify(ran.diagnostics)}`);
        const native = nativeRun(example.file, [...targetArgs, ...nativeInput, ...paramArgs(params)]);
        const exact = exactTargets.has(target);
        const worst = assertClose(rows(ran.outputs), native.outputs, exact ? 1e-12 : 1e-9, !exact, `${example.name} on ${name}`);
        if (native.text !== undefined) assert.equal(ran.text, native.text, `${example.name} on ${name}: decoded text`);
        t.diagnostic(`${steps} tokens, max difference ${worst}`);
      } finally {
        session.release(compiled.model_id);
      }
    });
  }
}

test('discrete_ua answers OTT for CAN (the companion prompt) in wasm', () => {
  const example = examples().find((e) => e.name === 'discrete_ua');
  assert.ok(example, 'examples/discrete_ua.lsrl is missing');
  const compiled = session.compile(example.source, {
    target: 'gated-linear-rnn', params: [['n', '3']], filename: 'discrete_ua.lsrl',
  });
  assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
  const prompt = module.dictionaryPrompt('CAN', example.companion.prompt.pairs, compiled.info.vocab);
  const { data, steps, dim } = flatten(rows(prompt.tokens));
  const ran = session.run(compiled.model_id, data, steps, dim, 'f64', false);
  assert.ok(ran.ok);
  assert.equal(ran.text.slice(-3), 'OTT');
  session.release(compiled.model_id);
});
