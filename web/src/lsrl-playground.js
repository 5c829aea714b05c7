// <lsrl-playground>: a live LSRL program for any page (docs/embedding.md).
//
//   <script type="module" src="https://SITE/lsrl-playground.js"></script>
//   <lsrl-playground example="more_ones" target="gated-linear-rnn" prompt="1 0 1 1 0"
//                    panels="program outputs trace" height="420px"></lsrl-playground>
//
// Attributes: the program as the element's text, `program="..."`,
// `src="URL"` (relative to the host page) or `example="NAME"` (a shipped
// example); `target` (default gated-linear-rnn); `prompt` (tokens as lsrlc
// --input takes them; default: the example's prompt); `panels` (any of
// program, prompt, outputs, trace, hidden, graph; default "program outputs");
// `height` (a CSS length; default: as tall as the content); `theme` ("light" or
// "dark"; default: the reader's system setting).
//
// Everything lives in a shadow root with its own style sheets (beside this
// script), so the widget neither inherits the host's styles nor leaks its own.
// The engine (worker, lsrl.mjs, lsrl.wasm) is found relative to this script's
// URL, and the widgets of one page share one engine (one worker).

import { LsrlClient } from './lsrl-client.js';
import { el, debounce } from './ui/dom.js';
import { PromptInput } from './ui/prompt.js';
import { OutputsView } from './ui/outputs.js';
import { TraceTable } from './ui/trace-table.js';
import { HiddenStatesView } from './ui/hidden-states.js';
import { GraphsView } from './ui/graphs.js';
import { encodeStateHash } from './ui/share.js';
import { defaultState, sanitizeState } from './ui/state.js';

const SITE = new URL('./', import.meta.url);
const PANELS = ['program', 'prompt', 'outputs', 'trace', 'hidden', 'graph'];
const DEFAULT_PANELS = ['program', 'outputs'];
const DEFAULT_TARGET = 'gated-linear-rnn';
const EDIT_DEBOUNCE_MS = 400;

// The page's one engine and examples manifest, made on first use. A worker
// must come from the page's own origin: for a script served from elsewhere
// (with CORS), a same-origin blob module imports the real worker.
let enginePromise = null;
function engine() {
  if (!enginePromise) {
    enginePromise = (async () => {
      let workerUrl = new URL('assets/worker.js', SITE).href;
      if (new URL(workerUrl).origin !== globalThis.location?.origin) {
        const blob = new Blob([`import ${JSON.stringify(workerUrl)};\n`], { type: 'text/javascript' });
        workerUrl = URL.createObjectURL(blob);
      }
      const client = new LsrlClient({
        workerUrl,
        moduleUrl: new URL('lsrl.mjs', SITE).href,
        wasmUrl: new URL('lsrl.wasm', SITE).href,
      });
      const ready = await client.ready();
      return { client, targets: ready?.targets || [] };
    })();
  }
  return enginePromise;
}

// The graph layout worker, from this script's site (a same-origin blob
// module imports it when the site is another origin, as for the engine).
let layoutUrl = null;
function layoutWorkerUrl() {
  if (!layoutUrl) {
    layoutUrl = new URL('assets/layout-worker.js', SITE).href;
    if (new URL(layoutUrl).origin !== globalThis.location?.origin) {
      layoutUrl = URL.createObjectURL(new Blob([`import ${JSON.stringify(layoutUrl)};\n`], { type: 'text/javascript' }));
    }
  }
  return layoutUrl;
}

let examplesPromise = null;
function examples() {
  if (!examplesPromise) {
    examplesPromise = fetch(new URL('examples.json', SITE)).then((r) => {
      if (!r.ok) throw new Error(`examples.json: HTTP ${r.status}`);
      return r.json();
    });
  }
  return examplesPromise;
}

// Inline program text: the indentation common to its lines removed, so it
// can be indented like the HTML around it.
export function dedent(text) {
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[0].trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^[ \t]*/)[0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return `${lines.map((l) => l.slice(cut)).join('\n')}\n`;
}

export function parsePanels(value) {
  if (value == null) return DEFAULT_PANELS.slice();
  return String(value).split(/[\s,]+/).map((p) => (p === 'graphs' ? 'graph' : p)).filter((p) => PANELS.includes(p));
}

const firstMessage = (diagnostics) => (diagnostics || []).filter((d) => d.severity === 'error').concat(diagnostics || [])
  .map((d) => `${d.line >= 1 ? `line ${d.line}: ` : ''}${d.message}`)[0] || 'failed';

export class LsrlPlaygroundElement extends HTMLElement {
  static get observedAttributes() {
    return ['program', 'src', 'example', 'target', 'prompt', 'panels', 'height'];
  }

