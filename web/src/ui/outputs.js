// The outputs: one row per step (the input token, the output components and,
// with a vocab, the decoded character), the decoded text, and for key -> value
// prompts the answer (the last n decoded characters). Long runs show their
// first and last rows only.

import { el, replaceChildren, formatNumber, downloadRow, csvText } from './dom.js';
import { precisionProblems } from './precision.js';

const HEAD_ROWS = 100;
const TAIL_ROWS = 100;

// Accepts [[...], ...] or a flat {values, dim} and returns row accessors.
export function asRows(data, dim = 1) {
  if (Array.isArray(data)) return { count: data.length, row: (i) => Array.from(data[i] ?? []) };
  if (data && data.values && data.dim) {
    const d = data.dim;
    return { count: Math.floor(data.values.length / d), row: (i) => Array.from(data.values.subarray(i * d, (i + 1) * d)) };
  }
  if (ArrayBuffer.isView(data)) return { count: Math.floor(data.length / dim), row: (i) => Array.from(data.subarray(i * dim, (i + 1) * dim)) };
  return { count: 0, row: () => [] };
}

function decodeChar(value, vocab) {
  if (!vocab || !Number.isFinite(value)) return '';
  const id = Math.round(value);
  return id >= 0 && id < vocab.length ? vocab[id] : '\uFFFD';
}

// How far the compiled model's run is from the program's own outputs (the
// core measures it on every run): exact, or the largest relative deviation
// and the wrong decoded tokens.
function fidelityLine({ max_deviation: maxDeviation, wrong_tokens: wrongTokens }, steps, precision = '', untrustworthy = false) {
  const exact = maxDeviation === 0;
  if (untrustworthy) {
    // Model and program round the same out-of-range constant: agreeing bit
    // for bit says nothing about the answer then.
    return el('div', { class: 'fidelity off', id: 'fidelity',
      text: `model and program agree${exact ? ' bit for bit' : ''} in ${precision}, but both hold an out-of-range constant (see above): not a correct answer` });
  }
  const deviation = Number.isFinite(maxDeviation) ? maxDeviation.toPrecision(2) : String(maxDeviation);
  const tokens = Number.isInteger(wrongTokens) ? `, ${wrongTokens} of ${steps} tokens wrong` : '';
  return el('div', {
    class: `fidelity ${exact ? 'exact' : maxDeviation > 1e-6 ? 'off' : 'close'}`,
    id: 'fidelity',
    title: 'largest |model - program| / max(1, |program|) over every step and output, against the program run on the same tokens',
    text: exact ? 'model = program on this input (bit for bit)' : `vs the program: max deviation ${deviation}${tokens}`,
  });
}

// The outputs of a run as plain data: {steps, inputs, outputs, text?,
// chars?} (for the JSON download) and as CSV rows.
export function outputsData({ result, tokens, vocab = null }) {
  const outputs = asRows(result.outputs);
  const inputs = asRows(tokens);
  const rows = [];
  for (let i = 0; i < outputs.count; i++) rows.push({ input: i < inputs.count ? inputs.row(i) : [], output: outputs.row(i) });
  const decodes = !!vocab && rows.length > 0 && rows[0].output.length === 1;
  const data = { steps: rows.length, inputs: rows.map((r) => r.input), outputs: rows.map((r) => r.output) };
  if (decodes) data.chars = rows.map((r) => decodeChar(r.output[0], vocab));
  if (typeof result.text === 'string') data.text = result.text;
  return data;
}

export function outputsCsv(data) {
  const inWidth = Math.max(0, ...data.inputs.map((r) => r.length));
  const outWidth = Math.max(0, ...data.outputs.map((r) => r.length));
  const header = ['step',
    ...Array.from({ length: inWidth }, (_, j) => (inWidth === 1 ? 'input' : `input[${j}]`)),
    ...Array.from({ length: outWidth }, (_, j) => (outWidth === 1 ? 'output' : `output[${j}]`)),
    ...(data.chars ? ['char'] : [])];
  const rows = data.outputs.map((out, i) => [i, ...data.inputs[i], ...out, ...(data.chars ? [data.chars[i]] : [])]);
  return csvText(header, rows);
}

export class OutputsView {
  // cursor: the shared StepCursor (optional): a click on a row moves it, and
  // its step's row is marked.
  constructor(container, { cursor = null } = {}) {
    this.container = container;
    this.cursor = cursor;
    this.rowsByStep = new Map();
    this.marked = null;
    this.clear('Outputs appear here after a run.');
    cursor?.subscribe((step, source) => this.markStep(step, source));
  }

  markStep(step, source) {
    this.marked?.classList.remove('cursor');
    this.marked?.removeAttribute('aria-current');
    this.marked = step === null ? null : this.rowsByStep.get(step) || null;
    if (this.stepBox && document.activeElement !== this.stepBox) this.stepBox.value = step === null ? '' : String(step);
    if (this.stepNote) {
      this.stepNote.textContent = step !== null && !this.marked && this.rowsByStep.size ? 'this step is not among the rows shown' : '';
    }
    if (!this.marked) return;
    this.marked.classList.add('cursor');
    this.marked.setAttribute('aria-current', 'step');
    // Scroll the table (not the page) to the row another view picked.
    if (source !== 'outputs') {
      const scroller = this.marked.closest('.table-scroll');
      if (scroller) {
        const top = this.marked.offsetTop - scroller.clientHeight / 2;
        scroller.scrollTop = Math.max(0, top);
      }
    }
  }

