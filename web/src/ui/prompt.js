// The prompt: plain numbers, CSV rows, text through the program's vocab, the
// Listing 1 generator (f(x1, x2), cells per axis, a query: the prompt of the
// paper's Eq. 8) or the Listing 2 key -> value editor with its query. Each
// kind keeps what was typed in it while another kind is shown.

import { el, replaceChildren } from './dom.js';
import { sanitizePrompt, MAX_PROMPT_CHARS } from './state.js';

export const MAX_PROMPT_TOKENS = 1_000_000;

const KIND_LABELS = {
  tokens: 'numbers',
  csv: 'CSV rows',
  text: 'text',
  continuous: 'f(x) generator',
  dictionary: 'key → value',
};

const DEFAULTS = {
  tokens: { kind: 'tokens', text: '' },
  csv: { kind: 'csv', text: '' },
  text: { kind: 'text', text: '' },
  continuous: { kind: 'continuous', function: 'sin(3*x1)*x2', cells: 6, query: [0.5, 0.5] },
  dictionary: { kind: 'dictionary', query: '', pairs: [] },
};

function toNumberArray(tokens) {
  return Array.isArray(tokens) ? tokens : [];
}

export class PromptInput {
  constructor(container, { onChange = () => {} } = {}) {
    this.container = container;
    this.onChange = onChange;
    this.byKind = JSON.parse(JSON.stringify(DEFAULTS));
    this.kind = 'tokens';
    this.dIn = 2;
    this.vocab = null;
    this.inputDim = 1;
    this.defaultPairs = [];

    this.kindSelect = el('select', { id: 'prompt-kind', 'aria-label': 'prompt kind' },
      ...Object.entries(KIND_LABELS).map(([k, label]) => el('option', { value: k, text: label })));
    this.kindSelect.addEventListener('change', () => {
      this.kind = this.kindSelect.value;
      this.renderBody();
      this.changed();
    });
    this.hint = el('span', { class: 'prompt-hint muted' });
    this.body = el('div', { class: 'prompt-body' });
    this.count = el('div', { class: 'prompt-count muted', id: 'prompt-count' });
    replaceChildren(container,
      el('div', { class: 'prompt-head' }, el('label', { for: 'prompt-kind', text: 'Prompt as ' }), this.kindSelect, this.hint),
      this.body, this.count);
    this.renderBody();
  }

  changed() {
    this.onChange(this.value());
  }

  // The current prompt, as the state stores it.
  // The typed text is kept whole whatever its length: buildTokens says when
  // it is longer than the page handles (sanitizing would drop it silently).
  value() {
    const raw = JSON.parse(JSON.stringify(this.byKind[this.kind]));
    const prompt = sanitizePrompt(raw);
    if (typeof raw.text === 'string' && 'text' in prompt) prompt.text = raw.text;
    return prompt;
  }

  // Shows a prompt (from an example, a link or the autosave).
  set(prompt, { defaultPairs } = {}) {
    const p = sanitizePrompt(prompt);
    this.kind = p.kind;
    this.byKind[p.kind] = p;
    if (defaultPairs) this.defaultPairs = defaultPairs.map(([k, v]) => [k, v]);
    else if (p.kind === 'dictionary' && p.pairs.length) this.defaultPairs = p.pairs.map(([k, v]) => [k, v]);
    this.kindSelect.value = p.kind;
    this.renderBody();
  }

  // What the compiled program expects: called after each successful compile.
  setProgram(info) {
    const dInParam = (info?.params || []).find((p) => p.name === 'd_in');
    const dIn = dInParam ? Math.max(1, Math.round(Number(dInParam.value))) : this.dIn;
    const vocab = typeof info?.vocab === 'string' && info.vocab ? info.vocab : null;
    const changed = dIn !== this.dIn || vocab !== this.vocab || info?.input_dim !== this.inputDim;
    this.dIn = dIn;
    this.vocab = vocab;
    this.inputDim = info?.input_dim || 1;
    if (changed) {
      const q = this.byKind.continuous.query;
      this.byKind.continuous.query = Array.from({ length: dIn }, (_, i) => (Number.isFinite(q[i]) ? q[i] : 0.5));
      this.renderBody();
    } else {
      this.updateHint();
    }
  }

  showCount(text) {
    this.count.textContent = text;
  }

