// The page grades exercises by the core's rules (core/api/grade.cpp, those of
// lsrlc grade) through the module's gradeProgram: the first differing step,
// ungraded steps, the deviation, widths and programs that do not build; and
// the same answers as lsrlc grade's CSV for every starter program shipped.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import { loadModule, repoDir, rows } from './load-module.mjs';
import { lsrlcPath } from './native.mjs';

const module = await loadModule();
const identity = 'x = Input(dim=1)\nreturn Linear(x, ones(1, 1), zeros(1))\n';

function exercise(checks, tolerance = 0.01) {
  return JSON.stringify({ format: 'lsrl-exercise/1', id: 'rules', target: 'dag', tolerance, checks });
}

test('gradeProgram: pass, the first differing step, ungraded steps, widths, errors', () => {
  const graded = module.gradeProgram(identity, exercise([
    { name: 'close', input: [[1], [2.001]], expected: [[1], [2]] },
    { name: 'off', input: [[1], [2.5], [4]], expected: [[1], [2], [3]] },
    { name: 'ungraded', input: [[99], [1]], expected: [null, [1]] },
    { name: 'wide', input: [[0]], expected: [[0, 0]] },
  ]), 'identity.lsrl');
  assert.ok(graded.ok, JSON.stringify(graded.diagnostics));
  const [close, off, ungraded, wide] = graded.results;
  assert.equal(close.status, 'pass');
  assert.equal(close.first_differing_step, null);
  assert.ok(Math.abs(close.max_deviation - 0.001) < 1e-12, String(close.max_deviation));
  assert.deepEqual(rows(close.outputs), [[1], [2.001]]);
  assert.equal(off.status, 'fail');
  assert.equal(off.first_differing_step, 1);
  assert.equal(off.max_deviation, 1);
  assert.match(off.message, /step 1: expected 2, got 2\.5/);
  assert.equal(ungraded.status, 'pass');
  assert.equal(wide.status, 'error');
  assert.match(wide.message, /1 wide but the exercise expects 2/);

  const broken = module.gradeProgram('x = Input(dim=1)\nreturn y\n', exercise([{ input: [[1]], expected: [[1]] }]), 'b.lsrl');
  assert.ok(broken.ok);
  assert.equal(broken.results[0].status, 'error');
  assert.match(broken.results[0].message, /^line 2:/);

  const refused = module.gradeProgram(identity, '{"format": "lsrl-exercise/1"}', 'bad.json');
  assert.equal(refused.ok, false);
  assert.deepEqual(refused.results, []);
});

test('gradeProgram answers as lsrlc grade does on every shipped exercise\'s starter', () => {
  const dir = path.join(repoDir, 'exercises');
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json')) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8');
    const starter = JSON.parse(text).starter;
    const program = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lsrl-grade-')), 'starter.lsrl');
    fs.writeFileSync(program, starter);
    const native = spawnSync(lsrlcPath, ['grade', file, program], { encoding: 'utf8' });
    assert.equal(native.status, 0, native.stderr);
    const lines = native.stdout.trim().split('\n').slice(1);
    const graded = module.gradeProgram(starter, text, program);
    assert.ok(graded.ok, JSON.stringify(graded.diagnostics));
    assert.equal(graded.results.length, lines.length, name);
    graded.results.forEach((r, i) => {
      const [, , , status, step] = lines[i].split(',');
      assert.equal(r.status, status, `${name} ${r.name}`);
      assert.equal(r.first_differing_step === null ? '' : String(r.first_differing_step), step, `${name} ${r.name}`);
    });
  }
});
