// LsrlClient: the page's (and any embedder's) handle on the LSRL engine.
//
// Every call is forwarded to a Web Worker (worker.js) that owns the
// WebAssembly module, so a long compile or run never freezes the page. Calls
// return promises of plain objects { ok, diagnostics, ... } (docs/api.md); they
// reject only when the call could not be made at all (the engine failed to
// load) or was cancelled (the Error then has .cancelled === true).
//
//   const client = new LsrlClient();            // or { workerUrl, moduleUrl, wasmUrl }
//   const { version, targets } = await client.ready();
//   const compiled = await client.compile(source, { target: 'gated-linear-rnn' });
//   const ran = await client.run(compiled.model_id, [[1], [0], [1]], { trace: true });

function positionlessFailure(message) {
  return {
    ok: false,
    diagnostics: [{ file: '', line: 0, col: 0, length: 0, severity: 'error', message, rendered: `error: ${message}` }],
  };
}

// number[][] (or an array of typed arrays) -> { data: Float64Array, steps, dim },
// or { error } when the rows do not all have the same width.
function flattenRows(rows, what) {
  if (!rows || typeof rows.length !== 'number') return { error: `${what} must be an array of arrays of numbers` };
  const steps = rows.length;
  if (steps === 0) return { data: new Float64Array(0), steps: 0, dim: 0 };
  const first = rows[0];
  if (!first || typeof first.length !== 'number') return { error: `${what} must be an array of arrays of numbers` };
  const dim = first.length;
  const data = new Float64Array(steps * dim);
  for (let s = 0; s < steps; s++) {
    const row = rows[s];
    if (!row || row.length !== dim) {
      const got = row && typeof row.length === 'number' ? row.length : 'no';
      return { error: `${what}: row ${s + 1} has ${got} numbers but row 1 has ${dim}; every row must have the same width` };
    }
    for (let u = 0; u < dim; u++) data[s * dim + u] = Number(row[u]);
  }
  return { data, steps, dim };
}

// [[key, value]], [{ key, value }] or { key: value } -> [[key, value]].
// The worker hands number arrays over as { rows, dim, data: Float64Array },
// transferred; they take the shape the API documents (number[][]) here, once.
function toRows(flat) {
  if (!flat || !flat.data) return [];
  const rows = new Array(flat.rows);
  for (let r = 0; r < flat.rows; r++) rows[r] = Array.from(flat.data.subarray(r * flat.dim, (r + 1) * flat.dim));
  return rows;
}
const withRows = (key) => (result) => {
  if (result && typeof result === 'object') result[key] = toRows(result[key]);
  return result;
};
// runBatch: every prompt's outputs in one buffer -> one steps x output_dim
// array per prompt.
function withPromptOutputs(result) {
  if (!result || typeof result !== 'object') return result;
  const rows = toRows(result.outputs);
  const outputs = [];
  let next = 0;
  for (const count of result.lengths || []) {
    outputs.push(rows.slice(next, next + count));
    next += count;
  }
  result.outputs = outputs;
  return result;
}

function normalisePairs(pairs) {
  if (Array.isArray(pairs)) {
    return pairs.map((pair) => (Array.isArray(pair) ? [String(pair[0]), String(pair[1])]
                                                     : [String(pair.key), String(pair.value)]));
  }
  return Object.entries(pairs || {}).map(([key, value]) => [String(key), String(value)]);
}

// The engine's memory ceiling: -sMAXIMUM_MEMORY in wasm/CMakeLists.txt.
const ENGINE_MEMORY_CEILING_TEXT = '2 GB';

export class LsrlClient {
  // options.workerUrl: where worker.js is (default: beside this module).
  // options.moduleUrl / options.wasmUrl: where lsrl.mjs / lsrl.wasm are
  //   (default: one folder above the worker).
  // options.wasmBinary: the bytes of lsrl.wasm, if you have them already.
  constructor(options = {}) {
    this._workerUrl = options.workerUrl || new URL('./worker.js', import.meta.url);
    this._engineOptions = {};
    if (options.moduleUrl) this._engineOptions.moduleUrl = String(new URL(options.moduleUrl, globalThis.location?.href));
    if (options.wasmUrl) this._engineOptions.wasmUrl = String(new URL(options.wasmUrl, globalThis.location?.href));
    if (options.wasmBinary) this._engineOptions.wasmBinary = options.wasmBinary;
    this._nextCallId = 1;
    this._pending = new Map();  // call id -> { resolve, reject }
    this._highestModelId = 0;
    this._startWorker();
  }

