// The exercises view: a set of graded exercises (docs/exercises.md) beside
// the playground's editor. Opening an exercise puts its starter code (or the
// student's last attempt) in the editor and its target in the target menu;
// "Check" grades the editor's program on every check through the page's own
// LsrlClient and shows, per check, expected against got and the first
// differing step. Progress is kept in localStorage per set.
//
// The shipped set is exercises/index.json beside the page; a teacher's set
// comes from the link #exercises=URL (an exercise file or an index of them,
// same origin or served with CORS). Everything in a set is data: validated
// by grading.js and shown with textContent only.

import { el, replaceChildren, formatNumber } from './dom.js';
import { parseExercise, parseIndex, gradeProgram, EXERCISE_FORMAT, INDEX_FORMAT } from './grading.js';

const PROGRESS_KEY = 'lsrl-playground:exercises:v1';
const BUILTIN_SET = 'exercises/index.json';
const MAX_FILE_BYTES = 2_000_000;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// { sets: { [setKey]: { [exerciseId]: { passed: bool, source: string } } } };
// anything else found under the key is dropped with a notice.
export function loadProgress(store = storage()) {
  const empty = { sets: {} };
  if (!store) return { progress: empty, notice: '' };
  let raw;
  try {
    raw = store.getItem(PROGRESS_KEY);
  } catch {
    return { progress: empty, notice: '' };
  }
  if (!raw) return { progress: empty, notice: '' };
  const corrupt = { progress: empty, notice: 'The saved exercise progress was unreadable and has been ignored.' };
  try {
    const parsed = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || !parsed.sets || typeof parsed.sets !== 'object') return corrupt;
    const progress = { sets: {} };
    for (const [setKey, entries] of Object.entries(parsed.sets)) {
      if (!entries || typeof entries !== 'object') return corrupt;
      const kept = {};
      for (const [id, entry] of Object.entries(entries)) {
        if (!entry || typeof entry !== 'object' || typeof entry.passed !== 'boolean') return corrupt;
        kept[id] = { passed: entry.passed, source: typeof entry.source === 'string' ? entry.source : '' };
      }
      progress.sets[setKey] = kept;
    }
    return { progress, notice: '' };
  } catch {
    return corrupt;
  }
}

function saveProgress(progress, store = storage()) {
  try {
    store?.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // quota or disabled storage: progress lives for this visit only
  }
}

async function fetchJson(url) {
  const response = await fetch(url, { credentials: 'omit' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const body = await response.text();
  if (body.length > MAX_FILE_BYTES) throw new Error(`${url}: larger than ${MAX_FILE_BYTES} bytes`);
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`${url}: not JSON`);
  }
}

// url: an exercise file or an index -> { title, exercises: [...], errors: [...] }
export async function loadSet(url) {
  const json = await fetchJson(url);
  if (json && json.format === EXERCISE_FORMAT) {
    const parsed = parseExercise(json);
    if (!parsed.ok) throw new Error(`${url}: ${parsed.error}`);
    return { title: parsed.exercise.title, exercises: [parsed.exercise], errors: [] };
  }
  if (!json || json.format !== INDEX_FORMAT) throw new Error(`${url}: "format" is neither "${EXERCISE_FORMAT}" nor "${INDEX_FORMAT}"`);
  const index = parseIndex(json, url);
  if (!index.ok) throw new Error(`${url}: ${index.error}`);
  const exercises = [];
  const errors = [];
  const loaded = await Promise.all(index.urls.map((u) => fetchJson(u).then((j) => ({ u, j }), (e) => ({ u, e }))));
  for (const { u, j, e } of loaded) {
    if (e) {
      errors.push(e.message);
      continue;
    }
    const parsed = parseExercise(j);
    if (!parsed.ok) errors.push(`${u}: ${parsed.error}`);
    else if (exercises.some((x) => x.id === parsed.exercise.id)) errors.push(`${u}: the id ${parsed.exercise.id} is used twice`);
    else exercises.push(parsed.exercise);
  }
  return { title: index.title, exercises, errors };
}

