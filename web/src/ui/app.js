// The playground's controller: holds the state, wires the views to it and
// runs the pipeline (compile -> prompt tokens -> run -> draw) in the worker
// through LsrlClient. Shared by the full page (main.js) and the embed
// (embed.js); a view whose element is missing from the page is skipped.
//
// One job at a time: a change while a job runs marks the state dirty, the job
// stops at its next step (between worker calls) and a fresh one starts.
// Cancel stops a job the same way, keeping the worker and every compiled
// model; only a job still inside one worker call after CANCEL_GRACE_MS (a
// long compile or run) is stopped by restarting the worker (client.cancel()),
// and compiled models die with it, so the cache is keyed by an epoch that
// such a restart bumps.

import { LsrlClient } from '../lsrl-client.js';
import { el, formatNumber } from './dom.js';
import { defaultState, sanitizeState, cloneState, DEFAULT_EXAMPLE, DEFAULT_MAX_LENGTH } from './state.js';
import { decodeStateHash, encodeStateHash, mountShare } from './share.js';
import { loadSaved, makeAutosave } from './autosave.js';
import { ProgramEditor } from './editor.js';
import { ProblemsList } from './problems.js';
import { ExamplesMenu, loadExamples } from './examples.js';
import { ParamsControls } from './params.js';
import { TargetPicker } from './target-picker.js';
import { PromptInput } from './prompt.js';
import { OutputsView } from './outputs.js';
import { TraceTable } from './trace-table.js';
import { HiddenStatesView } from './hidden-states.js';
import { GraphsView } from './graphs.js';
import { SummaryView } from './summary.js';
import { ApproximationView } from './approximation.js';
import { NoiseLab } from './noise-lab.js';
import { StatusBar } from './status.js';
import { StepCursor } from './step-cursor.js';
import { Theme, mountThemeToggle } from './theme.js';
import { mountPanes } from './panes.js';

// Traces are recorded only for prompts up to this many steps (a trace keeps
// every unit of every layer at every step; a huge prompt would need gigabytes).
export const TRACE_MAX_STEPS = 4000;
export const TRACE_MAX_VALUES = 8_000_000;
const EDIT_DEBOUNCE_MS = 350;
// How long Cancel waits for the worker's current call before restarting it.
export const CANCEL_GRACE_MS = 1000;
// Compiled models kept in the worker, by program and options (least
// recently used first out): switching back to a target or a parameter value
// compiled before costs nothing.
export const MODEL_CACHE_SIZE = 8;
const CONTROL_DEBOUNCE_MS = 120;
const FILENAME = 'program.lsrl';
// The longest state hash the address bar carries (browsers take more, but
// such an address is no use to paste anywhere).
const MAX_HASH_CHARS = 100_000;
const MOD_KEY = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || '') ? '⌘' : 'Ctrl';
const EDITOR_KEYS_NOTE = `${MOD_KEY}+Enter runs now · Tab indents: press Esc, then Tab, to move on from the editor`;