  // Resolves with { version, targets: [{ name, description, available, reason,
  // supports_multi, has_activation_modes, uses_linear_chains, uses_max_length }] }
  // once the engine is loaded.
  ready() {
    return this._ready;
  }

  // source: the program text. options: { target = 'dag', params = {name: value},
  // activations = 'paper' | 'standard', linearChains = 'keep' | 'fuse',
  // maxLength (default: the program's declaration, else 4096), filename =
  // '<input>' }. The weights depend on these only, never on a prompt.
  async compile(source, options = {}) {
    const sent = { ...(options || {}) };
    const result = await this._call('compile', { source, options: sent });
    if (result.ok && typeof result.model_id === 'number') this._highestModelId = Math.max(this._highestModelId, result.model_id);
    return result;
  }

  // tokens: number[][] (steps x input width). options: { precision = 'f64', trace = false }.
  run(modelId, tokens, options = {}) {
    const flat = flattenRows(tokens, 'tokens');
    if (flat.error) return Promise.resolve(positionlessFailure(flat.error));
    return this._call('run', {
      modelId, data: flat.data, steps: flat.steps, dim: flat.dim,
      precision: options.precision || 'f64', trace: !!options.trace,
    }, [flat.data.buffer]).then(withRows('outputs'));
  }

  // prompts: an array of token sequences (each number[][], steps x input
  // width), run independently through one model, each exactly as run() runs
  // it alone. options: { precision = 'f64', compareWithProgram = true }.
  // -> { ok, diagnostics, outputs: one number[][] per prompt, texts,
  // fidelities, run_ms }.
  runBatch(modelId, prompts, options = {}) {
    if (!prompts || typeof prompts.length !== 'number') return Promise.resolve(positionlessFailure('prompts must be an array of token sequences'));
    const lengths = [];
    const rows = [];
    for (const prompt of prompts) {
      if (!prompt || typeof prompt.length !== 'number') return Promise.resolve(positionlessFailure('each prompt must be an array of tokens'));
      lengths.push(prompt.length);
      for (const token of prompt) rows.push(token);
    }
    const flat = flattenRows(rows, 'tokens');
    if (flat.error) return Promise.resolve(positionlessFailure(flat.error));
    return this._call('runBatch', {
      modelId, data: flat.data, lengths, dim: flat.dim,
      precision: options.precision || 'f64', compareWithProgram: options.compareWithProgram !== false,
    }, [flat.data.buffer]).then(withPromptOutputs);
  }

  parseTokens(text, inputDim) {
    return this._call('parseTokens', { text, inputDim }).then(withRows('tokens'));
  }

  parseCsv(text, inputDim) {
    return this._call('parseCsv', { text, inputDim }).then(withRows('tokens'));
  }

  // Encodes text with the vocab of the compiled program `modelId`.
  encodeText(text, modelId) {
    return this._call('encodeText', { text, modelId }).then(withRows('tokens'));
  }

  // Listing 1's prompt (paper Eq. 8) for f given as text in x1..x{dIn}.
  continuousPrompt(fnText, dIn, cells, query) {
    return this._call('continuousPrompt', { fnText, dIn, cells, query: Array.from(query || [], Number) })
      .then(withRows('tokens'));
  }

  // Listing 2's prompt: the query, then each key and its value.
  dictionaryPrompt(query, pairs, vocab) {
    return this._call('dictionaryPrompt', { query, pairs: normalisePairs(pairs), vocab }).then(withRows('tokens'));
  }

  // f (as text in x1..x{dIn}) at each point (number[][], points x dIn):
  // -> { ok, diagnostics, output_dim, values: number[][] }.
  evaluateFunction(fnText, dIn, points) {
    const flat = flattenRows(points, 'points');
    if (flat.error) return Promise.resolve(positionlessFailure(flat.error));
    if (flat.steps > 0 && flat.dim !== dIn) {
      return Promise.resolve(positionlessFailure(`points have ${flat.dim} coordinates but the function takes ${dIn}`));
    }
    return this._call('evaluateFunction', { fnText, dIn, data: flat.data, count: flat.steps }, [flat.data.buffer])
      .then(withRows('values'));
  }