// The teacher's set named by the page's hash (#exercises=URL), or null.
export function setUrlFromHash(hash) {
  const params = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const value = params.get('exercises');
  if (!value) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

const tokenText = (row) => row.map((v) => formatNumber(v)).join(',');
const rowText = (row) => (row ? row.map((v) => formatNumber(v)).join(', ') : '—');

export class ExercisesView {
  // app: the Playground; button toggles panel.
  constructor(app, { button, panel }) {
    this.app = app;
    this.button = button;
    this.panel = panel;
    this.set = null;
    this.setKey = null;
    this.current = null;
    this.grading = false;
    const { progress, notice } = loadProgress();
    this.progress = progress;
    this.notice = notice;
    button.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
  }

  async open(url = null) {
    this.panel.hidden = false;
    this.button.setAttribute('aria-pressed', 'true');
    const wanted = url || this.setKey || new URL(BUILTIN_SET, document.baseURI).href;
    if (this.set && wanted === this.setKey) return;
    replaceChildren(this.panel, el('p', { class: 'muted', text: 'loading the exercises…' }));
    try {
      this.set = await loadSet(wanted);
      this.setKey = wanted;
    } catch (error) {
      replaceChildren(this.panel, this.header(''), el('p', { class: 'exercise-error', id: 'exercises-error', text: `Could not load the exercises: ${error.message}` }));
      return;
    }
    this.render();
    await this.app.started; // the playground's own first state must not replace the exercise's
    const progress = this.setProgress();
    const next = this.set.exercises.find((x) => !progress[x.id]?.passed) || this.set.exercises[0];
    if (next) this.select(next.id);
  }

  close() {
    this.panel.hidden = true;
    this.button.setAttribute('aria-pressed', 'false');
  }

  setProgress() {
    if (!this.progress.sets[this.setKey]) this.progress.sets[this.setKey] = {};
    return this.progress.sets[this.setKey];
  }

  header(title) {
    return el('div', { class: 'exercises-head' },
      el('h2', { text: title ? `Exercises: ${title}` : 'Exercises' }),
      el('button', { type: 'button', class: 'close', text: '×', 'aria-label': 'close the exercises', on: { click: () => this.close() } }));
  }

  render() {
    const progress = this.setProgress();
    const done = this.set.exercises.filter((x) => progress[x.id]?.passed).length;
    this.list = el('ol', { class: 'exercise-list', id: 'exercise-list' },
      this.set.exercises.map((x) => el('li', {
        class: `exercise-item${progress[x.id]?.passed ? ' done' : ''}`,
        dataset: { id: x.id },
      }, el('button', { type: 'button', text: x.title, on: { click: () => this.select(x.id) } }),
      el('span', { class: 'exercise-mark', text: progress[x.id]?.passed ? '✓' : '', 'aria-label': progress[x.id]?.passed ? 'passed' : '' }))));
    this.detail = el('div', { class: 'exercise-detail', id: 'exercise-detail' });
    replaceChildren(this.panel,
      this.header(this.set.title),
      this.notice ? el('p', { class: 'exercise-notice', id: 'exercises-notice', text: this.notice }) : null,
      this.set.errors.length ? el('ul', { class: 'exercise-error' }, this.set.errors.map((e) => el('li', { text: e }))) : null,
      el('p', { class: 'muted small', id: 'exercise-progress', text: `${done} of ${this.set.exercises.length} passed` }),
      el('div', { class: 'exercises-body' }, this.list, this.detail));
    if (this.current) this.select(this.current.id, { keepEditor: true });
  }

  select(id, { keepEditor = false } = {}) {
    const exercise = this.set.exercises.find((x) => x.id === id);
    if (!exercise) return;
    this.current = exercise;
    for (const item of this.list.children) item.classList.toggle('current', item.dataset.id === id);
    const results = el('div', { class: 'exercise-results', id: 'exercise-results' });
    this.results = results;
    const checkButton = el('button', { type: 'button', id: 'exercise-check', class: 'primary', text: 'Check my program', on: { click: () => this.check() } });
    this.checkButton = checkButton;
    replaceChildren(this.detail,
      el('h3', { text: exercise.title }),
      el('div', { class: 'exercise-statement', id: 'exercise-statement', text: exercise.statement }),
      el('p', { class: 'muted small', text: `Graded on ${exercise.target}, ${exercise.checks.length} checks, tolerance ${formatNumber(exercise.tolerance)}.` }),
      exercise.hints.map((hint, i) => el('details', { class: 'exercise-hint' }, el('summary', { text: `Hint ${i + 1}` }), el('p', { text: hint }))),
      el('div', { class: 'exercise-actions' },
        checkButton,
        el('button', { type: 'button', id: 'exercise-starter', text: 'Reset to the starter code', on: { click: () => this.loadIntoEditor(exercise, exercise.starter) } })),
      results);
    if (!keepEditor) {
      const saved = this.setProgress()[id]?.source;
      this.loadIntoEditor(exercise, saved || exercise.starter);
    }
  }

  // The program, the exercise's target and its first check as the prompt.
  loadIntoEditor(exercise, source) {
    const app = this.app;
    const prompt = { kind: 'tokens', text: exercise.checks[0].input.map(tokenText).join(' ') };
    app.applyState({ ...app.state, example: null, source, target: exercise.target, prompt });
    app.problems?.show([]);
    app.requestRun(0);
    replaceChildren(this.results);
  }

  async check() {
    if (this.grading || !this.current) return;
    const exercise = this.current;
    const app = this.app;
    const source = app.state.source;
    this.grading = true;
    this.checkButton.disabled = true;
    replaceChildren(this.results, el('p', { class: 'muted', text: `grading on ${exercise.target}…` }));
    let results;
    try {
      await app.started;
      results = await gradeProgram(app.client, source, exercise);
    } catch (error) {
      replaceChildren(this.results, el('p', { class: 'exercise-error', text: `Could not grade: ${error?.message || error}` }));
      return;
    } finally {
      this.grading = false;
      this.checkButton.disabled = false;
    }
    if (this.current !== exercise) return;
    const passed = results.every((r) => r.status === 'pass');
    const progress = this.setProgress();
    progress[exercise.id] = { passed: passed || !!progress[exercise.id]?.passed, source };
    saveProgress(this.progress);
    this.showResults(exercise, results, passed);
    const item = [...this.list.children].find((li) => li.dataset.id === exercise.id);
    if (item && progress[exercise.id].passed) {
      item.classList.add('done');
      item.querySelector('.exercise-mark').textContent = '✓';
    }
    const done = this.set.exercises.filter((x) => progress[x.id]?.passed).length;
    const counter = this.panel.querySelector('#exercise-progress');
    if (counter) counter.textContent = `${done} of ${this.set.exercises.length} passed`;
  }

  showResults(exercise, results, passed) {
    const passedCount = results.filter((r) => r.status === 'pass').length;
    const rows = results.map((r, i) => {
      const check = exercise.checks[i];
      const step = r.first_differing_step;
      const failed = step !== null && step !== undefined;
      const expected = failed ? check.expected[step] : null;
      const got = failed && r.outputs ? r.outputs[step] : null;
      return el('tr', { class: `check-${r.status}`, dataset: { status: r.status, firstStep: failed ? step : '' } },
        el('td', { text: r.name }),
        el('td', { class: 'check-status', text: r.status }),
        el('td', { class: 'check-step', text: failed ? step : '' }),
        el('td', { class: 'mono', text: failed ? rowText(expected) : '' }),
        el('td', { class: 'mono', text: failed ? rowText(got) : '' }),
        el('td', { class: 'mono', text: r.max_deviation == null ? '' : formatNumber(r.max_deviation) }),
        el('td', { class: 'check-message', text: r.status === 'error' ? r.message : '' }));
    });
    const firstFailing = results.findIndex((r) => r.status === 'fail');
    replaceChildren(this.results,
      el('p', { class: passed ? 'exercise-passed' : 'exercise-failed', id: 'exercise-verdict',
                text: passed ? `Passed: all ${results.length} checks.` : `${passedCount} of ${results.length} checks passed.` }),
      el('table', { class: 'exercise-checks' },
        el('thead', {}, el('tr', {}, ['check', 'status', 'first differing step', 'expected', 'got', 'max deviation', 'message'].map((h) => el('th', { text: h })))),
        el('tbody', {}, rows)),
      firstFailing >= 0 ? this.stepTable(exercise.checks[firstFailing], results[firstFailing]) : null);
  }

  // Every step of one failing check, the first differing one marked.
  stepTable(check, result) {
    const rows = check.input.map((token, t) => {
      const expected = check.expected[t];
      const got = result.outputs?.[t];
      const first = result.first_differing_step === t;
      return el('tr', { class: first ? 'first-difference' : '' },
        el('td', { text: t }), el('td', { class: 'mono', text: tokenText(token) }),
        el('td', { class: 'mono', text: expected ? rowText(expected) : 'not graded' }),
        el('td', { class: 'mono', text: got ? rowText(got) : '' }));
    });
    return el('details', { class: 'exercise-steps', open: true },
      el('summary', { text: `${result.name}, step by step` }),
      el('table', {}, el('thead', {}, el('tr', {}, ['step', 'token', 'expected', 'got'].map((h) => el('th', { text: h })))), el('tbody', {}, rows)));
  }
}

// Mounts the view when the page has its button and panel; opens a teacher's
// set named by the hash at once.
export function mountExercises(app) {
  const button = document.getElementById('exercises-button');
  const panel = document.getElementById('exercises-panel');
  if (!button || !panel) return null;
  const view = new ExercisesView(app, { button, panel });
  const teacherUrl = setUrlFromHash(window.location.hash);
  if (teacherUrl) view.open(teacherUrl);
  window.lsrlExercises = view; // for the console and the browser tests
  return view;
}
