// The noise lab: the paper's Fig. 4 (Sec. 5) in the page, the same sweep as
// `lsrlc noise` (docs/experiments.md). Gaussian noise N(0, sigma^2) is added
// to the non-zero weights and biases of the fixed compiled model (compiled
// once per f_ifelse form, never tuned to a prompt), and the prompt's queries
// are run on the noisy models: a dictionary prompt (discrete_ua, Listing 2)
// counts the wrong answer tokens, a continuous one (continuous_ua, Listing 1)
// the largest |noisy − noise-free| of the last output.
//
// The sweep runs in the worker one form per call (client.noiseSweep with
// forms: [form]), so the page shows progress and the page's Cancel stops it
// between two forms. The plot is a strip plot: per form, every trial as a
// point and the median over trials as a line; sigma on a log axis with
// sigma = 0 at its own tick on the left; wrong tokens on a linear axis
// (0..out of), max error on a log one (0 at its own tick at the bottom).

import { el, svg, replaceChildren, formatNumber, downloadRow, csvText } from './dom.js';

export const DEFAULT_SIGMAS = [0, 1e-9, 1e-7, 1e-5, 1e-3];
export const DEFAULT_TRIALS = 3;
export const MAX_TRIALS = 100;
export const MAX_SIGMAS = 40;
export const NOISE_TARGETS = ['gated-linear-rnn', 'linear-rnn'];
// Point shapes, one per form (after the colour, so the forms differ in
// print and for readers who do not tell the colours apart).
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross', 'triangle-down', 'plus', 'star'];
export const SERIES_COUNT = SHAPES.length;

// "0, 1e-9, 1e-7" -> { sigmas: [0, 1e-9, 1e-7] } | { error }.
export function parseSigmas(text) {
  const items = String(text ?? '').split(/[\s,;]+/).filter((t) => t !== '');
  if (items.length === 0) return { error: 'give at least one standard deviation, e.g. 0, 1e-9, 1e-7' };
  if (items.length > MAX_SIGMAS) return { error: `at most ${MAX_SIGMAS} standard deviations` };
  const sigmas = [];
  for (const item of items) {
    const v = Number(item);
    if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(item) || !Number.isFinite(v) || v < 0) {
      return { error: `'${item}' is not a standard deviation (a finite number ≥ 0, e.g. 1e-7)` };
    }
    if (!sigmas.includes(v)) sigmas.push(v);
  }
  sigmas.sort((a, b) => a - b);
  return { sigmas };
}

// A whole number in [min, max] from a text box, or { error }.
export function parseWhole(text, what, min, max) {
  const t = String(text ?? '').trim();
  if (!/^\d+$/.test(t)) return { error: `${what} must be a whole number between ${min} and ${max}` };
  const v = Number(t);
  if (!Number.isSafeInteger(v) || v < min || v > max) return { error: `${what} must be a whole number between ${min} and ${max}` };
  return { value: v };
}

// A not-finite value (null from the engine) counts as the worst: +Infinity.
function asNumber(value) {
  return value === null || value === undefined ? Infinity : Number(value);
}

export function median(values) {
  const sorted = values.map(asNumber).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n % 2) return sorted[(n - 1) / 2];
  const a = sorted[n / 2 - 1];
  const b = sorted[n / 2];
  return a === b ? a : (a + b) / 2;
}

// rows [{form, sigma, trial, value}] -> Map form -> Map sigma -> values (by trial).
export function groupRows(rows) {
  const byForm = new Map();
  for (const r of rows) {
    if (!byForm.has(r.form)) byForm.set(r.form, new Map());
    const bySigma = byForm.get(r.form);
    if (!bySigma.has(r.sigma)) bySigma.set(r.sigma, []);
    bySigma.get(r.sigma)[r.trial] = r.value;
  }
  return byForm;
}

function numberText(v) {
  if (v === null || v === undefined) return 'not finite';
  if (v === Infinity) return 'not finite';
  return formatNumber(v);
}

export function sigmaText(s) {
  if (s === 0) return '0';
  const e = Math.log10(s);
  if (Math.abs(e - Math.round(e)) < 1e-9) return `1e${Math.round(e)}`;
  return s.toExponential(1).replace('e+', 'e').replace(/\.0e/, 'e');
}