  // The paper's noise experiment (api::noise_sweep, as `lsrlc noise` runs it):
  // options = { target: 'gated-linear-rnn' | 'linear-rnn', params, filename,
  // forms?, sigmas, trials, seed, prompt: { kind: 'dictionary', pairs } |
  // { kind: 'continuous', function, cells, query } }
  // -> { ok, diagnostics, measure: 'wrong_tokens' | 'max_error', out_of?, queries,
  //      rows: [{ form, sigma, trial, value (null when not finite) }], left_out: [{ form, message }] }.
  noiseSweep(source, options = {}) {
    return this._call('noiseSweep', { source, options });
  }

  // format: 'json' | 'safetensors' -> { ok, diagnostics, bytes, filename, loader?, loader_filename? }.
  // An exercise file's text (docs/exercises.md) -> { ok, diagnostics, results:
  // [{ name, status, first_differing_step, max_deviation, message, outputs }] },
  // one per check, graded by the core's rules (as lsrlc grade grades them).
  gradeProgram(source, exercise, { filename } = {}) {
    return this._call('gradeProgram', { source, exercise, filename }).then((result) => {
      for (const graded of Array.isArray(result?.results) ? result.results : []) graded.outputs = toRows(graded.outputs);
      return result;
    });
  }

  exportModel(modelId, format) {
    return this._call('exportModel', { modelId, format });
  }

  // Frees a compiled model in the worker.
  release(modelId) {
    return this._call('release', { modelId }).catch(() => ({ ok: false, diagnostics: [] }));
  }

  // Stops whatever the engine is doing: terminates the worker, rejects every
  // pending call with an Error whose .cancelled is true, and starts a fresh
  // worker (compiled models are gone: compile again).
  cancel() {
    this._worker.terminate();
    const error = new Error('cancelled');
    error.cancelled = true;
    this._rejectAll(error);
    this._startWorker();
  }

  // Terminates the worker for good.
  dispose() {
    this._worker.terminate();
    const error = new Error('the LSRL client was disposed');
    error.cancelled = true;
    this._rejectAll(error);
  }

  _startWorker() {
    this._worker = new Worker(this._workerUrl, { type: 'module' });
    this._worker.onmessage = (event) => this._onMessage(event.data);
    this._worker.onerror = (event) => {
      // The worker script itself failed (not found, syntax error): nothing
      // pending can complete.
      if (event && typeof event.preventDefault === 'function') event.preventDefault();
      const error = new Error(`the LSRL worker failed: ${event && event.message ? event.message : 'could not start'}`);
      this._rejectAll(error);
    };
    this._ready = this._call('init', { ...this._engineOptions, firstModelId: this._highestModelId + 1 });
    // A failed start must not become an unhandled rejection if nobody awaits ready().
    this._ready.catch(() => {});
  }

  _call(method, args, transfer = []) {
    const id = this._nextCallId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      try {
        this._worker.postMessage({ id, method, args }, transfer);
      } catch (error) {
        this._pending.delete(id);
        resolve(positionlessFailure(`${method}: could not send the call (${error.message})`));
      }
    });
  }

  _onMessage(message) {
    const entry = message && this._pending.get(message.id);
    if (!entry) return;
    this._pending.delete(message.id);
    if (message.restart) this._restartEngine(message.result);
    if (message.error) entry.reject(new Error(message.error.message));
    else entry.resolve(message.result);
  }

  // The engine ran out of memory or trapped: the worker is replaced (its
  // memory goes with it) and the result says so; the models compiled so far
  // are gone. this.onRestart(result), if set, hears of it.
  _restartEngine(result) {
    this._worker.terminate();
    const error = new Error('the engine was restarted');
    error.cancelled = true;
    error.engineRestarted = true;
    this._rejectAll(error);
    this._startWorker();
    this.restarts = (this.restarts || 0) + 1;
    if (result && typeof result === 'object') {
      result.engineRestarted = true;
      const note = `the engine was restarted to free its memory (a WebAssembly module may use at most ${ENGINE_MEMORY_CEILING_TEXT}); compiled models are gone and are compiled again when needed`;
      result.diagnostics = [...(result.diagnostics || []), { file: '', line: 0, col: 0, length: 0, severity: 'note', message: note, rendered: `note: ${note}` }];
    }
    this.onRestart?.(result);
  }

  _rejectAll(error) {
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const { reject } of pending) reject(error);
  }
}

export default LsrlClient;