  updateHint() {
    const hints = {
      tokens: `tokens separated by spaces or ';', components by ',' (input width ${this.inputDim})`,
      csv: `one token per line, ${this.inputDim} comma-separated component${this.inputDim === 1 ? '' : 's'}`,
      text: this.vocab ? `characters of the vocab "${this.vocab}"` : 'this program declares no vocab(...)',
      continuous: `Listing 1 prompt: a cell token per grid cell, then the query (d_in = ${this.dIn})`,
      dictionary: this.vocab ? `Listing 2 prompt: query, then key, value, key, value... (vocab "${this.vocab}")` : 'needs a vocab(...)',
    };
    this.hint.textContent = hints[this.kind] || '';
  }

  renderBody() {
    this.kindSelect.value = this.kind;
    this.updateHint();
    const p = this.byKind[this.kind];
    if (this.kind === 'tokens' || this.kind === 'csv') {
      const area = el('textarea', {
        id: 'prompt-text', rows: this.kind === 'csv' ? 6 : 3, spellcheck: 'false', value: p.text,
        placeholder: this.kind === 'csv' ? '0.2,0.7\n0.5,0' : '1 0 1 1 0',
      });
      area.addEventListener('input', () => {
        p.text = area.value;
        this.changed();
      });
      replaceChildren(this.body, area);
    } else if (this.kind === 'text') {
      const input = el('input', { id: 'prompt-text', type: 'text', spellcheck: 'false', value: p.text, placeholder: 'text' });
      input.addEventListener('input', () => {
        p.text = input.value;
        this.changed();
      });
      replaceChildren(this.body, input);
    } else if (this.kind === 'continuous') {
      replaceChildren(this.body, this.continuousBody(p));
    } else {
      replaceChildren(this.body, this.dictionaryBody(p));
    }
  }

  continuousBody(p) {
    const fn = el('input', { id: 'prompt-function', type: 'text', spellcheck: 'false', value: p.function });
    fn.addEventListener('input', () => {
      p.function = fn.value;
      this.changed();
    });
    // At most a million prompt tokens: the page holds the prompt in memory
    // and hands it to the worker.
    const maxCells = Math.floor(Math.pow(MAX_PROMPT_TOKENS, 1 / Math.max(1, this.dIn)) + 1e-9);
    const cells = el('input', { id: 'prompt-cells', type: 'number', min: 1, max: maxCells, step: 1, value: String(p.cells) });
    cells.addEventListener('input', () => {
      const v = Number(cells.value);
      const ok = Number.isInteger(v) && v >= 1 && v <= maxCells;
      cells.classList.toggle('invalid', !ok);
      if (!ok) return;
      p.cells = v;
      this.changed();
    });
    const queries = p.query.map((q, i) => {
      const box = el('input', {
        type: 'number', min: 0, max: 1, step: 0.01, value: String(q), class: 'prompt-query',
        'aria-label': `query x${i + 1}`, dataset: { axis: i + 1 },
      });
      box.addEventListener('input', () => {
        const v = Number(box.value);
        if (box.value.trim() === '' || !Number.isFinite(v)) return;
        p.query[i] = v;
        this.changed();
      });
      return el('label', { class: 'inline' }, `x${i + 1} `, box);
    });
    const vars = Array.from({ length: this.dIn }, (_, i) => `x${i + 1}`).join(', ');
    return el('div', { class: 'generator' },
      el('label', { class: 'row' }, el('span', { text: `f(${vars}) = ` }), fn),
      el('div', { class: 'row' },
        el('label', { class: 'inline' }, 'cells per axis ', cells),
        el('span', { class: 'muted', text: ' query: ' }), ...queries),
      el('p', { class: 'muted small', text: 'expressions in x1..xd with + - * / ** and sin cos tan exp log sqrt abs tanh min max pow floor pi e; separate output components with ";"' }));
  }

