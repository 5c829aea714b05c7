// The outputs: one row per step (the input token, the output components and,
// with a vocab, the decoded character), the decoded text, and for key -> value
// prompts the answer (the last n decoded characters). Long runs show their
// first and last rows only.

import { el, replaceChildren, formatNumber } from './dom.js';
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
function fidelityLine({ maxDeviation, wrongTokens }, steps, precision = '', untrustworthy = false) {
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

export class OutputsView {
  constructor(container) {
    this.container = container;
    this.clear('Outputs appear here after a run.');
  }

  clear(message) {
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
    const addRow = (i) => {
      const out = outputs.row(i);
      const input = i < inputs.count ? inputs.row(i) : [];
      body.appendChild(el('tr', { dataset: { step: i } },
        el('td', { class: 'num', text: String(i) }),
        el('td', { class: 'token', text: input.map(formatNumber).join(', ') +
          (decodes && input.length === 1 ? ` ${decodeChar(input[0], vocab)}` : '') }),
        ...out.map((v) => el('td', { class: 'num', text: formatNumber(v) })),
        decodes ? el('td', { class: 'char', text: decodeChar(out[0], vocab) }) : null));
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
      (Number.isFinite(result.runMs) ? `, run in ${formatNumber(Number(result.runMs.toFixed(2)))} ms` : '') }));
    if (result.fidelity) parts.push(fidelityLine(result.fidelity, steps, precision, problems.length > 0));
    parts.push(el('div', { class: 'table-scroll' },
      el('table', { class: 'outputs-table', id: 'outputs-table' }, el('thead', {}, head), body)));
    replaceChildren(this.container, ...parts);
  }
}