export function noiseCsv(sweep) {
  const rows = sweep.rows.map((r) => [r.form, r.sigma, r.trial, r.value === null ? 'not finite' : r.value]);
  return csvText(['form', 'sigma', 'trial', sweep.measure], rows);
}

// ---- the plot ---------------------------------------------------------------
// Linear ticks 0..top: a 1/2/5 step with at most 6 ticks, and top itself.
export function linearTicks(top, { integer = false } = {}) {
  if (!(top > 0)) return [0, 1];
  const raw = top / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  if (integer) step = Math.max(1, Math.round(step));
  const ticks = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (top - ticks[ticks.length - 1] > step * 0.4) ticks.push(top);
  return ticks;
}

// Decades covering [lo, hi] (lo, hi > 0), at most about 8 labelled.
export function decadeTicks(lo, hi) {
  let a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9);
  if (a === b) { a -= 1; b += 1; }
  const every = Math.max(1, Math.ceil((b - a) / 8));
  b = a + every * Math.ceil((b - a) / every); // the top decade labelled too, evenly
  const ticks = [];
  for (let e = a; e <= b; e++) ticks.push({ exp: e, labelled: (e - a) % every === 0 });
  return { a, b, ticks };
}

function markerPath(shape, x, y, r) {
  const k = r * 1.15;
  switch (shape) {
    case 'square': return `M${x - r} ${y - r}h${2 * r}v${2 * r}h${-2 * r}z`;
    case 'triangle': return `M${x} ${y - k}L${x + k} ${y + k * 0.8}L${x - k} ${y + k * 0.8}z`;
    case 'triangle-down': return `M${x} ${y + k}L${x + k} ${y - k * 0.8}L${x - k} ${y - k * 0.8}z`;
    case 'diamond': return `M${x} ${y - k}L${x + k} ${y}L${x} ${y + k}L${x - k} ${y}z`;
    case 'cross': return `M${x - r} ${y - r}L${x + r} ${y + r}M${x + r} ${y - r}L${x - r} ${y + r}`;
    case 'plus': return `M${x - k} ${y}H${x + k}M${x} ${y - k}V${y + k}`;
    case 'star': return `M${x - r} ${y - r}L${x + r} ${y + r}M${x + r} ${y - r}L${x - r} ${y + r}M${x - k} ${y}H${x + k}`;
    default: return `M${x - r} ${y}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
  }
}
const OPEN_SHAPES = new Set(['cross', 'plus', 'star']);

function marker(shape, x, y, r, props = {}) {
  return svg('path', { d: markerPath(shape, x, y, r), class: `noise-marker${OPEN_SHAPES.has(shape) ? ' open' : ''}`, ...props });
}

// sweep: { measure, outOf, forms: [name], sigmas: [sorted], rows }.
export function noisePlot(sweep) {
  const W = 700;
  const H = 330;
  const m = { left: 80, right: 18, top: 14, bottom: 50 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const sigmas = sweep.sigmas;
  const positive = sigmas.filter((s) => s > 0);
  const hasZero = sigmas.includes(0);
  const zeroGap = hasZero ? 58 : 0; // sigma = 0 at its own tick, left of the log axis
  const logLeft = m.left + (hasZero ? zeroGap + 22 : 14);
  const logRight = m.left + plotW - 14;
  const xDecades = positive.length ? decadeTicks(positive[0], positive[positive.length - 1]) : null;
  const xOf = (s) => {
    if (s === 0) return m.left + 18;
    const t = (Math.log10(s) - xDecades.a) / (xDecades.b - xDecades.a);
    return logLeft + t * (logRight - logLeft);
  };

  const discrete = sweep.measure === 'wrong_tokens';
  const values = sweep.rows.map((r) => r.value);
  const finite = values.filter((v) => v !== null && Number.isFinite(v));
  const hasNull = values.some((v) => v === null || !Number.isFinite(v));
  const top = m.top + (hasNull ? 26 : 0);
  const bottom = m.top + plotH;
  let yOf;
  const yTicks = []; // { y, label, minor }
  if (discrete) {
    const max = Math.max(1, Number(sweep.outOf) || 0, ...finite);
    yOf = (v) => bottom - (v / max) * (bottom - top);
    for (const t of linearTicks(max, { integer: true })) yTicks.push({ y: yOf(t), label: formatNumber(t) });
  } else {
    const pos = finite.filter((v) => v > 0);
    const hasZeroValue = finite.some((v) => v === 0);
    const lo = pos.length ? Math.min(...pos) : 1e-6;
    const hi = pos.length ? Math.max(...pos) : 1;
    const d = decadeTicks(lo, hi);
    const logBottom = bottom - (hasZeroValue ? 30 : 0);
    const yLog = (v) => logBottom - ((Math.log10(v) - d.a) / (d.b - d.a)) * (logBottom - top);
    yOf = (v) => (v === 0 ? bottom : yLog(v));
    if (hasZeroValue) yTicks.push({ y: bottom, label: '0' });
    for (const t of d.ticks) yTicks.push({ y: yLog(10 ** t.exp), label: t.labelled ? `1e${t.exp}` : '', minor: !t.labelled });
  }
  const yNull = m.top + 8;
  const yFor = (v) => (v === null || !Number.isFinite(v) ? yNull : yOf(v));

  const root = svg('svg', {
    class: 'noise-plot', id: 'noise-plot', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img',
    'aria-labelledby': 'noise-plot-title',
  });
  root.appendChild(svg('title', {
    id: 'noise-plot-title',
    text: `${discrete ? `Wrong tokens (of ${sweep.outOf})` : 'Max error of the last output'} against the noise's standard deviation sigma, one line per form (the median over trials) with every trial as a point; the table below has the numbers.`,
  }));
  // Frame and grid.
  const grid = svg('g', { class: 'noise-grid' });
  for (const t of yTicks) {
    grid.appendChild(svg('line', { x1: m.left, x2: m.left + plotW, y1: t.y, y2: t.y, class: t.minor ? 'minor' : '' }));
  }
  root.appendChild(grid);
  const axes = svg('g', { class: 'noise-axes' });
  axes.appendChild(svg('line', { x1: m.left, x2: m.left, y1: m.top, y2: bottom }));
  // The x axis: broken between the sigma = 0 tick and the log axis.
  if (hasZero && positive.length) {
    const breakX = m.left + zeroGap - 2;
    axes.appendChild(svg('line', { x1: m.left, x2: breakX - 3, y1: bottom, y2: bottom }));
    axes.appendChild(svg('path', { d: `M${breakX - 6} ${bottom + 5}l6 -10M${breakX} ${bottom + 5}l6 -10`, class: 'noise-break' }));
    axes.appendChild(svg('line', { x1: breakX + 3, x2: m.left + plotW, y1: bottom, y2: bottom }));
  } else {
    axes.appendChild(svg('line', { x1: m.left, x2: m.left + plotW, y1: bottom, y2: bottom }));
  }
  for (const t of yTicks) {
    axes.appendChild(svg('line', { x1: m.left - 4, x2: m.left, y1: t.y, y2: t.y }));
    if (t.label) axes.appendChild(svg('text', { x: m.left - 7, y: t.y + 3.5, class: 'noise-tick y', text: t.label }));
  }
  if (hasNull) axes.appendChild(svg('text', { x: m.left - 7, y: yNull + 3.5, class: 'noise-tick y', text: 'not finite' }));
  const xTicks = [];
  if (hasZero) xTicks.push({ x: xOf(0), label: '0' });
  if (xDecades) for (const t of xDecades.ticks) xTicks.push({ x: xOf(10 ** t.exp), label: t.labelled ? `1e${t.exp}` : '' });
  for (const t of xTicks) {
    axes.appendChild(svg('line', { x1: t.x, x2: t.x, y1: bottom, y2: bottom + 4 }));
    if (t.label) axes.appendChild(svg('text', { x: t.x, y: bottom + 16, class: 'noise-tick x', text: t.label }));
  }
  axes.appendChild(svg('text', { x: m.left + plotW / 2, y: H - 8, class: 'noise-axis-label', text: positive.length ? `noise standard deviation σ (log scale${hasZero ? '; σ = 0 on the left' : ''})` : 'noise standard deviation σ' }));
  axes.appendChild(svg('text', {
    x: 14, y: m.top + plotH / 2, class: 'noise-axis-label', transform: `rotate(-90 14 ${m.top + plotH / 2})`,
    text: discrete ? `wrong tokens (of ${sweep.outOf})` : 'max |noisy − noise-free| (log)',
  }));
  root.appendChild(axes);

  // The series: per form a median line, then its trials as points, dodged a
  // little sideways per form and per trial so equal values stay visible.
  const forms = sweep.forms;
  const grouped = groupRows(sweep.rows);
  const F = forms.length;
  forms.forEach((form, fi) => {
    const bySigma = grouped.get(form);
    if (!bySigma) return;
    const series = svg('g', { class: `noise-series series-${fi % SERIES_COUNT}`, dataset: { form } });
    const dodge = (fi - (F - 1) / 2) * Math.min(5, 24 / Math.max(1, F));
    const points = [];
    const medians = [];
    for (const sigma of sigmas) {
      const vals = bySigma.get(sigma);
      if (!vals) continue;
      const x = xOf(sigma) + dodge;
      const med = median(vals);
      medians.push([x, yFor(Number.isFinite(med) ? med : null), sigma, med]);
      const K = vals.length;
      vals.forEach((v, trial) => {
        const jitter = K > 1 ? (trial - (K - 1) / 2) * Math.min(2.5, 10 / K) : 0;
        const point = marker(SHAPES[fi % SHAPES.length], x + jitter, yFor(v), 3.2, { dataset: { sigma, trial, value: v === null ? 'null' : v } });
        point.appendChild(svg('title', { text: `${form || '(the program)'}, σ = ${sigmaText(sigma)}, trial ${trial}: ${numberText(v)}` }));
        points.push(point);
      });
    }
    const d = medians.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(2)} ${y.toFixed(2)}`).join('');
    series.appendChild(svg('path', { d, class: 'noise-median', dataset: { form } }));
    for (const [x, y, sigma, med] of medians) {
      series.appendChild(svg('circle', { cx: x, cy: y, r: 1.6, class: 'noise-median-dot' },
        svg('title', { text: `${form || '(the program)'}, σ = ${sigmaText(sigma)}: median ${numberText(med)}` })));
    }
    for (const p of points) series.appendChild(p);
    root.appendChild(series);
  });
  return root;
}

function legendFor(forms) {
  return el('ul', { class: 'noise-legend', 'aria-label': 'forms' }, ...forms.map((form, fi) => el('li', { class: `series-${fi % SERIES_COUNT}` },
    svg('svg', { width: 34, height: 12, viewBox: '0 0 34 12', 'aria-hidden': 'true', class: 'noise-swatch' },
      svg('path', { d: 'M1 6H33', class: 'noise-median' }), marker(SHAPES[fi % SHAPES.length], 17, 6, 3.2)),
    el('span', { text: form || '(the program)' }))));
}

// ---- the table --------------------------------------------------------------
function resultTable(sweep) {
  const grouped = groupRows(sweep.rows);
  const discrete = sweep.measure === 'wrong_tokens';
  const what = discrete ? `wrong tokens of ${sweep.outOf}` : 'max error of the last output';
  const trials = sweep.trials;
  const head = el('tr', {}, el('th', { scope: 'col', text: 'form \\ σ' }),
    ...sweep.sigmas.map((s) => el('th', { scope: 'col', class: 'num', text: sigmaText(s) })));
  const body = el('tbody', {}, ...sweep.forms.filter((f) => grouped.has(f)).map((form) => el('tr', { dataset: { form } },
    el('th', { scope: 'row', text: form || '(the program)' }),
    ...sweep.sigmas.map((sigma) => {
      const vals = grouped.get(form).get(sigma) || [];
      const nums = vals.map(asNumber);
      const text = trials > 1
        ? `${numberText(median(vals))} [${numberText(Math.min(...nums))}, ${numberText(Math.max(...nums))}]`
        : numberText(vals[0]);
      return el('td', { class: 'num', dataset: { sigma, values: JSON.stringify(vals) }, text });
    }))));
  return el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'noise sweep numbers (scrolls)' },
    el('table', { class: 'noise-table', id: 'noise-table' },
      el('caption', { class: 'small muted', text: `${what}, per form and σ: ${trials > 1 ? `the median over ${trials} trials and [min, max]` : 'one trial'}` }),
      el('thead', {}, head), body));
}

// ---- the card ---------------------------------------------------------------
function withoutForm(params) {
  const sent = { ...(params || {}) };
  delete sent.form; // swept
  return sent;
}

// What a sweep's numbers depend on besides its own settings.
function sweepKey(source, params, prompt) {
  const p = prompt?.kind === 'dictionary' ? [prompt.kind, prompt.pairs] : [prompt?.kind, prompt?.function, prompt?.cells, prompt?.query];
  return JSON.stringify([source, Object.entries(withoutForm(params)).sort(), p]);
}

export class NoiseLab {
  // section: the card (hidden unless the prompt is a dictionary or a
  // continuous one); container: its body. onRun(settings): the page runs the
  // sweep as one of its jobs (it calls run() below).
  constructor(section, container, { onRun = () => {} } = {}) {
    this.section = section;
    this.container = container;
    this.onRun = onRun;
    this.kind = null;
    this.forms = [];
    this.sweep = null;
    this.build();
    this.section.hidden = true;
  }

  build() {
    const field = (id, label, input, hint) => el('label', { class: 'noise-field', for: id }, el('span', { text: label }), input, hint ? el('span', { class: 'muted small', text: hint }) : null);
    this.sigmasInput = el('input', { type: 'text', id: 'noise-sigmas', value: DEFAULT_SIGMAS.map(sigmaText).join(', '), spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'noise-error' });
    this.trialsInput = el('input', { type: 'number', id: 'noise-trials', class: 'narrow', min: 1, max: MAX_TRIALS, step: 1, value: String(DEFAULT_TRIALS), 'aria-describedby': 'noise-error' });
    this.seedInput = el('input', { type: 'number', id: 'noise-seed', class: 'narrow', min: 0, step: 1, value: '0', 'aria-describedby': 'noise-error' });
    this.targetSelect = el('select', { id: 'noise-target' }, ...NOISE_TARGETS.map((t) => el('option', { value: t, text: t })));
    this.runButton = el('button', { type: 'button', id: 'noise-run', class: 'primary', text: 'Run sweep', on: { click: () => this.requestRun() } });
    this.error = el('p', { id: 'noise-error', class: 'noise-error', role: 'alert' });
    this.status = el('p', { id: 'noise-status', class: 'noise-status muted small', role: 'status' });
    this.about = el('p', { class: 'noise-about small' });
    this.results = el('div', { class: 'noise-results', id: 'noise-results' });
    this.staleNote = el('p', { class: 'noise-stale small', id: 'noise-stale', text: 'The program, its parameters or its prompt changed since this sweep: run it again for numbers of what is on screen.' });
    this.staleNote.hidden = true;
    for (const input of [this.sigmasInput, this.trialsInput, this.seedInput]) {
      input.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); this.requestRun(); } });
    }
    replaceChildren(this.container,
      this.about,
      el('div', { class: 'noise-controls' },
        field('noise-sigmas', 'σ values', this.sigmasInput),
        field('noise-trials', 'trials', this.trialsInput),
        field('noise-seed', 'seed', this.seedInput),
        field('noise-target', 'target', this.targetSelect),
        this.runButton),
      this.error, this.status, this.staleNote, this.results);
    this.error.hidden = true;
  }

  // The program on screen: its prompt (only dictionary and continuous
  // prompts have a noise measure) and its params (the choices of `form`).
  setProgram({ source, params, prompt, info }) {
    const kind = prompt?.kind === 'dictionary' || prompt?.kind === 'continuous' ? prompt.kind : null;
    this.section.hidden = !kind;
    this.kind = kind;
    if (!kind) return;
    // Numbers of another program, params or prompt are kept but marked.
    const stale = !!this.sweep && this.sweep.key !== sweepKey(source, params, prompt);
    this.setStale(stale);
    this.staleNote.hidden = !stale;
    const form = (info?.params || []).find((p) => p.name === 'form');
    this.forms = Array.isArray(form?.choices) && form.choices.length ? form.choices.map(String) : [];
    const formsText = this.forms.length ? `every f_ifelse form (${this.forms.join(', ')})` : 'the program as it is (it has no `form` parameter)';
    const measure = kind === 'dictionary'
      ? 'every key of the prompt\'s dictionary is asked once and the measure is the number of wrong tokens among all the answers'
      : 'the prompt\'s function is asked at the centres of a 4-per-axis grid and at its query, and the measure is the largest |noisy − noise-free| of the last output (0 at σ = 0)';
    replaceChildren(this.about,
      'Adds Gaussian noise N(0, σ²) to every non-zero weight and bias of the compiled model, for ', formsText,
      '. The weights are the fixed ones the compiler made from the program and its parameters, the same for every prompt: nothing is tuned to the prompt. ',
      `Then ${measure}. Trial k draws its noise from seed + k. `,
      'It is the sweep of ', el('code', { text: 'lsrlc noise' }), ' (the paper\'s Fig. 4, described in docs/experiments.md: "the multiplicative forms are the most robust, the original form the least").');
  }

  setStale(stale) {
    this.results.classList.toggle('stale', !!stale);
    this.results.dataset.stale = String(!!stale);
  }

  setBusy(busy) {
    this.runButton.disabled = !!busy;
    this.runButton.textContent = busy ? 'Running…' : 'Run sweep';
  }

  readSettings() {
    const sigmas = parseSigmas(this.sigmasInput.value);
    const trials = parseWhole(this.trialsInput.value, 'trials', 1, MAX_TRIALS);
    const seed = parseWhole(this.seedInput.value, 'the seed', 0, Number.MAX_SAFE_INTEGER);
    const problems = [[this.sigmasInput, sigmas], [this.trialsInput, trials], [this.seedInput, seed]];
    for (const [input, parsed] of problems) {
      input.classList.toggle('invalid', !!parsed.error);
      input.setAttribute('aria-invalid', parsed.error ? 'true' : 'false');
    }
    const first = problems.find(([, p]) => p.error);
    if (first) return { error: first[1].error };
    return { sigmas: sigmas.sigmas, trials: trials.value, seed: seed.value, target: this.targetSelect.value };
  }

  requestRun() {
    const settings = this.readSettings();
    this.error.hidden = !settings.error;
    this.error.textContent = settings.error || '';
    if (settings.error) return;
    this.onRun(settings);
  }

  // Runs the sweep form by form. Returns 'done' | 'superseded' | 'failed';
  // a cancelled worker call (its error has .cancelled) is thrown through.
  async run({ client, source, params, prompt, filename, settings, isCurrent, progress = () => {} }) {
    const { sigmas, trials, seed, target } = settings;
    const kind = prompt.kind;
    const enginePrompt = kind === 'dictionary'
      ? { kind, pairs: (prompt.pairs || []).map(([k, v]) => [String(k), String(v)]) }
      : { kind, function: prompt.function, cells: prompt.cells, query: Array.from(prompt.query || [], Number) };
    const sent = withoutForm(params);
    const forms = this.forms.length ? this.forms : [null];
    const sweep = { key: sweepKey(source, params, prompt), kind, measure: null, outOf: null, queries: null, forms: [], sigmas, trials, seed, target, rows: [], leftOut: [] };
    this.sweep = sweep; // shown as it grows, kept if cancelled
    this.setStale(false);
    this.staleNote.hidden = true;
    this.setBusy(true);
    this.container.dataset.complete = 'false';
    replaceChildren(this.results);
    const started = performance.now();
    try {
      for (let i = 0; i < forms.length; i++) {
        const form = forms[i];
        const say = `noise lab: form ${i + 1} of ${forms.length}${form ? ` (${form})` : ''}, ${sigmas.length} σ × ${trials} trial${trials === 1 ? '' : 's'}…`;
        this.status.textContent = say;
        progress(say);
        const options = { target, params: sent, filename, sigmas, trials, seed, prompt: enginePrompt };
        if (form !== null) options.forms = [form];
        const result = await client.noiseSweep(source, options);
        if (!isCurrent()) {
          this.status.textContent = `stopped after ${i} of ${forms.length} forms (cancelled, or the program or its options changed)${sweep.forms.length ? '; the forms done are shown' : ''}`;
          return 'superseded';
        }
        const messages = (result?.diagnostics || []).map((d) => d.message);
        if (!result?.ok) {
          if (forms.length > 1) {
            sweep.leftOut.push({ form, message: messages.join('; ') || 'failed' });
            this.draw(sweep, { partial: i + 1 < forms.length });
            continue;
          }
          this.status.textContent = `the sweep failed: ${messages.join('; ') || 'unknown error'}`;
          return 'failed';
        }
        sweep.measure = result.measure;
        sweep.outOf = result.out_of ?? null;
        sweep.queries = result.queries ?? null;
        for (const left of result.left_out || []) sweep.leftOut.push({ form: left.form, message: left.message });
        const rows = (result.rows || []).map((r) => ({
          form: String(r.form ?? form ?? ''), sigma: Number(r.sigma), trial: Number(r.trial),
          value: r.value === null || r.value === undefined || !Number.isFinite(Number(r.value)) ? null : Number(r.value),
        }));
        for (const r of rows) if (!sweep.forms.includes(r.form)) sweep.forms.push(r.form);
        sweep.rows.push(...rows);
        this.draw(sweep, { partial: i + 1 < forms.length });
      }
    } catch (error) {
      this.status.textContent = `stopped (${error?.cancelled ? 'cancelled' : error?.message || error})${sweep.forms.length ? '; the forms done are shown' : ''}`;
      throw error;
    } finally {
      this.setBusy(false);
    }
    if (!sweep.rows.length) {
      const why = sweep.leftOut.map((l) => `${l.form}: ${l.message}`).join('; ');
      this.status.textContent = `no form could be swept on ${target}${why ? ` (${why})` : ''}`;
      return 'failed';
    }
    const seconds = (performance.now() - started) / 1000;
    this.status.textContent = `${sweep.forms.length} form${sweep.forms.length === 1 ? '' : 's'} × ${sigmas.length} σ × ${trials} trial${trials === 1 ? '' : 's'} on ${target} in ${seconds.toFixed(1)} s`;
    this.container.dataset.complete = 'true';
    return 'done';
  }

  draw(sweep, { partial = false } = {}) {
    const parts = [];
    if (sweep.rows.length) {
      const discrete = sweep.measure === 'wrong_tokens';
      parts.push(el('p', { class: 'noise-measure small', id: 'noise-measure' },
        discrete
          ? `Measure: wrong tokens among the answers of all ${sweep.queries} queries (out of ${sweep.outOf}: ${sweep.queries} queries × ${sweep.outOf / sweep.queries} answer tokens); 0 is every answer right.`
          : `Measure: the largest |noisy − noise-free| of the last output over ${sweep.queries} queries; 0 is the noise-free answer, which is the program's.`));
      parts.push(el('figure', { class: 'noise-figure' }, el('div', { class: 'noise-plot-box', tabindex: 0, role: 'region', 'aria-label': 'noise sweep plot (scrolls sideways on a narrow screen)' }, noisePlot(sweep)), legendFor(sweep.forms)));
      parts.push(resultTable(sweep));
      parts.push(downloadRow('download the sweep', [
        { label: 'CSV', id: 'download-noise-csv', what: 'the noise sweep', make: () => ({ data: noiseCsv(sweep), filename: `noise-${sweep.kind}.csv`, type: 'text/csv' }) },
        { label: 'JSON', id: 'download-noise-json', what: 'the noise sweep', make: () => ({ data: JSON.stringify(sweep), filename: `noise-${sweep.kind}.json`, type: 'application/json' }) },
      ]));
    }
    if (sweep.leftOut.length) {
      parts.push(el('p', { class: 'noise-left-out small', id: 'noise-left-out' },
        `Left out (the ${sweep.target} target cannot hold them): `,
        sweep.leftOut.map((l) => `${l.form} (${l.message})`).join('; ')));
    }
    if (partial) parts.push(el('p', { class: 'muted small', text: 'more forms to come…' }));
    replaceChildren(this.results, ...parts);
  }
}