function paramNamesIn(source) {
  const names = new Set();
  for (const m of source.matchAll(/(^|[^\w.])([A-Za-z_]\w*)\s*=\s*(?:lsrl\.)?param\s*\(/g)) names.add(m[2]);
  return names;
}

// The params the program declares (a value left from another program is not sent).
function declaredParams(s) {
  const params = {};
  const declared = paramNamesIn(s.source);
  for (const [k, v] of Object.entries(s.params)) if (declared.has(k)) params[k] = v;
  return params;
}

// Lets the browser paint and handle input between two views' renders, so
// the views of a big run are drawn in several short tasks, not one long one.
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

function isCancelled(error) {
  return !!(error && (error.cancelled === true || error.name === 'Cancelled'));
}

function diagnosticFromError(error) {
  return { line: 0, col: 0, length: 0, severity: 'error', message: String(error?.message || error) };
}

export class Playground {
  // The engine's files, relative to the page (build/site/): explicit, so they
  // are found whatever folder the bundler puts the client code in.
  constructor({
    embed = false,
    workerUrl = new URL('assets/worker.js', document.baseURI).href,
    moduleUrl = new URL('lsrl.mjs', document.baseURI).href,
    wasmUrl = new URL('lsrl.wasm', document.baseURI).href,
  } = {}) {
    this.embed = embed;
    this.engineUrls = { workerUrl, moduleUrl, wasmUrl };
    this.state = defaultState();
    this.examples = [];
    this.targets = []; // from the engine: which options each target reads
    this.generation = 0;
    this.epoch = 0;
    this.busy = false;
    this.dirty = false;
    this.timer = null;
    this.cache = new Map(); // key (program and options) -> compile result, in use order
    this.runCount = 0;
    this.firstOutputShown = false;
    this.autosave = embed ? () => {} : makeAutosave();
  }

  // ---- setup -------------------------------------------------------------
  mountViews() {
    const find = (id) => document.getElementById(id);
    this.status = new StatusBar(find('status'), find('cancel'), { onCancel: () => this.cancel() });
    if (find('editor')) {
      this.editor = new ProgramEditor(find('editor'), {
        onChange: (source) => this.onEdit(source),
        onRun: () => this.runNow(),
        onTabEscape: (ms) => this.showTabEscape(ms),
      });
    }
    if (!this.embed) mountPanes({ layout: document.querySelector('main.layout'), left: document.querySelector('main.layout > .column.left'), editor: find('editor') });
    this.theme = new Theme();
    if (find('theme-toggle')) mountThemeToggle(find('theme-toggle'), this.theme);
    if (this.editor) this.theme.subscribe((resolved) => this.editor.setTheme(resolved));
    this.editorKeys = find('editor-keys');
    if (this.editorKeys) this.editorKeys.textContent = EDITOR_KEYS_NOTE;
    // Ctrl/Cmd+Enter runs from anywhere on the page (the editor handles its
    // own and marks the event handled).
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
        event.preventDefault();
        this.runNow();
      }
    });
    if (find('problems')) this.problems = new ProblemsList(find('problems'), { onGoTo: (l, c) => this.editor?.goTo(l, c) });
    if (find('examples')) {
      this.examplesMenu = new ExamplesMenu(find('examples'), find('example-description'), { onPick: (ex) => this.loadExample(ex) });
    }
    if (find('params')) this.params = new ParamsControls(find('params'), { onChange: (n, v, spec) => this.onParam(n, v, spec) });
    if (find('target')) {
      this.picker = new TargetPicker(
        {
          target: find('target'), activations: find('activations'), linearChains: find('linear-chains'),
          maxLength: find('max-length'), precision: find('precision'), reason: find('target-reason'),
        },
        { onChange: (v) => this.onTarget(v) },
      );
    }
    if (find('prompt')) this.prompt = new PromptInput(find('prompt'), { onChange: (p) => this.onPrompt(p) });
    else this.prompt = new PromptInput(el('div'), {}); // the embed builds tokens the same way, without showing the box
    this.cursor = new StepCursor();
    if (find('outputs')) this.outputs = new OutputsView(find('outputs'), { cursor: this.cursor });
    if (find('trace')) this.trace = new TraceTable(find('trace'), { cursor: this.cursor });
    if (find('hidden')) this.hidden = new HiddenStatesView(find('hidden'), { cursor: this.cursor });
    if (find('graphs')) this.graph = new GraphsView(find('graphs'), { onNodeClick: (n) => this.editor?.goTo(n.line, 1) });
    if (find('summary')) this.summary = new SummaryView(find('summary'), { onExport: (format) => this.exportModel(format) });
    if (find('approx')) this.approx = new ApproximationView(find('approx-section'), find('approx'));
    if (find('noise-lab')) this.noiseLab = new NoiseLab(find('noise-lab-section'), find('noise-lab'), { onRun: (settings) => this.requestNoiseSweep(settings) });
    if (find('share') && find('embed')) {
      mountShare({ shareButton: find('share'), embedButton: find('embed'), panel: find('share-panel'), getState: () => this.snapshot() });
    }
    this.fullLink = find('full-link');
  }

  async start() {
    // The engine (worker + wasm) and the examples load while the views are
    // built: they are the long poles of the first paint.
    let client = null;
    let startError = null;
    try {
      client = new LsrlClient(this.engineUrls);
    } catch (error) {
      startError = error;
    }
    const examplesLoaded = loadExamples().catch((e) => {
      console.warn(e);
      return [];
    });
    this.mountViews();
    this.status.set('busy', 'loading the compiler…');
    try {
      if (startError) throw startError;
      this.client = client;
      // The engine ran out of memory (or trapped) and the client replaced
      // its worker: the models it held are gone.
      this.client.onRestart = () => this.forgetModels();
      const [ready, examples] = await Promise.all([this.client.ready(), examplesLoaded]);
      this.version = ready?.version;
      this.examples = examples;
      this.targets = ready?.targets || [];
      this.picker?.setTargets(this.targets);
      this.examplesMenu?.setExamples(examples);
    } catch (error) {
      this.status.set('error', `could not start the compiler: ${error?.message || error}`);
      return;
    }
    const fromLink = await decodeStateHash(window.location.hash);
    // A link that carries a state (#z=... or #j=...) but cannot be read opens
    // the default page, and says why rather than silently dropping it.
    if (!fromLink && /(^|&)[zj]=/.test(window.location.hash.replace(/^#/, ''))) {
      this.showLinkNotice('This link could not be read: it is damaged, or it holds more than a shared state may '
        + '(4 MB). The default example is open instead.');
    }
    const saved = !fromLink && !this.embed ? loadSaved() : null;
    let initial = fromLink || saved;
    if (!initial) {
      const example = this.findExample(DEFAULT_EXAMPLE) || this.examples[0];
      if (example) return this.loadExample(example, { immediate: true });
      initial = defaultState();
    }
    if (!initial.source) {
      const example = this.findExample(initial.example) || this.findExample(DEFAULT_EXAMPLE);
      if (example) initial.source = example.source;
    }
    this.applyState(initial);
    this.requestRun(0);
  }

  // A notice above the panels, as text (never markup), until dismissed.
  showLinkNotice(text) {
    const layout = document.querySelector('main.layout');
    if (!layout) return;
    const dismiss = el('button', { type: 'button', class: 'small', text: 'Dismiss' });
    const notice = el('p', { class: 'card wide link-notice', role: 'alert', id: 'link-notice' }, [text, ' ', dismiss]);
    dismiss.addEventListener('click', () => notice.remove());
    layout.prepend(notice);
  }

  findExample(name) {
    return name ? this.examples.find((e) => e.name === name) || null : null;
  }

  // ---- state in, state out -----------------------------------------------
  snapshot() {
    return cloneState(this.state);
  }

  applyState(state) {
    this.state = sanitizeState(state);
    const example = this.findExample(this.state.example);
    this.editor?.setSource(this.state.source);
    const companionPairs = example?.companion?.prompt?.kind === 'dictionary' ? example.companion.prompt.pairs : undefined;
    this.prompt.set(this.state.prompt, { defaultPairs: companionPairs });
    if (this.picker) this.state.target = this.picker.set(this.state);
    this.updateExampleMenu();
    this.updateFullLink();
  }

  updateExampleMenu() {
    const example = this.findExample(this.state.example);
    this.examplesMenu?.setCurrent(example ? example.name : null);
    const badge = document.getElementById('edited-badge');
    if (badge) badge.hidden = !example || example.source === this.state.source;
    // Beside the badge: back to the example as shipped (its source, params
    // and prompt), made here so index.html needs no change.
    if (badge && !this.resetButton) {
      this.resetButton = el('button', {
        type: 'button', id: 'reset-example', class: 'small', text: 'reset to the example', hidden: true,
        title: 'discard your edits: the example\'s program, params and prompt',
        on: { click: () => { const ex = this.findExample(this.state.example); if (ex) this.loadExample(ex, { immediate: true }); } },
      });
      badge.after(this.resetButton);
    }
    if (this.resetButton) this.resetButton.hidden = !badge || badge.hidden;
  }

  // The embed's "open in the playground" link, and on the full page the
  // address itself: its hash follows the state as it changes, so the address
  // bar is always a link to what is shown and a reload never goes back to an
  // older view. A state too big for an address (a huge prompt) leaves the
  // hash off; the autosave still keeps it.
  async updateFullLink() {
    const sequence = (this.linkSequence = (this.linkSequence || 0) + 1);
    const hash = await encodeStateHash(this.state);
    if (sequence !== this.linkSequence) return; // a newer state is on its way
    // Another page's hash (#exercises=URL names a teacher's set) stays: a
    // reload must bring that back, not the playground's state.
    const foreign = window.location.hash && !/^#[zj]=/.test(window.location.hash);
    if (!this.embed && !foreign) {
      const wanted = hash.length <= MAX_HASH_CHARS ? `#${hash}` : '';
      if (window.location.hash !== wanted) {
        history.replaceState(null, '', `${window.location.pathname}${window.location.search}${wanted}`);
      }
    }
    if (!this.fullLink) return;
    const url = new URL('index.html', window.location.href);
    url.hash = hash;
    this.fullLink.href = url.toString();
  }

  loadExample(example, { immediate = false } = {}) {
    const companion = example.companion || {};
    const params = {};
    for (const [k, v] of Object.entries(companion.params || {})) params[k] = String(v);
    const prompt = companion.prompt && typeof companion.prompt === 'object' ? companion.prompt : { kind: 'tokens', text: '' };
    this.applyState({ ...this.state, example: example.name, source: example.source, params, prompt });
    this.problems?.show([]);
    this.requestRun(immediate ? 0 : CONTROL_DEBOUNCE_MS);
  }

  // Ctrl/Cmd+Enter: run at once, even if nothing changed since the last run.
  runNow() {
    this.requestRun(0);
  }

  // Escape in the editor: say that Tab now leaves it, for as long as it does.
  showTabEscape(ms) {
    if (!this.editorKeys) return;
    this.editorKeys.textContent = `Tab now moves the focus out of the editor (for ${Math.round(ms / 1000)} s)`;
    this.editorKeys.classList.add('active');
    clearTimeout(this.tabEscapeTimer);
    this.tabEscapeTimer = setTimeout(() => {
      this.editorKeys.textContent = EDITOR_KEYS_NOTE;
      this.editorKeys.classList.remove('active');
    }, ms);
  }

  onEdit(source) {
    this.state.source = source;
    this.updateExampleMenu();
    this.requestRun(EDIT_DEBOUNCE_MS);
  }

  onParam(name, value, spec) {
    if (String(spec?.default) === value) delete this.state.params[name];
    else this.state.params[name] = value;
    this.requestRun(CONTROL_DEBOUNCE_MS);
  }

  onTarget({ target, activations, linearChains, maxLength, precision }) {
    // A length is typed digit by digit: compile once the typing pauses.
    const typing = maxLength !== this.state.maxLength &&
      target === this.state.target && activations === this.state.activations &&
      linearChains === this.state.linearChains && precision === this.state.precision;
    Object.assign(this.state, { target, activations, linearChains, maxLength, precision });
    this.requestRun(typing ? EDIT_DEBOUNCE_MS : 0);
  }

  onPrompt(prompt) {
    this.state.prompt = prompt;
    this.requestRun(EDIT_DEBOUNCE_MS);
  }

  // ---- the job queue -----------------------------------------------------
  requestRun(delayMs) {
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), delayMs);
  }

  // The noise lab's sweep is a job like a run: Cancel stops it, and an edit
  // stops it too (its numbers would be of the program before the edit).
  requestNoiseSweep(settings) {
    this.noiseRequest = settings;
    this.pump();
  }

  async pump() {
    if (this.busy || (!this.dirty && !this.noiseRequest)) return;
    // A pending run goes first: the sweep then uses the program as shown.
    const sweep = this.dirty ? null : this.noiseRequest;
    if (sweep) this.noiseRequest = null;
    this.dirty = false;
    this.busy = true;
    const generation = ++this.generation;
    try {
      if (sweep) await this.noiseSweep(sweep, generation);
      else await this.pipeline(generation);
    } catch (error) {
      if (error?.engineRestarted) {
        this.markStale(true);
        this.status.set('error', 'the engine ran out of memory and was restarted; your program is kept: make it or its input smaller, or change anything to run again');
      } else if (isCancelled(error)) {
        this.status.set('cancelled', 'cancelled; change anything to run again');
        this.cancelledGeneration = null;
      } else {
        console.error(error);
        this.status.set('error', `internal error: ${error?.message || error}`);
        this.problems?.show([diagnosticFromError(error)], 'page');
      }
    } finally {
      this.busy = false;
      // A job stopped by Cancel between two worker calls ends quietly: say so.
      if (this.cancelledGeneration === generation) {
        this.cancelledGeneration = null;
        this.status.set('cancelled', 'cancelled; change anything to run again');
      }
      if (this.dirty || this.noiseRequest) this.pump();
    }
  }

  isCurrent(generation) {
    return generation === this.generation && !this.dirty;
  }

  cancel() {
    this.noiseRequest = null;
    if (!this.busy) return;
    this.dirty = false;
    clearTimeout(this.timer);
    const generation = this.generation;
    this.cancelledGeneration = generation;
    this.generation += 1; // whatever the job was doing, its results are dropped
    this.approx?.setStale(true);
    this.status.set('cancelled', 'cancelling…');
    // The job stops at its next step; a worker call that does not end within
    // the grace period is stopped by restarting the worker.
    clearTimeout(this.cancelTimer);
    this.cancelTimer = setTimeout(() => {
      if (!this.busy || this.cancelledGeneration !== generation) return;
      this.forgetModels();
      this.client.cancel();
      this.status.set('cancelled', 'cancelled; change anything to run again');
    }, CANCEL_GRACE_MS);
  }

  // The worker was restarted: the models it held are gone.
  forgetModels() {
    this.epoch += 1;
    this.cache.clear();
  }

  // Exports the model on screen; a failure inside the engine restarts it, so
  // the cached models are dropped then.
  async exportModel(format) {
    const s = this.snapshot();
    // The model on screen: the same for every prompt.
    const model = await this.compileCached('target', s, s.target);
    if (!model?.ok) return model;
    return this.client.exportModel(model.model_id, format);
  }

  markStale(stale) {
    for (const view of [this.outputs, this.trace, this.hidden, this.graph, this.summary, this.approx]) view?.setStale(stale);
  }

  // One model per program and options: no prompt changes its weights.
  async compileCached(slot, s, target) {
    const params = declaredParams(s);
    // Linear chains and the maximum length go only to the targets that read
    // them: another target's model stays cached, and a length the compiler
    // refuses stops only the targets that need one.
    const reads = this.targets.find((t) => t.name === target) || {};
    const options = { target, params, activations: s.activations, filename: FILENAME };
    if (reads.uses_linear_chains) options.linearChains = s.linearChains;
    // The default length leaves the program's own Input(..., max_length=...) in force.
    if (reads.uses_max_length && s.maxLength !== DEFAULT_MAX_LENGTH) options.maxLength = s.maxLength;
    const key = JSON.stringify([s.source, options]);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key); // most recently used goes last
      this.cache.set(key, cached);
      return cached;
    }
    const epoch = this.epoch;
    const result = await this.client.compile(s.source, options);
    if (result.ok && epoch === this.epoch) {
      this.cache.set(key, result);
      // The worker keeps every model until told: release the least recently used.
      while (this.cache.size > MODEL_CACHE_SIZE) {
        const [oldest, dropped] = this.cache.entries().next().value;
        this.cache.delete(oldest);
        this.client.release(dropped.model_id);
      }
    }
    return result;
  }

  // ---- the pipeline ------------------------------------------------------
  async pipeline(generation) {
    const s = this.snapshot();
    const current = () => this.isCurrent(generation);
    this.autosave(s);
    this.updateFullLink();
    this.status.set('busy', `compiling for ${s.target}…`);

    const compiled = await this.compileCached('target', s, s.target);
    if (!current()) return;
    if (!compiled.ok) {
      this.editor?.setDiagnostics(compiled.diagnostics);
      this.problems?.show(compiled.diagnostics, 'program');
      this.markStale(true);
      const first = compiled.diagnostics?.[0];
      const restarted = compiled.engineRestarted ? '; the engine was restarted to free its memory: change anything to run again' : '';
      this.status.set('error', (first ? `${first.line >= 1 ? `line ${first.line}: ` : ''}${first.message}` : 'the program has errors') + restarted);
      return;
    }
    const warnings = (compiled.diagnostics || []).filter((d) => d.severity !== 'error');
    this.editor?.setDiagnostics(warnings);
    this.problems?.show(warnings, 'program');
    const info = compiled.info || {};
    this.params?.render(info.params || []);
    this.noiseLab?.setProgram({ source: s.source, params: declaredParams(s), prompt: s.prompt, info });
    this.prompt.setProgram(info);
    await nextTask();
    if (!current()) return;
    this.graph?.render({ program: compiled.graphs?.program, path: compiled.graphs?.path });
    await nextTask();
    if (!current()) return;

    this.status.set('busy', 'building the prompt…');
    // The tokens depend on the prompt and on what the program reads (its
    // input width, vocab and d_in), not on its weights: a new parameter value
    // reuses them.
    const tokensKey = JSON.stringify([s.prompt, info.input_dim, info.vocab ?? null, this.prompt.dIn]);
    let built = this.tokensCache?.key === tokensKey ? this.tokensCache.built : null;
    if (!built) {
      built = await this.prompt.buildTokens(this.client, compiled.model_id, s.prompt);
      if (!current()) return;
      this.tokensCache = built.ok ? { key: tokensKey, built } : null;
    }
    if (!built.ok) {
      this.problems?.show(built.diagnostics, 'prompt');
      this.markStale(true);
      this.status.set('error', `prompt: ${(built.diagnostics || []).map((d) => d.message).join('; ')}`);
      return;
    }
    const tokens = built.tokens || [];
    const steps = tokens.length;
    this.prompt.showCount(`${steps} token${steps === 1 ? '' : 's'}`);
    if (steps === 0) {
      this.problems?.show([]);
      this.markStale(true);
      this.outputs?.clear('The prompt is empty: type some tokens to run the model.');
      this.outputs?.setStale(false);
      this.approx?.hide();
      this.status.set('idle', 'compiled; waiting for a prompt');
      return;
    }
    const unitsPerStep = (compiled.summary?.layers || []).reduce((a, l) => a + 4 * (Number(l.hidden_dim) || 0) + (Number(l.output_dim) || 0), 0);
    const widthEstimate = Math.max(1, unitsPerStep);
    const traced = steps <= TRACE_MAX_STEPS && steps * widthEstimate <= TRACE_MAX_VALUES;

    this.status.set('busy', `running ${steps} step${steps === 1 ? '' : 's'} on ${s.target} (${s.precision})…`);
    const result = await this.client.run(compiled.model_id, tokens, { precision: s.precision, trace: traced });
    if (!current()) return;
    if (!result.ok) {
      this.problems?.show(result.diagnostics, 'run');
      this.markStale(true);
      this.status.set('error', `run: ${(result.diagnostics || []).map((d) => d.message).join('; ')}`);
      return;
    }
    const answerLength = s.prompt.kind === 'dictionary' ? Array.from(s.prompt.query).length : 0;
    this.cursor.setSteps(steps);
    this.outputs?.render({ result, tokens, vocab: info.vocab || null, answerLength, precision: s.precision, params: info.params || [] });
    await nextTask();
    if (!current()) return;
    this.summary?.render({ summary: compiled.summary, info, runMs: result.run_ms, steps });
    const note = traced ? '' : `(no trace: ${steps} steps is more than the ${TRACE_MAX_STEPS} the page records)`;
    if (s.target === 'dag') {
      this.hidden?.render({ summary: null, path: null, trace: null, note });
    } else {
      this.hidden?.render({ summary: compiled.summary, path: compiled.summary?.path, trace: traced ? result.trace : null, note });
    }
    await nextTask();
    if (!current()) return;
    document.body.dataset.target = s.target;
    document.body.dataset.activations = s.activations;
    document.body.dataset.linearChains = s.linearChains;
    document.body.dataset.precision = s.precision;
    this.markFirstOutput();

    // The trace table shows the program's own variables: a run of the DAG.
    if (this.trace) {
      if (!traced) {
        this.trace.clear(`No trace: ${steps} steps is more than the ${TRACE_MAX_STEPS} the page records.`);
      } else if (s.target === 'dag') {
        this.trace.render(result.trace);
      } else {
        this.status.set('busy', 'tracing the program…');
        const dag = await this.compileCached('dag', s, 'dag');
        if (!current()) return;
        if (dag.ok) {
          const dagRun = await this.client.run(dag.model_id, tokens, { precision: s.precision, trace: true });
          if (!current()) return;
          if (dagRun.ok) this.trace.render(dagRun.trace);
          else this.trace.clear((dagRun.diagnostics || []).map((d) => d.message).join('; '));
        }
      }
    }

    if (this.approx) {
      if (s.prompt.kind === 'continuous') {
        this.status.set('busy', 'drawing f and its in-context approximation…');
        const dIn = this.prompt.dIn;
        const outcome = await this.approx.run({
          client: this.client, modelId: compiled.model_id, prompt: s.prompt, dIn, precision: s.precision, isCurrent: current,
        });
        if (outcome === 'superseded') return;
      } else {
        this.approx.hide();
      }
    }

    this.runCount += 1;
    document.body.dataset.runCount = String(this.runCount);
    const ms = Number.isFinite(result.run_ms) ? `, run ${formatNumber(Number(result.run_ms.toFixed(2)))} ms` : '';
    this.status.set('ok', `${s.target} · ${s.precision} · ${steps} steps${ms}`);
  }

  // The noise lab's sweep (ui/noise-lab.js) on the program, params and
  // prompt on screen, in the worker one form per call.
  async noiseSweep(settings, generation) {
    const s = this.snapshot();
    this.status.set('busy', 'noise lab: starting the sweep…');
    const outcome = await this.noiseLab.run({
      client: this.client, source: s.source, params: declaredParams(s), prompt: s.prompt, filename: FILENAME, settings,
      isCurrent: () => this.isCurrent(generation), progress: (text) => this.status.set('busy', text),
    });
    if (outcome === 'done') this.status.set('ok', `noise lab: ${this.noiseLab.status.textContent}`);
    else if (outcome === 'failed') this.status.set('error', this.noiseLab.status.textContent);
  }

  // Records when the first outputs reached the screen (ms since navigation
  // start): two animation frames after they entered the DOM, i.e. once a
  // frame with them has been produced. tests/web/measure.mjs reads it.
  markFirstOutput() {
    if (this.firstOutputShown) return;
    this.firstOutputShown = true;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      performance.mark('lsrl-first-output');
      document.body.dataset.firstOutputMs = performance.now().toFixed(1);
    }));
  }
}

export function startPlayground(options) {
  const app = new Playground(options);
  window.lsrlPlayground = app; // for the console and the browser tests
  app.started = app.start(); // resolves once the engine is ready and the first state shown
  return app;
}