  constructor() {
    super();
    this.generation = 0;
    this.outputs = null; // the last run's outputs (number[][]), for scripts and tests
    this.source = '';
    this.built = false;
  }

  connectedCallback() {
    if (!this.built) this.build();
    this.reload();
  }

  attributeChangedCallback() {
    if (this.built && this.isConnected) this.reload();
  }

  build() {
    this.built = true;
    this.inlineSource = this.textContent;
    const root = this.attachShadow({ mode: 'open' });
    const sheet = (file) => el('link', { rel: 'stylesheet', href: new URL(file, SITE).href });
    this.statusNode = el('span', { class: 'w-status', role: 'status', 'aria-live': 'polite' });
    this.titleNode = el('span', { class: 'w-title', text: 'LSRL' });
    this.fullLink = el('a', { class: 'w-full-link', target: '_blank', rel: 'noopener', href: new URL('index.html', SITE).href, text: 'open in the playground ↗' });
    this.programArea = el('textarea', { class: 'w-program', spellcheck: 'false', 'aria-label': 'LSRL program' });
    this.programArea.addEventListener('input', debounce(() => {
      this.source = this.programArea.value;
      this.run();
    }, EDIT_DEBOUNCE_MS));
    this.promptField = el('input', { type: 'text', class: 'w-prompt', spellcheck: 'false', 'aria-label': 'prompt tokens' });
    this.promptField.addEventListener('input', debounce(() => {
      this.prompt = { kind: 'tokens', text: this.promptField.value };
      this.run();
    }, EDIT_DEBOUNCE_MS));
    this.problems = el('pre', { class: 'w-problems', hidden: true });
    const section = (name, title, body) => el('section', { class: `w-panel w-panel-${name}`, dataset: { panel: name } },
      title ? el('h3', { text: title }) : null, body);
    this.views = {
      outputs: new OutputsView(el('div', { class: 'outputs' })),
      trace: new TraceTable(el('div', { class: 'trace' })),
      hidden: new HiddenStatesView(el('div', { class: 'hidden-states' })),
      graph: new GraphsView(el('div', { class: 'graphs' }), { layoutWorkerUrl: layoutWorkerUrl() }),
    };
    this.sections = {
      program: section('program', null, this.programArea),
      prompt: section('prompt', null, el('label', { class: 'w-prompt-label' }, 'prompt ', this.promptField)),
      outputs: section('outputs', 'Outputs', this.views.outputs.container),
      trace: section('trace', 'Trace', this.views.trace.container),
      hidden: section('hidden', 'Hidden states', this.views.hidden.container),
      graph: section('graph', 'Computation graph', this.views.graph.container),
    };
    this.body = el('div', { class: 'w-body' }, ...PANELS.map((p) => this.sections[p]), this.problems);
    this.frame = el('div', { class: 'w-frame', part: 'frame' },
      el('header', { class: 'w-bar' }, this.titleNode, this.statusNode, this.fullLink), this.body);
    root.append(sheet('styles/playground.css'), sheet('styles/lsrl-playground.css'), this.frame);
  }

  setStatus(kind, text) {
    this.dataset.state = kind; // loading | running | ok | error
    this.statusNode.textContent = text;
    this.statusNode.className = `w-status ${kind}`;
  }

  // Reads the attributes and the program, then runs.
  async reload() {
    const generation = ++this.generation;
    const panels = parsePanels(this.getAttribute('panels'));
    for (const p of PANELS) this.sections[p].hidden = !panels.includes(p);
    const height = this.getAttribute('height');
    this.frame.style.height = height && /^[\w.%() +-]{1,40}$/.test(height) ? (/^\d+$/.test(height) ? `${height}px` : height) : '';
    this.target = this.getAttribute('target') || DEFAULT_TARGET;
    this.setStatus('loading', 'loading…');
    let example = null;
    try {
      if (this.hasAttribute('src')) {
        const response = await fetch(new URL(this.getAttribute('src'), document.baseURI), { credentials: 'omit' });
        if (!response.ok) throw new Error(`${this.getAttribute('src')}: HTTP ${response.status}`);
        this.source = await response.text();
      } else if (this.hasAttribute('example')) {
        const name = this.getAttribute('example');
        example = (await examples()).find((e) => e.name === name);
        if (!example) throw new Error(`there is no example named "${name}"`);
        this.source = example.source;
      } else if (this.hasAttribute('program')) {
        this.source = dedent(this.getAttribute('program'));
      } else {
        this.source = dedent(this.inlineSource || '');
      }
    } catch (error) {
      if (generation === this.generation) this.fail(`could not load the program: ${error.message}`);
      return;
    }
    if (generation !== this.generation) return;
    this.example = example;
    this.params = {};
    for (const [k, v] of Object.entries(example?.companion?.params || {})) this.params[k] = String(v);
    if (this.hasAttribute('prompt')) this.prompt = { kind: 'tokens', text: this.getAttribute('prompt') };
    else if (example?.companion?.prompt && typeof example.companion.prompt === 'object') this.prompt = example.companion.prompt;
    else this.prompt = { kind: 'tokens', text: '' };
    this.titleNode.textContent = example?.companion?.title ? `LSRL · ${example.companion.title}` : 'LSRL';
    this.programArea.value = this.source;
    this.programArea.rows = Math.min(18, Math.max(3, this.source.split('\n').length));
    this.promptField.value = this.prompt.kind === 'tokens' ? this.prompt.text : '';
    this.promptField.disabled = this.prompt.kind !== 'tokens';
    await this.run();
  }