  dictionaryBody(p) {
    const query = el('input', { id: 'prompt-query', type: 'text', spellcheck: 'false', value: p.query, placeholder: 'CAN' });
    query.addEventListener('input', () => {
      p.query = query.value;
      this.changed();
    });
    const rows = el('tbody');
    const renderRows = () => {
      replaceChildren(rows, ...p.pairs.map((pair, i) => {
        const key = el('input', { type: 'text', value: pair[0], class: 'pair-key', 'aria-label': `key ${i + 1}` });
        const value = el('input', { type: 'text', value: pair[1], class: 'pair-value', 'aria-label': `value ${i + 1}` });
        key.addEventListener('input', () => { pair[0] = key.value; this.changed(); });
        value.addEventListener('input', () => { pair[1] = value.value; this.changed(); });
        const remove = el('button', {
          type: 'button', class: 'small', text: '−', title: 'remove this pair',
          on: { click: () => { p.pairs.splice(i, 1); renderRows(); this.changed(); } },
        });
        return el('tr', {}, el('td', {}, key), el('td', { text: '→' }), el('td', {}, value), el('td', {}, remove));
      }));
    };
    renderRows();
    const add = el('button', {
      type: 'button', class: 'small', text: '+ pair',
      on: { click: () => { p.pairs.push(['', '']); renderRows(); this.changed(); } },
    });
    const reset = el('button', {
      type: 'button', class: 'small', text: 'reset table',
      title: 'the example\'s table (the paper\'s country → capital pairs for discrete_ua)',
      on: { click: () => { p.pairs = this.defaultPairs.map(([k, v]) => [k, v]); renderRows(); this.changed(); } },
    });
    return el('div', { class: 'dictionary' },
      el('label', { class: 'row' }, el('span', { text: 'query ' }), query),
      el('div', { class: 'pairs-scroll' }, el('table', { class: 'pairs' },
        el('thead', {}, el('tr', {}, el('th', { text: 'key' }), el('th'), el('th', { text: 'value' }), el('th'))), rows)),
      el('div', { class: 'row' }, add, reset));
  }

  // Turns the prompt into tokens through the core (the worker): returns
  // {ok, diagnostics, tokens}.
  async buildTokens(client, modelId, prompt = this.value()) {
    const built = await this.checkedTokens(client, modelId, prompt);
    // The count under the box never keeps the figure of an earlier prompt.
    if (!built?.ok) this.showCount('not run: the prompt has a problem (see the status line)');
    return built;
  }

  async checkedTokens(client, modelId, prompt) {
    const dim = this.inputDim;
    if (typeof prompt.text === 'string' && prompt.text.length > MAX_PROMPT_CHARS) {
      return {
        ok: false, tokens: [],
        diagnostics: [{ line: 0, col: 0, severity: 'error', message: `the prompt has ${prompt.text.length.toLocaleString('en-US')} characters, more than the ${MAX_PROMPT_CHARS.toLocaleString('en-US')} the page handles: shorten it (or run it with lsrlc run)` }],
      };
    }
    const built = await this.parse(client, modelId, prompt, dim);
    if (built?.ok && (built.tokens?.length || 0) > MAX_PROMPT_TOKENS) {
      return {
        ok: false, tokens: [],
        diagnostics: [{ line: 0, col: 0, severity: 'error', message: `the prompt has ${built.tokens.length.toLocaleString('en-US')} tokens, more than the ${MAX_PROMPT_TOKENS.toLocaleString('en-US')} the page runs: shorten it (or run it with lsrlc run)` }],
      };
    }
    return built;
  }

  async parse(client, modelId, prompt, dim) {
    switch (prompt.kind) {
      case 'tokens':
        return client.parseTokens(prompt.text, dim);
      case 'csv':
        return client.parseCsv(prompt.text, dim);
      case 'text':
        return client.encodeText(prompt.text, modelId);
      case 'continuous':
        if (Math.pow(prompt.cells, this.dIn) > MAX_PROMPT_TOKENS) {
          return {
            ok: false, tokens: [],
            diagnostics: [{ line: 0, col: 0, severity: 'error', message: `${prompt.cells} cells per axis in ${this.dIn} dimensions is more than the ${MAX_PROMPT_TOKENS} prompt tokens the page handles: use fewer cells` }],
          };
        }
        return client.continuousPrompt(prompt.function, this.dIn, prompt.cells,
          Array.from({ length: this.dIn }, (_, i) => (Number.isFinite(prompt.query[i]) ? prompt.query[i] : 0.5)));
      case 'dictionary':
        if (!this.vocab) {
          return { ok: false, diagnostics: [{ line: 0, col: 0, severity: 'error', message: 'a key → value prompt needs a program with vocab(...)' }], tokens: [] };
        }
        return client.dictionaryPrompt(prompt.query, prompt.pairs, this.vocab);
      default:
        return { ok: true, diagnostics: [], tokens: toNumberArray([]) };
    }
  }
}
