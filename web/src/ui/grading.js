// Exercises as data, and grading a program against them (docs/exercises.md).
// No DOM here: the page's exercises view (exercises.js) and the Node tests use
// it. An exercise file is data from anywhere (a teacher's link): it is
// validated field by field into a fresh object, nothing in it is executed,
// and its text is only ever shown as text.
//
// Grading is the core's (core/api/grade.cpp, the rules of lsrlc grade), run
// in the engine: every graded step's every component within the tolerance
// (absolute), a NaN or infinity never passes, steps count from 0 (the first
// token is step 0), as in the page's outputs table and trace.

export const EXERCISE_FORMAT = 'lsrl-exercise/1';
export const INDEX_FORMAT = 'lsrl-exercise-index/1';
export const DEFAULT_TOLERANCE = 1e-2;
const MAX_TEXT = 20000;
const MAX_CHECKS = 64;
const MAX_STEPS = 4096;
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumberRow = (row) => Array.isArray(row) && row.length > 0 && row.every((v) => typeof v === 'number' && Number.isFinite(v));

function text(value, field, { required = true, max = MAX_TEXT } = {}) {
  if (value === undefined && !required) return '';
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  if (value.length > max) throw new Error(`"${field}" is longer than ${max} characters`);
  return value;
}

// json: the parsed file. -> { ok: true, exercise } or { ok: false, error }.
export function parseExercise(json) {
  try {
    if (!isObject(json)) throw new Error('not a JSON object');
    if (json.format !== EXERCISE_FORMAT) throw new Error(`"format" must be "${EXERCISE_FORMAT}"`);
    const id = text(json.id, 'id', { max: 64 });
    if (!ID_PATTERN.test(id)) throw new Error('"id" may hold only letters, digits, _ . and -');
    const exercise = {
      id,
      title: text(json.title, 'title', { max: 200 }),
      statement: text(json.statement, 'statement'),
      starter: text(json.starter, 'starter'),
      hints: [],
      target: text(json.target, 'target', { max: 40 }),
      tolerance: DEFAULT_TOLERANCE,
      checks: [],
    };
    if (json.hints !== undefined) {
      if (!Array.isArray(json.hints)) throw new Error('"hints" must be an array of strings');
      exercise.hints = json.hints.slice(0, 20).map((h, i) => text(h, `hints[${i}]`, { max: 2000 }));
    }
    if (json.tolerance !== undefined) {
      if (typeof json.tolerance !== 'number' || !(json.tolerance >= 0)) throw new Error('"tolerance" must be a number >= 0');
      exercise.tolerance = json.tolerance;
    }
    if (!Array.isArray(json.checks) || json.checks.length === 0) throw new Error('"checks" must be a non-empty array');
    if (json.checks.length > MAX_CHECKS) throw new Error(`at most ${MAX_CHECKS} checks`);
    json.checks.forEach((check, i) => {
      const at = `check ${i + 1}`;
      if (!isObject(check)) throw new Error(`${at} must be an object`);
      const { input, expected } = check;
      if (!Array.isArray(input) || input.length === 0 || input.length > MAX_STEPS) {
        throw new Error(`${at}: "input" must be an array of 1 to ${MAX_STEPS} tokens`);
      }
      if (!input.every((row) => isNumberRow(row) && row.length === input[0].length)) {
        throw new Error(`${at}: every input token must be an array of numbers, all of the same width`);
      }
      if (!Array.isArray(expected) || expected.length !== input.length) {
        throw new Error(`${at}: "expected" must have one row (or null) per input token`);
      }
      if (!expected.every((row) => row === null || isNumberRow(row))) {
        throw new Error(`${at}: every expected row must be an array of numbers or null (not graded)`);
      }
      exercise.checks.push({
        name: check.name === undefined ? at : text(check.name, `${at} name`, { max: 100 }),
        input: input.map((row) => row.slice()),
        expected: expected.map((row) => (row === null ? null : row.slice())),
      });
    });
    return { ok: true, exercise };
  } catch (error) {
    return { ok: false, error: error.message };
  }
}

// An index: { format, title, exercises: ["file.json", ...] } with file names
// relative to the index. -> { ok, title, urls } or { ok: false, error }.
export function parseIndex(json, baseUrl) {
  if (!isObject(json) || json.format !== INDEX_FORMAT) return { ok: false, error: `"format" must be "${INDEX_FORMAT}"` };
  if (!Array.isArray(json.exercises) || json.exercises.length === 0 || json.exercises.length > 200) {
    return { ok: false, error: '"exercises" must be a non-empty array of file names' };
  }
  const urls = [];
  for (const name of json.exercises) {
    if (typeof name !== 'string') return { ok: false, error: '"exercises" must hold file names (strings)' };
    const url = new URL(name, baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: `${name}: only http(s) addresses` };
    urls.push(url.href);
  }
  const title = typeof json.title === 'string' ? json.title.slice(0, 200) : '';
  return { ok: true, title, urls };
}

// Grades `source` on every check through an LsrlClient by the core's rules
// (core/api/grade.cpp, as lsrlc grade grades), with one model for every
// check (the weights never depend on a prompt).
// -> [{ name, status, first_differing_step, max_deviation, message, outputs }]
export async function gradeProgram(client, source, exercise, { filename = 'exercise.lsrl' } = {}) {
  if (!exercise.checks.length) return [];
  const { id, target, tolerance, checks } = exercise;
  const file = JSON.stringify({ format: EXERCISE_FORMAT, id, target, tolerance, checks });
  const graded = await client.gradeProgram(source, file, { filename });
  if (!graded.ok) throw new Error((graded.diagnostics || []).map((d) => d.message).join('; ') || 'the exercise was refused');
  return graded.results;
}