  fail(message) {
    this.problems.textContent = message;
    this.problems.hidden = false;
    this.setStatus('error', 'error');
  }

  async run() {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.setStatus('running', `compiling for ${this.target}…`);
    let client;
    try {
      ({ client } = await engine());
    } catch (error) {
      if (current()) this.fail(`could not start the compiler: ${error?.message || error}`);
      return;
    }
    if (!current()) return;
    const panels = parsePanels(this.getAttribute('panels'));
    const options = { target: this.target, params: this.params, filename: 'program.lsrl' };
    const compiled = await client.compile(this.source, options);
    if (!current()) return client.release(compiled.model_id);
    if (!compiled.ok) return this.fail(compiled.diagnostics.map((d) => d.rendered || d.message).join('\n'));
    const toRelease = [compiled.model_id];
    try {
      const prompt = new PromptInput(el('div'));
      prompt.set(this.prompt);
      prompt.setProgram(compiled.info);
      const built = await prompt.buildTokens(client, compiled.model_id, this.prompt);
      if (!current()) return;
      if (!built.ok) return this.fail(`prompt: ${firstMessage(built.diagnostics)}`);
      const tokens = built.tokens || [];
      if (!tokens.length) {
        this.views.outputs.clear('The prompt is empty.');
        this.problems.hidden = true;
        return this.setStatus('ok', 'compiled; no prompt');
      }
      // One model for every prompt: the weights never depend on one.
      const model = compiled;
      this.setStatus('running', `running ${tokens.length} steps on ${this.target}…`);
      const traced = panels.includes('hidden') || (panels.includes('trace') && this.target === 'dag');
      const result = await client.run(model.model_id, tokens, { trace: traced });
      if (!current()) return;
      if (!result.ok) return this.fail(`run: ${firstMessage(result.diagnostics)}`);
      this.problems.hidden = true;
      const answerLength = this.prompt.kind === 'dictionary' ? Array.from(this.prompt.query || '').length : 0;
      this.outputs = result.outputs.map((row) => Array.from(row));
      this.views.outputs.render({ result, tokens, vocab: compiled.info?.vocab || null, answerLength });
      if (panels.includes('graph')) this.views.graph.render({ program: compiled.graphs?.program, path: compiled.graphs?.path });
      if (panels.includes('hidden')) {
        if (this.target === 'dag') this.views.hidden.render({ summary: null, path: null, trace: null, note: '' });
        else this.views.hidden.render({ summary: model.summary, path: model.summary?.path, trace: result.trace, note: '' });
      }
      if (panels.includes('trace')) {
        if (this.target === 'dag') {
          this.views.trace.render(result.trace);
        } else {
          const dag = await client.compile(this.source, { ...options, target: 'dag' });
          if (!current()) return client.release(dag.model_id);
          if (dag.ok) {
            toRelease.push(dag.model_id);
            const dagRun = await client.run(dag.model_id, tokens, { trace: true });
            if (!current()) return;
            if (dagRun.ok) this.views.trace.render(dagRun.trace);
          }
        }
      }
      this.updateFullLink();
      this.setStatus('ok', `${this.target} · ${tokens.length} steps`);
      this.dispatchEvent(new CustomEvent('lsrl-run', { bubbles: true, detail: { outputs: this.outputs, target: this.target } }));
    } finally {
      for (const id of toRelease) client.release(id);
    }
  }

  async updateFullLink() {
    const state = sanitizeState({
      ...defaultState(), example: this.example?.name || null, source: this.source, params: this.params, target: this.target, prompt: this.prompt,
    });
    this.fullLink.href = `${new URL('index.html', SITE).href}#${await encodeStateHash(state)}`;
  }
}

if (!customElements.get('lsrl-playground')) customElements.define('lsrl-playground', LsrlPlaygroundElement);