  // The step box and its buttons: the keyboard's way to move the cursor.
  stepControl(steps) {
    const box = el('input', {
      type: 'number', id: 'step-cursor', min: 0, max: Math.max(0, steps - 1), step: 1, class: 'narrow',
      value: this.cursor?.step ?? '', placeholder: '—',
    });
    box.addEventListener('input', () => {
      if (box.value.trim() !== '' && Number.isFinite(Number(box.value))) this.cursor.set(Number(box.value), 'box');
    });
    this.stepBox = box;
    this.stepNote = el('span', { class: 'muted small', id: 'step-note' });
    return el('div', { class: 'step-control' },
      el('label', { for: 'step-cursor', text: 'step cursor' }),
      el('button', { type: 'button', class: 'small', text: '◀', 'aria-label': 'previous step', on: { click: () => this.cursor.move(-1, 'box') } }),
      box,
      el('button', { type: 'button', class: 'small', text: '▶', 'aria-label': 'next step', on: { click: () => this.cursor.move(1, 'box') } }),
      el('span', { class: 'muted small', text: 'marked in the outputs, the trace and every heatmap' }),
      this.stepNote);
  }

  clear(message) {
    this.rowsByStep = new Map();
    this.marked = null;
    this.stepBox = null;
    this.stepNote = null;
    replaceChildren(this.container, el('p', { class: 'muted', text: message }));
  }

  setStale(stale) {
    this.container.classList.toggle('stale', !!stale);
  }

  // result: the run result; tokens: the prompt tokens; vocab: info.vocab;
  // answerLength: for key -> value prompts, how many final outputs form the answer.
  // precision and params (info.params): checked for constants the format
  // cannot hold, shown above the result.
  render({ result, tokens, vocab = null, answerLength = 0, precision = '', params = [] }) {
    this.setStale(false);
    const problems = precisionProblems(params, precision);
    const outputs = asRows(result.outputs);
    const inputs = asRows(tokens);
    const steps = outputs.count;
    const outDim = steps ? outputs.row(0).length : 0;
    const decodes = !!vocab && outDim === 1;
    const parts = [];

    if (problems.length) {
      parts.push(el('div', { class: 'precision-warning', id: 'precision-warning', role: 'alert' },
        el('b', { text: `${precision}: out-of-range constant${problems.length === 1 ? '' : 's'}` }),
        el('ul', {}, ...problems.map((p) => el('li', { text: p.message })))));
    }
    if (typeof result.text === 'string') {
      parts.push(el('div', { class: 'decoded' },
        el('span', { class: 'label', text: 'decoded text' }),
        el('code', { class: 'decoded-text', id: 'decoded-text', text: result.text })));
      if (answerLength > 0 && result.text.length >= answerLength) {
        parts.push(el('div', { class: 'answer' },
          el('span', { class: 'label', text: 'answer' }),
          el('code', { id: 'answer-text', text: Array.from(result.text).slice(-answerLength).join('') })));
      }
    }

    const head = el('tr', {}, el('th', { text: 'step' }), el('th', { text: 'input' }),
      ...Array.from({ length: outDim }, (_, j) => el('th', { text: outDim === 1 ? 'output' : `out[${j}]` })),
      decodes ? el('th', { text: 'char' }) : null);
    const body = el('tbody');
    this.rowsByStep = new Map();
    this.marked = null;
    if (this.cursor) {
      body.addEventListener('click', (event) => {
        const row = event.target.closest('tr[data-step]');
        if (row) this.cursor.set(Number(row.dataset.step), 'outputs');
      });
    }
    const addRow = (i) => {
      const out = outputs.row(i);
      const input = i < inputs.count ? inputs.row(i) : [];
      const row = body.appendChild(el('tr', { dataset: { step: i } },
        el('td', { class: 'num', text: String(i) }),
        el('td', { class: 'token', text: input.map(formatNumber).join(', ') +
          (decodes && input.length === 1 ? ` ${decodeChar(input[0], vocab)}` : '') }),
        ...out.map((v) => el('td', { class: 'num', text: formatNumber(v) })),
        decodes ? el('td', { class: 'char', text: decodeChar(out[0], vocab) }) : null));
      this.rowsByStep.set(i, row);
    };
    if (steps <= HEAD_ROWS + TAIL_ROWS) {
      for (let i = 0; i < steps; i++) addRow(i);
    } else {
      for (let i = 0; i < HEAD_ROWS; i++) addRow(i);
      body.appendChild(el('tr', { class: 'gap' },
        el('td', { colspan: 3 + outDim, text: `… ${steps - HEAD_ROWS - TAIL_ROWS} steps not shown …` })));
      for (let i = steps - TAIL_ROWS; i < steps; i++) addRow(i);
    }
    parts.push(el('div', { class: 'meta muted', text: `${steps} step${steps === 1 ? '' : 's'}` +
      (Number.isFinite(result.run_ms) ? `, run in ${formatNumber(Number(result.run_ms.toFixed(2)))} ms` : '') }));
    if (result.fidelity) parts.push(fidelityLine(result.fidelity, steps, precision, problems.length > 0));
    if (this.cursor && steps > 0) parts.push(this.stepControl(steps));
    // A scrolling box the keyboard can reach (and scroll) on its own.
    parts.push(el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'outputs table (scrolls)' },
      el('table', { class: 'outputs-table', id: 'outputs-table' }, el('thead', {}, head), body)));
    const data = () => outputsData({ result, tokens, vocab });
    parts.push(downloadRow('download the outputs', [
      { label: 'CSV', id: 'download-outputs-csv', what: 'the outputs', make: () => ({ data: outputsCsv(data()), filename: 'outputs.csv', type: 'text/csv' }) },
      { label: 'JSON', id: 'download-outputs-json', what: 'the outputs', make: () => ({ data: JSON.stringify(data()), filename: 'outputs.json', type: 'application/json' }) },
    ]));
    replaceChildren(this.container, ...parts);
    if (this.cursor) this.markStep(this.cursor.step, 'run');
  }
}
