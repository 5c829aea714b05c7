// Node tests (no browser) of the exercise files: they are exactly what
// scripts/make-exercises.mjs computes from its independent functions, and
// every file passes the page's validator. The grading rules are the core's
// (tests/wasm/grade.test.mjs, tests/core).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
const repoDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
import { parseExercise, parseIndex } from '../../web/src/ui/grading.js';

const exercisesDir = path.join(repoDir, 'exercises');

test('exercises/ is what the generator writes (re-run node scripts/make-exercises.mjs after editing it)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lsrl-exercises-'));
  try {
    execFileSync(process.execPath, [path.join(repoDir, 'scripts', 'make-exercises.mjs'), '--out', out]);
    const generated = fs.readdirSync(out).sort();
    const committed = fs.readdirSync(exercisesDir).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(committed, generated);
    for (const name of generated) {
      assert.equal(fs.readFileSync(path.join(exercisesDir, name), 'utf8'), fs.readFileSync(path.join(out, name), 'utf8'), name);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('the set has at least 12 valid exercises, each with a reference solution in the tests', () => {
  const index = parseIndex(JSON.parse(fs.readFileSync(path.join(exercisesDir, 'index.json'), 'utf8')), 'https://example.org/set/');
  assert.ok(index.ok, index.error);
  assert.ok(index.urls.length >= 12);
  const ids = new Set();
  for (const url of index.urls) {
    const file = path.join(exercisesDir, path.basename(new URL(url).pathname));
    const parsed = parseExercise(JSON.parse(fs.readFileSync(file, 'utf8')));
    assert.ok(parsed.ok, `${file}: ${parsed.error}`);
    const { exercise } = parsed;
    assert.ok(!ids.has(exercise.id), `duplicate id ${exercise.id}`);
    ids.add(exercise.id);
    assert.ok(exercise.checks.length >= 3, `${exercise.id}: at least 3 checks`);
    assert.ok(exercise.hints.length >= 1 && exercise.statement.length > 20 && exercise.starter.includes('Input('));
    assert.ok(fs.existsSync(path.join(repoDir, 'tests', 'exercises', 'solutions', `${exercise.id}.lsrl`)), `${exercise.id}: no solution`);
    // every check grades at least one step
    for (const check of exercise.checks) assert.ok(check.expected.some((row) => row !== null), `${exercise.id} ${check.name}`);
  }
});

test('parseExercise refuses malformed files with a message and keeps only known fields', () => {
  const good = {
    format: 'lsrl-exercise/1', id: 'x', title: 'X', statement: 's', starter: 'input = Input(dim=1)\nreturn input',
    target: 'linear-rnn', checks: [{ input: [[1]], expected: [[1]] }], onload: 'alert(1)',
  };
  const parsed = parseExercise(good);
  assert.ok(parsed.ok);
  assert.equal(parsed.exercise.onload, undefined);
  assert.equal(parsed.exercise.tolerance, 1e-2);
  const bad = [
    [{ ...good, format: 'other' }, /format/],
    [{ ...good, id: '<img>' }, /id/],
    [{ ...good, checks: [] }, /checks/],
    [{ ...good, checks: [{ input: [[1], [1, 2]], expected: [[1], [1]] }] }, /same width/],
    [{ ...good, checks: [{ input: [[1]], expected: [[1], [2]] }] }, /one row/],
    [{ ...good, checks: [{ input: [['1']], expected: [[1]] }] }, /numbers/],
    [{ ...good, tolerance: -1 }, /tolerance/],
    [{ ...good, statement: 7 }, /statement/],
    ['not an object', /object/],
  ];
  for (const [json, message] of bad) {
    const result = parseExercise(json);
    assert.equal(result.ok, false);
    assert.match(result.error, message);
  }
  assert.equal(parseIndex({ format: 'lsrl-exercise-index/1', exercises: ['javascript:alert(1)'] }, 'https://a.org/').ok, false);
});

test('componentSnippet names an unedited example and escapes an inline program', async () => {
  const { componentSnippet } = await import('../../web/src/ui/share.js');
  const state = { example: 'more_ones', source: 'SRC', target: 'linear-rnn', prompt: { kind: 'tokens', text: '1 0 "1"' } };
  const named = componentSnippet(state, { scriptUrl: 'https://x.org/site/lsrl-playground.js', exampleSource: 'SRC' });
  assert.equal(named, '<script type="module" src="https://x.org/site/lsrl-playground.js"></script>\n' +
    '<lsrl-playground example="more_ones" target="linear-rnn" prompt="1 0 &quot;1&quot;" panels="program prompt outputs trace"></lsrl-playground>');
  const inline = componentSnippet({ ...state, source: 'x = 1 < 2 & 3\n\n' }, { scriptUrl: 's.js', exampleSource: 'SRC' });
  assert.match(inline, /<lsrl-playground target="linear-rnn" prompt="[^"]*" panels="[^"]*">\nx = 1 &lt; 2 &amp; 3\n<\/lsrl-playground>$/);
  const noPrompt = componentSnippet({ ...state, prompt: { kind: 'dictionary', query: 'CAN', pairs: [] } }, { scriptUrl: 's.js', exampleSource: 'SRC' });
  assert.doesNotMatch(noPrompt, /prompt=/);
});
